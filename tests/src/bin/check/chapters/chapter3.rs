//! Chapter 3, the parser and its mirror: `/debug/request` answers with what was parsed, as JSON,
//! and what is not HTTP, or is framed to smuggle, or is too large, is refused with the status that
//! says why. Every later chapter keeps the mirror at `/debug/request`.
//!
//! The mirror's JSON is compared after removing the spaces outside strings, so `json.dumps`'s
//! `"method": "GET"` and the book's `"method":"GET"` are the same answer; keys may come in any
//! order.

use crate::check::{Check, FROM_3, Hint, Target};
use crate::http::{Exchange, exchange, exchange_refused, request};
use crate::outcome::Outcome;
use crate::wire::Wire;

const PARSING: &str = "Chapter 3, part 1 — Parsing a request";
const SHOWING: &str = "Chapter 3, part 3 — A server that shows what it parsed";
const MIRROR: Hint = Hint {
    part: SHOWING,
    section: "The mirror",
};
const REFUSED: Hint = Hint {
    part: SHOWING,
    section: "Try it: requests the parser refuses",
};
const BODY_END: Hint = Hint {
    part: PARSING,
    section: "Where the body ends, and request smuggling",
};
const LINES: Hint = Hint {
    part: PARSING,
    section: "Lines: scan each byte once, and stop at the limit",
};
const SERVER: Hint = Hint {
    part: SHOWING,
    section: "The server",
};

pub const CHECKS: &[Check] = &[
    Check {
        name: "GET /debug/request mirrors the method, target and decoded query as JSON",
        chapters: FROM_3,
        hostile: false,
        hint: MIRROR,
        run: query,
    },
    Check {
        name: "the mirror keeps header fields in order, repeats included",
        chapters: FROM_3,
        hostile: false,
        hint: MIRROR,
        run: headers,
    },
    Check {
        name: "a form body is decoded into fields",
        chapters: FROM_3,
        hostile: false,
        hint: MIRROR,
        run: form,
    },
    Check {
        name: "a JSON body comes back parsed",
        chapters: FROM_3,
        hostile: false,
        hint: MIRROR,
        run: json_body,
    },
    Check {
        name: "an invalid JSON body gets 400 saying on which line",
        chapters: FROM_3,
        hostile: false,
        hint: MIRROR,
        run: bad_json,
    },
    Check {
        name: "a chunked body is decoded",
        chapters: FROM_3,
        hostile: false,
        hint: BODY_END,
        run: chunked,
    },
    Check {
        name: "Expect: 100-continue gets 100 Continue, then the answer",
        chapters: FROM_3,
        hostile: false,
        hint: SERVER,
        run: expect_continue,
    },
    Check {
        name: "what is not HTTP gets 400 with a reason in text/plain",
        chapters: FROM_3,
        hostile: false,
        hint: REFUSED,
        run: garbage_gets_400,
    },
    Check {
        name: "a head whose lines end in a bare \\n gets 400",
        chapters: FROM_3,
        hostile: false,
        hint: LINES,
        run: bare_lf,
    },
    Check {
        name: "smuggling-shaped framing gets 400",
        chapters: FROM_3,
        hostile: true,
        hint: BODY_END,
        run: smuggling,
    },
    Check {
        name: "a body over the limit gets 413 without being read",
        chapters: FROM_3,
        hostile: true,
        hint: REFUSED,
        run: too_large,
    },
];

const MIRROR_PATH: &str = "/debug/request";

/// JSON with the whitespace outside strings removed, and for each of its bytes where it was in
/// `text`, so that a mismatch found in the compact form can be pointed at in the bytes received.
pub fn compact_json(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for (at, c) in text.char_indices() {
        let keep = if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            true
        } else {
            in_string = c == '"';
            !c.is_whitespace()
        };
        if keep {
            out.push(c);
            origin.extend((0..c.len_utf8()).map(|i| at + i));
        }
    }
    (out, origin)
}

/// Where the longest start of `wanted` appears in `seen`, and how long that start is.
fn nearest(seen: &str, wanted: &str) -> (usize, usize) {
    (1..=wanted.len())
        .rev()
        .filter(|&len| wanted.is_char_boundary(len))
        .find_map(|len| seen.find(&wanted[..len]).map(|at| (at, len)))
        .unwrap_or((0, 0))
}

/// The answer is a `200` in JSON whose compact text has every one of `parts` in it (compared
/// without case when `any_case`, for header names). A part not found is pointed at where the
/// JSON comes closest to it: the caret goes under the first byte that differs.
fn mirrors(answer: &Exchange, parts: &[&str], any_case: bool) -> Outcome {
    answer.status(200)?;
    answer.header_starts("Content-Type", "application/json")?;
    let (mut seen, origin) = compact_json(&answer.response.text());
    if any_case {
        seen = seen.to_ascii_lowercase();
    }
    for part in parts {
        let wanted = if any_case {
            part.to_ascii_lowercase()
        } else {
            part.to_string()
        };
        if seen.contains(&wanted) {
            continue;
        }
        let (at, matched) = nearest(&seen, &wanted);
        let differs = origin
            .get(at + matched)
            .or(origin.last())
            .copied()
            .unwrap_or(0);
        let problem = if matched == 0 {
            format!("the mirror's JSON has no {part}")
        } else {
            let came = seen.get(at..).unwrap_or_default();
            let came: String = came.chars().take(wanted.chars().count() + 8).collect();
            format!("the mirror's JSON has no {part}; the nearest is {came}…")
        };
        return Err(answer
            .fail(problem)
            .with_expected(format!(
                "JSON with {part} in it (spaces outside strings ignored)"
            ))
            .with_caret(answer.response.head_len + differs));
    }
    Ok(())
}

fn mirror_request(method: &str, fields: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut fields = fields.to_vec();
    fields.push(("Connection", "close"));
    request(method, MIRROR_PATH, &fields, body)
}

fn query(target: &Target) -> Outcome {
    let path = format!("{MIRROR_PATH}?q=rust+http&tag=a&tag=b&sum=1%2B1");
    let bytes = request("GET", &path, &[("Connection", "close")], b"");
    let answer = exchange(target, &bytes)?;
    let target_part = format!(r#""target":"{path}""#);
    let parts = [
        r#""method":"GET""#,
        target_part.as_str(),
        r#""query":[["q","rust http"],["tag","a"],["tag","b"],["sum","1+1"]]"#,
    ];
    mirrors(&answer, &parts, false)
}

fn headers(target: &Target) -> Outcome {
    let fields = [
        ("X-Tag", "first"),
        ("X-Other", "  padded  "),
        ("X-Tag", "second"),
    ];
    let answer = exchange(target, &mirror_request("GET", &fields, b""))?;
    let parts = [r#"["x-tag","first"],["x-other","padded"],["x-tag","second"]"#];
    mirrors(&answer, &parts, true)
}

fn form(target: &Target) -> Outcome {
    let fields = [("Content-Type", "application/x-www-form-urlencoded")];
    let body = b"name=Ada+L&msg=a%26b&msg=c";
    let answer = exchange(target, &mirror_request("POST", &fields, body))?;
    let parts = [r#""form":[["name","Ada L"],["msg","a&b"],["msg","c"]]"#];
    mirrors(&answer, &parts, false)
}

fn json_body(target: &Target) -> Outcome {
    let fields = [("Content-Type", "application/json")];
    let body = br#"{"n": [1, 2], "ok": true, "none": null}"#;
    let answer = exchange(target, &mirror_request("POST", &fields, body))?;
    let parts = [r#""json":{"n":[1,2],"ok":true,"none":null}"#];
    mirrors(&answer, &parts, false)
}

fn bad_json(target: &Target) -> Outcome {
    let fields = [("Content-Type", "application/json")];
    let answer = exchange(
        target,
        &mirror_request("PUT", &fields, b"{\"a\": 1,\n \"b\": }"),
    )?;
    answer.status(400)?;
    answer.body_contains("line 2")
}

fn chunked(target: &Target) -> Outcome {
    let head = "POST /debug/request HTTP/1.1\r\nHost: checker\r\nTransfer-Encoding: chunked\r\n\
                Connection: close\r\n\r\n";
    let bytes = [head.as_bytes(), b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"].concat();
    let answer = exchange(target, &bytes)?;
    mirrors(
        &answer,
        &[r#""body":"hello world""#, r#""body_length":11"#],
        false,
    )
}

fn expect_continue(target: &Target) -> Outcome {
    let body = vec![b'x'; 100_000];
    let fields = [("Expect", "100-continue")];
    let head = mirror_request("POST", &fields, b"");
    let head = String::from_utf8_lossy(&head).replace(
        "Content-Length: 0",
        &format!("Content-Length: {}", body.len()),
    );
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    wire.send(head.as_bytes())?;
    // The client waits for the go-ahead before it sends the body.
    let interim = b"HTTP/1.1 100 Continue\r\n\r\n";
    let got = wire.exactly(interim.len()).map_err(|f| {
        f.with_expected("HTTP/1.1 100 Continue\\r\\n\\r\\n before the body is sent")
    })?;
    if got != interim {
        return Err(crate::outcome::Failure::new(
            "the answer to the head was not 100 Continue: a client that asks to be told waits \
             for it before it sends the body",
        )
        .with_sent(wire.sent())
        .with_got(got)
        .expecting_bytes(0, interim));
    }
    wire.send(&body)?;
    let response = wire.response(false)?;
    let answer = Exchange {
        sent: wire.sent().to_vec(),
        response,
    };
    mirrors(&answer, &[r#""body_length":100000"#], false)
}

fn garbage_gets_400(target: &Target) -> Outcome {
    for input in [
        &b"hello\r\n\r\n"[..],
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    ] {
        let answer = exchange_refused(target, input)?;
        answer.status(400)?;
        answer.header_starts("Content-Type", "text/plain")?;
        if answer.response.body().iter().all(u8::is_ascii_whitespace) {
            return Err(answer
                .fail("the 400 does not say what is wrong: its body is empty")
                .with_caret(answer.response.head_len));
        }
    }
    Ok(())
}

fn bare_lf(target: &Target) -> Outcome {
    let answer = exchange_refused(target, b"GET / HTTP/1.1\nHost: bare-lf\n\n").map_err(|f| {
        f.explained(
            "(The request's lines end in \\n alone, as `nc` sends them: refuse it with 400 \
             rather than wait for a \\r\\n\\r\\n that never comes.)",
        )
    })?;
    answer.status(400)
}

fn smuggling(target: &Target) -> Outcome {
    let cases = [
        "Content-Length: 5\r\nTransfer-Encoding: chunked",
        "Content-Length: 5\r\nContent-Length: 6",
        "Content-Length: +5",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
        "Content-Length : 5",
    ];
    for fields in cases {
        let bytes =
            format!("POST {MIRROR_PATH} HTTP/1.1\r\nHost: checker\r\n{fields}\r\n\r\n0\r\n\r\n");
        exchange_refused(target, bytes.as_bytes())?.status(400)?;
    }
    Ok(())
}

fn too_large(target: &Target) -> Outcome {
    let bytes = format!(
        "POST {MIRROR_PATH} HTTP/1.1\r\nHost: checker\r\nContent-Length: 1000000000\r\n\r\n"
    );
    let answer = exchange_refused(target, bytes.as_bytes()).map_err(|f| {
        f.explained(
            "(Content-Length says 1 GB: a server refuses a body over its limit with 413 as soon \
             as it reads the head, without reading or waiting for the body.)",
        )
    })?;
    answer.status(413)
}

#[cfg(test)]
mod tests {
    use super::{compact_json, nearest};

    #[test]
    fn spaces_go_but_not_inside_strings() {
        let text = "{\"a\": [1, 2],\n \"b\": \"x y \\\" z\"}";
        let (compact, origin) = compact_json(text);
        assert_eq!(compact, r#"{"a":[1,2],"b":"x y \" z"}"#);
        assert_eq!(origin.len(), compact.len());
        // The `2` of the compact text is where it was in the spaced one.
        assert_eq!(origin[compact.find('2').unwrap()], text.find('2').unwrap());
    }

    #[test]
    fn finds_where_the_json_comes_closest() {
        assert_eq!(nearest(r#"{"body":"","n":1}"#, r#""body":"hello""#), (1, 8));
        assert_eq!(nearest("{}", "x"), (0, 0));
    }
}
