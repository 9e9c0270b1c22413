//! Chapter 3, the parser and its mirror: `/debug/request` answers with what was parsed, as JSON,
//! and what is not HTTP, or is framed to smuggle, or is too large, is refused with the status that
//! says why. Every later chapter keeps the mirror at `/debug/request`.
//!
//! The mirror's JSON is compared as values, not text, so `json.dumps`'s `"method": "GET"` and
//! the book's `"method":"GET"` are the same answer; keys may come in any order, and a string may
//! escape what it likes (`\u0026`, `\/`).

use crate::check::{Check, FROM_3, Hint, Target};
use crate::http::{Exchange, exchange, exchange_refused, request};
use crate::json;
use crate::outcome::{Failure, Outcome};
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

/// Where byte `at` of the body is in what came back, if the body came as it was sent (not
/// chunked): where a caret can point.
fn in_body(answer: &Exchange, at: usize) -> Option<usize> {
    (!answer.response.is_chunked()).then_some(answer.response.head_len + at)
}

/// The mirror's answer: a `200` in JSON, read as a JSON document.
fn mirror_document(answer: &Exchange) -> Result<json::Document, Failure> {
    answer.status(200)?;
    answer.header_starts("Content-Type", "application/json")?;
    json::parse(&answer.response.text()).map_err(|(what, at)| {
        let failure = answer.fail(format!("the mirror's answer is not JSON: {what}"));
        match in_body(answer, at) {
            Some(at) => failure.with_caret(at),
            None => failure,
        }
    })
}

/// The answer is the mirror's JSON, and each of its members `expected` names has the value
/// given (as JSON text). Values are compared, not text: spaces, the order of an object's keys
/// and escapes such as `\u0026` do not matter; the order of an array's items does.
fn mirrors(answer: &Exchange, expected: &[(&str, &str)]) -> Outcome {
    let document = mirror_document(answer)?;
    for (key, wanted) in expected {
        let wanted = json::parse(wanted)
            .unwrap_or_else(|e| panic!("the checker's own JSON {wanted}: {e:?}"))
            .value;
        let problem = match document.value.get(key) {
            Some(got) if *got == wanted => continue,
            Some(got) => format!(
                "the mirror's \"{key}\" is {got}, where {wanted} was expected (values are \
                 compared, not their text: spaces, the order of keys and escapes do not matter)"
            ),
            None => format!("the mirror's JSON has no \"{key}\""),
        };
        let at = document
            .start_of(key)
            .and_then(|at| in_body(answer, at))
            .unwrap_or(answer.response.head_len);
        return Err(answer
            .fail(problem)
            .with_expected(format!("\"{key}\": {wanted}"))
            .with_caret(at));
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
    let target_value = format!("{path:?}");
    let expected = [
        ("method", r#""GET""#),
        ("target", target_value.as_str()),
        (
            "query",
            r#"[["q","rust http"],["tag","a"],["tag","b"],["sum","1+1"]]"#,
        ),
    ];
    mirrors(&answer, &expected)
}

fn headers(target: &Target) -> Outcome {
    let fields = [
        ("X-Tag", "first"),
        ("X-Other", "  padded  "),
        ("X-Tag", "second"),
    ];
    let answer = exchange(target, &mirror_request("GET", &fields, b""))?;
    let document = mirror_document(&answer)?;
    let wanted = [
        ("x-tag", "first"),
        ("x-other", "padded"),
        ("x-tag", "second"),
    ];
    // The fields the checker added, in the order sent, names in any case.
    let got: Option<Vec<(String, String)>> = match document.value.get("headers") {
        Some(json::Value::Array(pairs)) => pairs
            .iter()
            .map(|pair| match pair {
                json::Value::Array(two) => match two.as_slice() {
                    [json::Value::String(name), json::Value::String(value)] => {
                        Some((name.to_ascii_lowercase(), value.clone()))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|pairs| {
                pairs
                    .into_iter()
                    .filter(|(name, _)| name.starts_with("x-"))
                    .collect()
            }),
        _ => None,
    };
    let same = got.as_ref().is_some_and(|got| {
        got.len() == wanted.len()
            && got
                .iter()
                .zip(wanted)
                .all(|((n, v), (wn, wv))| n == wn && v == wv)
    });
    if same {
        return Ok(());
    }
    let shown = match &got {
        Some(got) => format!("{got:?}"),
        None => "no list of [name, value] pairs".to_string(),
    };
    let at = document
        .start_of("headers")
        .and_then(|at| in_body(&answer, at))
        .unwrap_or(answer.response.head_len);
    Err(answer
        .fail(format!(
            "the mirror's \"headers\" has, of the X- fields sent, {shown}: they should be \
             there in the order sent, repeats included (names are compared ignoring case, and \
             values trimmed of the spaces around them)"
        ))
        .with_expected(
            r#""headers": […, ["x-tag","first"], ["x-other","padded"], ["x-tag","second"], …]"#,
        )
        .with_caret(at))
}

fn form(target: &Target) -> Outcome {
    let fields = [("Content-Type", "application/x-www-form-urlencoded")];
    let body = b"name=Ada+L&msg=a%26b&msg=c";
    let answer = exchange(target, &mirror_request("POST", &fields, body))?;
    mirrors(
        &answer,
        &[("form", r#"[["name","Ada L"],["msg","a&b"],["msg","c"]]"#)],
    )
}

fn json_body(target: &Target) -> Outcome {
    let fields = [("Content-Type", "application/json")];
    let body = br#"{"n": [1, 2], "ok": true, "none": null}"#;
    let answer = exchange(target, &mirror_request("POST", &fields, body))?;
    mirrors(&answer, &[("json", r#"{"n":[1,2],"ok":true,"none":null}"#)])
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
        &[("body", r#""hello world""#), ("body_length", "11")],
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
    // The client waits for the go-ahead before it sends the body: any `HTTP/1.x 100` head.
    let interim = wire.any_response(false).map_err(|f| {
        f.with_expected("HTTP/1.1 100 Continue\\r\\n\\r\\n before the body is sent")
    })?;
    if interim.status != 100 {
        let answer = Exchange {
            sent: wire.sent().to_vec(),
            response: interim,
        };
        return Err(answer
            .fail(
                "the answer to the head was not 100 Continue: a client that asks to be told \
                 waits for it before it sends the body",
            )
            .expecting_bytes(9, b"100")
            .with_expected("HTTP/1.1 100 Continue\\r\\n\\r\\n"));
    }
    wire.send(&body)?;
    let response = wire.response(false)?;
    let answer = Exchange {
        sent: wire.sent().to_vec(),
        response,
    };
    mirrors(&answer, &[("body_length", "100000")])
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
    let explained = |f: Failure| {
        f.explained(
            "(The request's lines end in \\n alone, as `nc` sends them. RFC 9112 §2.2 lets a \
             server accept them; the book requires 400, rather than a wait for a \\r\\n\\r\\n \
             that never comes.)",
        )
    };
    let answer =
        exchange_refused(target, b"GET / HTTP/1.1\nHost: bare-lf\n\n").map_err(explained)?;
    answer.status(400).map_err(explained)
}

fn smuggling(target: &Target) -> Outcome {
    // Each with why it gets 400: the RFC's rule, or the book's where the RFC allows more.
    let cases = [
        (
            "Content-Length: 5\r\nTransfer-Encoding: chunked",
            "RFC 9112 §6.1 lets a server go by Transfer-Encoding and close after; the book \
             requires 400 for both at once, the framing request smuggling uses",
        ),
        (
            "Content-Length: 5\r\nContent-Length: 6",
            "two Content-Length values that disagree are an error (RFC 9112 §6.3)",
        ),
        (
            "Content-Length: +5",
            "Content-Length is digits only (RFC 9110 §8.6)",
        ),
        (
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
            "chunked must not be applied twice (RFC 9112 §7)",
        ),
        (
            "Content-Length : 5",
            "a space before the colon must be refused with 400 (RFC 9112 §5.1)",
        ),
    ];
    for (fields, why) in cases {
        let bytes =
            format!("POST {MIRROR_PATH} HTTP/1.1\r\nHost: checker\r\n{fields}\r\n\r\n0\r\n\r\n");
        let why = format!("({why}.)");
        exchange_refused(target, bytes.as_bytes())
            .and_then(|answer| answer.status(400))
            .map_err(|f| f.explained(&why))?;
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
    use super::mirrors;
    use crate::http::Exchange;
    use crate::response::Response;

    fn answer(body: &str) -> Exchange {
        let bytes = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        Exchange {
            sent: Vec::new(),
            response: Response::parse(bytes.into_bytes()).expect("a response"),
        }
    }

    #[test]
    fn the_mirror_is_compared_as_values() {
        let expected = [("form", r#"[["name","Ada L"],["msg","a&b"]]"#), ("n", "1")];
        // Keys sorted, spaces, and `&` and `/` escaped as some JSON writers do.
        let sorted = r#"{"form": [["name", "Ada L"], ["msg", "a\u0026b"]], "n": 1.0, "z\/": null}"#;
        assert_eq!(mirrors(&answer(sorted), &expected), Ok(()));
        // An array's order is its meaning.
        let swapped = r#"{"n":1,"form":[["msg","a&b"],["name","Ada L"]]}"#;
        let failure = mirrors(&answer(swapped), &expected).expect_err("swapped");
        assert!(
            failure.problem.contains(r#"the mirror's "form" is"#),
            "{}",
            failure.problem
        );
        // The caret is under the value that is wrong.
        let at = failure.caret.expect("a caret");
        assert_eq!(&answer(swapped).response.bytes[at..at + 2], b"[[");
    }
}
