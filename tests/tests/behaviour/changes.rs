//! Every behaviour a later stage changes on purpose, in one place. BOOK.md explains each.
//!
//! Each entry is a case like the suites' ones, run against the stage that made the change, so the
//! list cannot drift from what the servers do: it says what an earlier chapter did, and checks
//! what the later one does instead.

use std::net::SocketAddr;

use tests::raw::exchange;

use crate::suites::Case;
use crate::suites::http_basics::well_formed;
use crate::suites::mirror::MIRROR_PATH;

/// Chapter 3: every request, on every path, is answered with the mirror of what was parsed.
///
/// Chapter 2 said `Hello, World!` to every path; chapter 3 has no routes yet, so it mirrors
/// instead, and the `hello` suite does not run against it. Chapter 4 brings `Hello, World!` back
/// at `GET /hello`.
pub const STAGE03: &[Case] = &[(
    "every path mirrors the request instead of saying Hello, World!",
    every_path_mirrors,
)];

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

/// Chapter 4: the mirror moves to `/debug/request`, and `/hello` gets its own route.
///
/// - Chapter 3 mirrored every request on every path; from chapter 4 only `/debug/request` does,
///   and any other unknown path is a 404 (chapter 3's mirror suite runs at `/debug/request`).
/// - `Hello, World!`, which chapter 2 said to every path, is at `GET /hello` (the `hello` suite).
pub const STAGE04: &[Case] = &[
    (
        "only /debug/request mirrors; other paths are 404",
        only_debug_request_mirrors,
    ),
    (
        "Hello, World! lives at /hello, not at every path",
        hello_only_at_hello,
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
