//! Every behaviour a later stage changes on purpose, in one place, and every suite a stage does not
//! run, with why. BOOK.md explains each.
//!
//! Each entry is a case like the suites' ones, run against the stage that made the change, so the
//! list cannot drift from what the servers do: it says what an earlier chapter did, and checks
//! what the later one does instead (or, for a suite not run, what the stage does instead of it).

use std::net::SocketAddr;

use stage03_parser::json::{self, Value};
use tests::raw::{ResponseReader, exchange};

use crate::suites::Case;
use crate::suites::http_basics::well_formed;
use crate::suites::mirror::MIRROR_PATH;

/// Chapter 3's changes, and the suites it does not run.
///
/// - Every request, on every path, is answered with the mirror of what was parsed. Chapter 2 said
///   `Hello, World!` to every path; chapter 3 has no routes yet, so it mirrors instead, and the
///   `hello` suite does not run against it. Chapter 4 brings `Hello, World!` back at `GET /hello`.
/// - What is not HTTP gets `400 Bad Request`, saying what is wrong. Chapter 2 read only until the
///   blank line, parsed nothing, and said `Hello, World!` to garbage too; the parser refuses it.
///   (The `http_basics` suite accepts exactly those two answers to garbage; the mirror suite holds
///   chapter 3 and every later chapter to the 400.)
/// - The connection closes after every response, whatever the client asks, as in chapter 2: see
///   [`closes_after_every_response`]. So the `keep_alive` and `pipelining` suites do not run
///   against it.
pub const STAGE03: &[Case] = &[
    (
        "every path mirrors the request instead of saying Hello, World!",
        every_path_mirrors,
    ),
    (
        "garbage gets 400 saying what is wrong, not Hello, World!",
        garbage_is_refused,
    ),
    (
        "closes after every response: the keep-alive and pipelining suites are not kept \
         (chapter 6 turns them on)",
        closes_after_every_response,
    ),
];

fn every_path_mirrors(addr: SocketAddr) {
    for path in ["/", "/hello", MIRROR_PATH, "/anything/else?x=1"] {
        let response = reqwest::blocking::get(format!("http://{addr}{path}")).expect("an answer");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let body = response.text().expect("a body");
        let seen = stage03_parser::json::parse(&body).expect("JSON");
        let target = seen.get("target").and_then(|t| t.as_str());
        assert_eq!(target, Some(path));
    }
}

fn garbage_is_refused(addr: SocketAddr) {
    // The inputs `http_basics` sends, each of which chapter 2 answered with `Hello, World!`.
    let inputs: [&[u8]; 3] = [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP at all\r\n\r\n",
        b"hello\r\n\r\n",
        b"GET\r\n\r\n",
    ];
    for input in inputs {
        let what = String::from_utf8_lossy(input);
        let response = well_formed(&exchange(addr, input));
        assert_eq!(response.status, 400, "{what:?}: {}", response.status_line);
        let content_type = response.header("Content-Type").unwrap_or_default();
        assert!(
            content_type.starts_with("text/plain"),
            "{what:?}: {content_type}"
        );
        let reason = response.text();
        assert!(
            !reason.trim().is_empty(),
            "{what:?}: the answer should say what is wrong"
        );
    }
}

/// Chapters 3 and 4 close the connection after every response, on purpose.
///
/// Their server serves one connection at a time, so a connection kept open for a browser that has
/// nothing more to ask would keep every other client waiting. Every response says
/// `Connection: close`, and anything the client sent after its first request is never answered:
/// not a second HTTP/1.1 request (which a keep-alive server would answer, and pipelining
/// requires), nor an HTTP/1.0 one that asked `Connection: keep-alive`. That is why the `keep_alive`
/// and `pipelining` suites do not run against them; chapter 6, with many connections served at
/// once, keeps connections open and runs both.
fn closes_after_every_response(addr: SocketAddr) {
    let first = format!("{MIRROR_PATH}?request=1");
    let two_requests = format!(
        "GET {first} HTTP/1.1\r\nHost: a\r\n\r\nGET {MIRROR_PATH}?request=2 HTTP/1.1\r\nHost: a\r\n\r\n"
    );
    let http10 = format!("GET {MIRROR_PATH} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    for (what, request, target) in [
        (
            "two HTTP/1.1 requests in one write",
            two_requests,
            first.as_str(),
        ),
        ("HTTP/1.0 asking keep-alive", http10, MIRROR_PATH),
    ] {
        let mut connection = ResponseReader::connect(addr);
        connection.send(request.as_bytes());
        let response = well_formed(&connection.next_response_bytes(false));
        assert_eq!(response.status, 200, "{what}: {}", response.status_line);
        let seen = json::parse_bytes(&response.body).expect("the mirror's JSON");
        let answered = seen.get("target").and_then(Value::as_str);
        assert_eq!(
            answered,
            Some(target),
            "{what}: the first request is answered"
        );
        assert_eq!(response.header("Connection"), Some("close"), "{what}");
        let rest = connection.rest_until_close();
        assert!(
            rest.is_empty(),
            "{what}: after the first answer came {:?}",
            String::from_utf8_lossy(&rest)
        );
    }
}

/// Chapter 4: the mirror moves to `/debug/request`, and `/hello` gets its own route.
///
/// - Chapter 3 mirrored every request on every path; from chapter 4 only `/debug/request` does,
///   and any other unknown path is a 404 (chapter 3's mirror suite runs at `/debug/request`).
/// - `Hello, World!`, which chapter 2 said to every path, is at `GET /hello` (the `hello` suite).
/// - Not a change but a suite not run: chapter 4 answers through chapter 3's server, which closes
///   after every response ([`closes_after_every_response`]), so the `keep_alive` and
///   `pipelining` suites do not run against it either.
pub const STAGE04: &[Case] = &[
    (
        "only /debug/request mirrors; other paths are 404",
        only_debug_request_mirrors,
    ),
    (
        "Hello, World! lives at /hello, not at every path",
        hello_only_at_hello,
    ),
    (
        "closes after every response: the keep-alive and pipelining suites are not kept \
         (chapter 6 turns them on)",
        closes_after_every_response,
    ),
];

fn status_of(addr: SocketAddr, request_line: &str) -> (u16, String) {
    let bytes = exchange(
        addr,
        format!("{request_line}\r\nHost: a\r\n\r\n").as_bytes(),
    );
    let response = well_formed(&bytes);
    let content_type = response
        .header("Content-Type")
        .unwrap_or_default()
        .to_string();
    (response.status, content_type)
}

fn only_debug_request_mirrors(addr: SocketAddr) {
    let (status, content_type) = status_of(addr, "GET /debug/request?a=1 HTTP/1.1");
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    for request_line in [
        "GET /anything HTTP/1.1",
        "POST /x?y=z HTTP/1.1",
        "GET /mirror HTTP/1.1",
    ] {
        let (status, content_type) = status_of(addr, request_line);
        assert_eq!(status, 404, "{request_line}");
        assert!(
            content_type.starts_with("text/html"),
            "{request_line}: {content_type}"
        );
    }
}

fn hello_only_at_hello(addr: SocketAddr) {
    let bytes = exchange(addr, b"GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(well_formed(&bytes).body, b"Hello, World!");
    let bytes = exchange(addr, b"GET /goodbye HTTP/1.1\r\nHost: a\r\n\r\n");
    let response = well_formed(&bytes);
    assert_eq!(response.status, 404);
    assert_ne!(response.body, b"Hello, World!");
}

/// Chapter 6: keep-alive is on, as its binary runs it.
///
/// - Chapter 4 kept its routes and its `Hello, World!` at `/hello`; so does chapter 6 (the same
///   application, chapter 5's demo site).
/// - Chapters 3 to 5 closed after every response ([`closes_after_every_response`]); chapter 6's
///   server keeps the connection for the next request, so the `keep_alive` and `pipelining`
///   suites run against it as its binary runs it.
pub const STAGE06: &[Case] = &[
    (
        "only /debug/request mirrors; other paths are 404",
        only_debug_request_mirrors,
    ),
    (
        "Hello, World! lives at /hello, not at every path",
        hello_only_at_hello,
    ),
    (
        "keeps the connection open after a response (chapters 3 to 5 closed it)",
        keeps_the_connection_open,
    ),
];

fn keeps_the_connection_open(addr: SocketAddr) {
    let mut connection = ResponseReader::connect(addr);
    for n in 1..=3 {
        connection
            .send(format!("GET {MIRROR_PATH}?request={n} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes());
        let response = well_formed(&connection.next_response_bytes(false));
        assert_eq!(
            response.status, 200,
            "request {n}: {}",
            response.status_line
        );
        assert_ne!(
            response.header("Connection"),
            Some("close"),
            "request {n} on one connection"
        );
    }
}
