//! Chapter 5, the framework and the whole demo site: errors in the client's language, a handler
//! that panics, a password on `/admin`, the guestbook and its JSON API, static files with
//! validators and ranges and no way out of their folder, CGI and `/sleep`. Chapters 6 and 7 serve
//! the same site, so they keep every one of these.

use crate::check::{Check, FROM_5, Hint, Target};
use crate::http::{Exchange, exchange, get, location_path, request};
use crate::outcome::Outcome;

const APPLICATION: &str = "Chapter 5, part 2 — The application: handlers, responses and errors";
const ERRORS: Hint = Hint {
    part: APPLICATION,
    section: "Errors in the client's language",
};
const SITE: Hint = Hint {
    part: APPLICATION,
    section: "The demo site, with the framework",
};
const PASSWORD: Hint = Hint {
    part: "Chapter 5, part 4 — Middleware: layers around the application",
    section: "A password, checked without leaking it",
};
const GUESTBOOK: Hint = Hint {
    part: "Chapter 5, part 5 — The guestbook: state that survives a restart",
    section: "The routes",
};
const STATIC: &str = "Chapter 5, part 6 — Static files, and the way out of the folder";
const FOLDER: Hint = Hint {
    part: STATIC,
    section: "Two checks: before the disk, and after it",
};
const PIECES: Hint = Hint {
    part: STATIC,
    section: "Sending a file in pieces",
};
const CGI: Hint = Hint {
    part: "Chapter 5, part 7 — CGI, and the site in a browser",
    section: "What the script is told",
};

pub const CHECKS: &[Check] = &[
    Check {
        name: "an error asked for with Accept: application/json is JSON",
        chapters: FROM_5,
        hostile: false,
        hint: ERRORS,
        run: json_error,
    },
    Check {
        name: "a handler that panics is a 500, and the server goes on",
        chapters: FROM_5,
        hostile: false,
        hint: SITE,
        run: panic_is_500,
    },
    Check {
        name: "GET /sleep/{ms} answers after the wait",
        chapters: FROM_5,
        hostile: false,
        hint: SITE,
        run: sleep,
    },
    Check {
        name: "/admin asks for a password: 401 with WWW-Authenticate: Basic",
        chapters: FROM_5,
        hostile: false,
        hint: PASSWORD,
        run: admin_asks,
    },
    Check {
        name: "GET /guestbook is a page with a form that posts to /guestbook",
        chapters: FROM_5,
        hostile: false,
        hint: GUESTBOOK,
        run: guestbook_page,
    },
    Check {
        name: "POST /api/messages stores a message: 201, a Location, and GET of it",
        chapters: FROM_5,
        hostile: false,
        hint: GUESTBOOK,
        run: api_message,
    },
    Check {
        name: "/static/style.css is text/css with an ETag, and 304 when unchanged",
        chapters: FROM_5,
        hostile: false,
        hint: PIECES,
        run: static_file,
    },
    Check {
        name: "a Range request gets 206 and just those bytes",
        chapters: FROM_5,
        hostile: false,
        hint: PIECES,
        run: range,
    },
    Check {
        name: "/cgi-bin/hello.sh?name=Ada answers from the script",
        chapters: FROM_5,
        hostile: false,
        hint: CGI,
        run: cgi,
    },
    Check {
        name: "a path out of /static/ is refused",
        chapters: FROM_5,
        hostile: true,
        hint: FOLDER,
        run: out_of_the_folder,
    },
];

fn with_close<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = fields.to_vec();
    fields.push(("Connection", "close"));
    fields
}

fn json_error(target: &Target) -> Outcome {
    let fields = with_close(&[("Accept", "application/json")]);
    let answer = exchange(target, &request("GET", "/nowhere", &fields, b""))?;
    answer.status(404)?;
    answer.header_starts("Content-Type", "application/json")?;
    answer.body_contains("\"error\"")
}

fn panic_is_500(target: &Target) -> Outcome {
    exchange(target, &get("/panic"))?.status(500)?;
    crate::chapters::chapter2::hello(target)
        .map_err(|f| f.within("after the 500, the next request"))
}

fn sleep(target: &Target) -> Outcome {
    let answer = exchange(target, &get("/sleep/50"))?;
    answer.status(200)?;
    answer.body_contains("slept 50 ms")
}

fn admin_asks(target: &Target) -> Outcome {
    let answer = exchange(target, &get("/admin"))?;
    answer.status(401)?;
    answer.header_starts("WWW-Authenticate", "Basic")
}

fn guestbook_page(target: &Target) -> Outcome {
    let answer = exchange(target, &get("/guestbook"))?;
    answer.status(200)?;
    answer.header_starts("Content-Type", "text/html")?;
    answer.body_contains("action=\"/guestbook\"")
}

fn api_message(target: &Target) -> Outcome {
    let fields = with_close(&[("Content-Type", "application/json")]);
    let body = br#"{"name": "checker", "text": "signed by the chapter checker"}"#;
    let added = exchange(target, &request("POST", "/api/messages", &fields, body))?;
    added.status(201)?;
    let location = added.response.header("Location").map(location_path);
    if !location.is_some_and(|path| path.starts_with("/api/messages/")) {
        added.header_starts("Location", "/api/messages/")?;
    }
    let read = exchange(target, &get(location.unwrap_or_default()))?;
    read.status(200)?;
    read.header_starts("Content-Type", "application/json")?;
    read.body_contains("signed by the chapter checker")
}

fn static_file(target: &Target) -> Outcome {
    let first = exchange(target, &get("/static/style.css"))?;
    first.status(200)?;
    first.header_starts("Content-Type", "text/css")?;
    // Strong ("…") or weak (W/"…"): either lets a client ask If-None-Match.
    let etag = first.response.header("ETag").unwrap_or_default();
    if !etag.strip_prefix("W/").unwrap_or(etag).starts_with('"') {
        first.header_starts("ETag", "\"")?;
    }
    let fields = with_close(&[("If-None-Match", etag)]);
    let again = exchange(target, &request("GET", "/static/style.css", &fields, b""))?;
    again.status(304)
}

fn range(target: &Target) -> Outcome {
    let whole = exchange(target, &get("/static/style.css"))?;
    whole.status(200)?;
    let fields = with_close(&[("Range", "bytes=0-9")]);
    let part = exchange(target, &request("GET", "/static/style.css", &fields, b""))?;
    part.status(206)?;
    let total = whole.response.body().len();
    part.header_is("Content-Range", &format!("bytes 0-9/{total}"))?;
    part.body_is(&whole.response.body()[..10.min(total)])
}

fn cgi(target: &Target) -> Outcome {
    let answer = exchange(target, &get("/cgi-bin/hello.sh?name=Ada"))?;
    answer.status(200)?;
    answer.body_contains("Hello, Ada!")
}

/// Ways out of the folder: raw `..`, escaped dots, an escaped slash. Each must be a 4xx and must
/// not be the file it aims at.
fn out_of_the_folder(target: &Target) -> Outcome {
    // The folder must serve something, or refusing everything would pass.
    exchange(target, &get("/static/style.css"))?.status(200)?;
    for path in [
        "/static/../../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/..%2f..%2fCargo.toml",
    ] {
        let answer: Exchange = exchange(target, &get(path))?;
        let status = answer.response.status;
        if !(400..500).contains(&status) || answer.response.text().contains("[package]") {
            return Err(answer
                .fail(format!(
                    "{path} was answered {status}: a path that leads out of the static folder \
                     must be refused (404 or 403), never served"
                ))
                .expecting_bytes(9, b"404")
                .with_expected("HTTP/1.1 404 (or 403)"));
        }
    }
    Ok(())
}
