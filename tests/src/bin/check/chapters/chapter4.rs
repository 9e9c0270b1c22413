//! Chapter 4, routing: the demo site's first routes, a 404 page for an unknown path, a 405 with
//! `Allow` for a known path and the wrong method, `HEAD` and `OPTIONS` wherever `GET` is, and a
//! permanent redirect for a stray trailing slash. Every later chapter keeps these.

use crate::check::{Check, FROM_4, Hint, Target};
use crate::http::{Exchange, exchange, get, request};
use crate::outcome::Outcome;

const PART: &str = "Chapter 4 — Routing: from a static table to a segment tree";
const WHY: Hint = Hint {
    part: PART,
    section: "Why routing exists",
};
const TREE: Hint = Hint {
    part: PART,
    section: "The segment tree",
};
const STATUS: Hint = Hint {
    part: PART,
    section: "404 versus 405, HEAD and OPTIONS",
};
const SLASHES: Hint = Hint {
    part: PART,
    section: "Trailing slashes",
};

pub const CHECKS: &[Check] = &[
    Check {
        name: "GET / is an HTML page linking to /hello",
        chapters: FROM_4,
        hostile: false,
        hint: WHY,
        run: home_page,
    },
    Check {
        name: "GET /hello/{name} greets the decoded name",
        chapters: FROM_4,
        hostile: false,
        hint: TREE,
        run: hello_name,
    },
    Check {
        name: "POST /echo sends the body back with its Content-Type",
        chapters: FROM_4,
        hostile: false,
        hint: WHY,
        run: echo,
    },
    Check {
        name: "an unknown path is a 404 HTML page",
        chapters: FROM_4,
        hostile: false,
        hint: STATUS,
        run: not_found,
    },
    Check {
        name: "a known path with the wrong method is a 405 with Allow",
        chapters: FROM_4,
        hostile: false,
        hint: STATUS,
        run: method_not_allowed,
    },
    Check {
        name: "HEAD /hello is GET's head without the body",
        chapters: FROM_4,
        hostile: false,
        hint: STATUS,
        run: head,
    },
    Check {
        name: "OPTIONS /hello is a 204 with Allow",
        chapters: FROM_4,
        hostile: false,
        hint: STATUS,
        run: options,
    },
    Check {
        name: "a trailing slash is a 308 to the route, query kept",
        chapters: FROM_4,
        hostile: false,
        hint: SLASHES,
        run: trailing_slash,
    },
];

fn home_page(target: &Target) -> Outcome {
    let answer = exchange(target, &get("/"))?;
    answer.status(200)?;
    answer.header_starts("Content-Type", "text/html")?;
    answer.body_contains("href=\"/hello\"")
}

fn hello_name(target: &Target) -> Outcome {
    let cases = [
        ("/hello/ferris", "Hello, ferris!"),
        ("/hello/Ada%20Lovelace", "Hello, Ada Lovelace!"),
        ("/hello/a%2Fb", "Hello, a/b!"),
    ];
    for (path, greeting) in cases {
        let answer = exchange(target, &get(path))?;
        answer.status(200)?;
        answer.header_starts("Content-Type", "text/plain")?;
        answer.body_is(greeting.as_bytes())?;
    }
    Ok(())
}

fn echo(target: &Target) -> Outcome {
    let body = br#"{"a": [1, 2]}"#;
    let fields = [
        ("Content-Type", "application/json"),
        ("Connection", "close"),
    ];
    let answer = exchange(target, &request("POST", "/echo", &fields, body))?;
    answer.status(200)?;
    answer.header_is("Content-Type", "application/json")?;
    answer.body_is(body)
}

fn not_found(target: &Target) -> Outcome {
    for path in ["/nowhere", "/hello/a/b"] {
        let answer = exchange(target, &get(path))?;
        answer.status(404)?;
        answer.header_starts("Content-Type", "text/html")?;
    }
    Ok(())
}

/// The methods an `Allow` field names, in any order and spelling of spaces.
fn allowed(answer: &Exchange, expected: &str) -> Outcome {
    let normal = |list: &str| {
        let mut methods: Vec<String> = list.split(',').map(|m| m.trim().to_string()).collect();
        methods.sort();
        methods
    };
    match answer.response.header("Allow") {
        Some(value) if normal(value) == normal(expected) => Ok(()),
        _ => answer.header_is("Allow", expected),
    }
}

fn method_not_allowed(target: &Target) -> Outcome {
    let cases = [
        ("POST", "/hello", "GET, HEAD, OPTIONS"),
        ("GET", "/echo", "POST, OPTIONS"),
    ];
    for (method, path, allow) in cases {
        let fields = [("Connection", "close")];
        let answer = exchange(target, &request(method, path, &fields, b""))?;
        answer.status(405)?;
        allowed(&answer, allow)?;
    }
    Ok(())
}

fn head(target: &Target) -> Outcome {
    let got = exchange(target, &get("/hello"))?;
    let fields = [("Connection", "close")];
    // Read as the answer to HEAD: a body sent anyway shows up as bytes after the head.
    let head = exchange(target, &request("HEAD", "/hello", &fields, b""))?;
    head.status(got.response.status)?;
    // A HEAD answer may leave Content-Length out (RFC 9110 §8.6); if it gives one, it is GET's.
    match (
        got.response.header("Content-Length"),
        head.response.header("Content-Length"),
    ) {
        (Some(length), Some(_)) => head.header_is("Content-Length", length),
        _ => Ok(()),
    }
}

fn options(target: &Target) -> Outcome {
    let fields = [("Connection", "close")];
    let answer = exchange(target, &request("OPTIONS", "/hello", &fields, b""))?;
    answer.status(204).map_err(|f| {
        f.explained("(RFC 9110 §9.3.7 allows a 200 too; the book requires 204, with no body.)")
    })?;
    allowed(&answer, "GET, HEAD, OPTIONS")
}

fn trailing_slash(target: &Target) -> Outcome {
    for (path, location) in [("/hello/", "/hello"), ("/hello/ada/?x=1", "/hello/ada?x=1")] {
        let answer = exchange(target, &get(path))?;
        answer.status(308).map_err(|f| {
            f.explained(
                "(The RFCs leave a stray trailing slash to the server; the book requires a 308 \
                 to the route without it, the query kept.)",
            )
        })?;
        answer.location_is(location)?;
    }
    Ok(())
}
