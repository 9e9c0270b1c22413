//! The promise of every server that keeps connections open (chapter 5's connection with keep-alive on, and chapter 6 on): one connection carries
//! request after request, each answered in turn; the client ends it with `Connection: close`;
//! HTTP/1.0 keeps it only when it asks `Connection: keep-alive`; and a connection left idle is
//! closed by the server, so an idle client cannot hold the server's resources for ever.
//!
//! Chapters 3 and 4 close after every response on purpose and do not run this suite (see
//! `changes`). Every case talks to `/hello` and to the mirror at [`MIRROR_PATH`], which every such
//! server has, and reads each response by its framing, never by waiting for the close.

use std::net::SocketAddr;
use std::time::Duration;

use stage03_parser::json::{self, Value};
use tests::raw::{RawResponse, ResponseReader};

use super::Case;
use super::http_basics::well_formed;
use super::mirror::MIRROR_PATH;

pub const CASES: &[Case] = &[
    (
        "several requests on one connection are each answered",
        several_requests,
    ),
    (
        "Connection: close is answered, then the server closes",
        client_asks_close,
    ),
    (
        "HTTP/1.0 is closed after its answer when it does not ask keep-alive",
        http10_closes,
    ),
    (
        "HTTP/1.0 with Connection: keep-alive is kept open, and told so",
        http10_keep_alive,
    ),
    ("an idle connection is closed by the server", idle_is_closed),
];

/// How long a test waits for a server to close an idle connection. Only a guard against a hung
/// test: a server passes whatever its idle time, as long as it is under this.
pub const IDLE_GUARD: Duration = Duration::from_secs(60);

/// `GET target` in HTTP/1.1, with `fields` (each ending in CRLF) after `Host`.
pub fn get(target: &str, fields: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: a\r\n{fields}\r\n").into_bytes()
}

/// The `Connection` options a response names, lower-cased.
fn connection_options(response: &RawResponse) -> Vec<String> {
    let value = response.header("Connection").unwrap_or_default();
    value
        .split(',')
        .map(|option| option.trim().to_ascii_lowercase())
        .filter(|option| !option.is_empty())
        .collect()
}

/// Whether the response says the server closes the connection after it.
pub fn says_close(response: &RawResponse) -> bool {
    connection_options(response).iter().any(|o| o == "close")
}

/// The answer to `GET /hello` (or, with `to_head`, to `HEAD /hello`): `Hello, World!` in plain text.
pub fn assert_hello(what: &str, response: &RawResponse, to_head: bool) {
    assert_eq!(response.status, 200, "{what}: {}", response.status_line);
    let content_type = response.header("Content-Type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/plain"),
        "{what}: {content_type}"
    );
    let body: &[u8] = if to_head { b"" } else { b"Hello, World!" };
    assert_eq!(response.body, body, "{what}: the body");
}

/// The mirror's answer to `method target`: a `200` whose JSON names that very request, so an
/// answer meant for another request on the connection cannot pass for it.
pub fn assert_mirrors(what: &str, response: &RawResponse, method: &str, target: &str) {
    assert_eq!(response.status, 200, "{what}: {}", response.status_line);
    let seen = json::parse_bytes(&response.body)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", response.text()));
    assert_eq!(
        seen.get("method").and_then(Value::as_str),
        Some(method),
        "{what}"
    );
    assert_eq!(
        seen.get("target").and_then(Value::as_str),
        Some(target),
        "{what}"
    );
}

/// Asserts the server has closed the connection, without waiting for any timer: it sends one
/// more request, which a server that kept the connection open would answer (RFC 9112 §9.6: after
/// the response that closes, a server must not process further requests), then reads until the
/// close. Nothing may arrive. A failed write means the server closed already, which is the point.
pub fn assert_closed(what: &str, connection: &mut ResponseReader) {
    use std::io::Write;
    let _ = connection.stream().write_all(&get("/hello", ""));
    let rest = connection.rest_until_close();
    assert!(
        rest.is_empty(),
        "{what}: the connection stayed open and answered {:?}",
        String::from_utf8_lossy(&rest)
    );
}

/// One request on `connection` and the one response to it (not `HEAD`), checked well-formed.
fn ask(connection: &mut ResponseReader, request: &[u8]) -> RawResponse {
    connection.send(request);
    well_formed(&connection.next_response_bytes(false))
}

fn several_requests(addr: SocketAddr) {
    let mut connection = ResponseReader::connect(addr);
    for n in 1..=3 {
        let hello = ask(&mut connection, &get("/hello", ""));
        assert_hello(&format!("GET /hello, round {n}"), &hello, false);
        assert!(!says_close(&hello), "round {n}: {:?}", hello.headers);
        let target = format!("{MIRROR_PATH}?round={n}");
        let mirrored = ask(&mut connection, &get(&target, ""));
        assert_mirrors(&format!("GET {target}"), &mirrored, "GET", &target);
        assert!(!says_close(&mirrored), "round {n}: {:?}", mirrored.headers);
    }
}

fn client_asks_close(addr: SocketAddr) {
    let mut connection = ResponseReader::connect(addr);
    let first = ask(&mut connection, &get("/hello", ""));
    assert_hello("the first GET /hello", &first, false);
    assert!(!says_close(&first), "{:?}", first.headers);
    let last = ask(&mut connection, &get("/hello", "Connection: close\r\n"));
    assert_hello("GET /hello with Connection: close", &last, false);
    assert!(
        says_close(&last),
        "the last answer should say Connection: close: {:?}",
        last.headers
    );
    assert_closed("after Connection: close", &mut connection);
}

fn http10_closes(addr: SocketAddr) {
    let mut connection = ResponseReader::connect(addr);
    let response = ask(&mut connection, b"GET /hello HTTP/1.0\r\nHost: a\r\n\r\n");
    assert_hello("GET /hello HTTP/1.0", &response, false);
    let options = connection_options(&response);
    assert!(
        !options.iter().any(|o| o == "keep-alive"),
        "an answer after which the server closes must not say keep-alive: {options:?}"
    );
    assert_closed("after an HTTP/1.0 request", &mut connection);
}

fn http10_keep_alive(addr: SocketAddr) {
    // An HTTP/1.0 client assumes the connection closes unless the answer says keep-alive
    // (RFC 9112 Appendix C.2.2), so saying it is part of keeping it.
    let mut connection = ResponseReader::connect(addr);
    let first = ask(
        &mut connection,
        b"GET /hello HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
    );
    assert_hello("GET /hello HTTP/1.0, keep-alive", &first, false);
    assert_says_keep_alive("the first HTTP/1.0 answer", &first);
    let target = format!("{MIRROR_PATH}?version=1.0");
    let request = format!("GET {target} HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");
    let second = ask(&mut connection, request.as_bytes());
    assert_mirrors("the second HTTP/1.0 request", &second, "GET", &target);
    assert_says_keep_alive("the second HTTP/1.0 answer", &second);
    let last = ask(&mut connection, b"GET /hello HTTP/1.0\r\nHost: a\r\n\r\n");
    assert_hello(
        "the last HTTP/1.0 request, without keep-alive",
        &last,
        false,
    );
    assert_closed("after HTTP/1.0 without keep-alive", &mut connection);
}

fn assert_says_keep_alive(what: &str, response: &RawResponse) {
    let options = connection_options(response);
    assert!(
        options.iter().any(|o| o == "keep-alive"),
        "{what}: an HTTP/1.0 answer kept open must say keep-alive: {options:?}"
    );
}

fn idle_is_closed(addr: SocketAddr) {
    idle_is_closed_within(addr, IDLE_GUARD);
}

/// After an answer on a kept-open connection, the client sends nothing more: the server must
/// close by itself, within `guard`, and without a word (a `408` is for a request begun and not
/// finished, not for a connection at rest between requests).
pub fn idle_is_closed_within(addr: SocketAddr, guard: Duration) {
    let mut connection = ResponseReader::connect(addr);
    let response = ask(&mut connection, &get("/hello", ""));
    assert_hello("GET /hello", &response, false);
    assert!(!says_close(&response), "{:?}", response.headers);
    let rest = connection.rest_until_close_within(guard);
    assert!(
        rest.is_empty(),
        "the idle connection got {:?}",
        String::from_utf8_lossy(&rest)
    );
}
