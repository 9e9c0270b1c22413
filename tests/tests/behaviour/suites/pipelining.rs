//! Pipelining, kept by every server that keeps connections open (chapter 5's connection with keep-alive on, and chapter 6 on): a client may send
//! its next requests before the answers to the first ones arrive, and the server answers them all,
//! in the order they came (RFC 9112 §9.3.2). It only works if the server finds where each request
//! ends, by its `Content-Length` or its chunks, and the client where each response ends: a `HEAD`
//! answer carries the `GET`'s `Content-Length` and no body, and one byte too many or too few throws
//! every later message off.
//!
//! Chapters 3 and 4 close after every response on purpose and do not run this suite (see
//! `changes`). The cases write every request in one `write_all`, then read the answers one by one,
//! each by its framing.

use std::net::SocketAddr;

use tests::raw::{RawResponse, ResponseReader};

use super::Case;
use super::http_basics::well_formed;
use super::keep_alive::{assert_hello, assert_mirrors, get, says_close};
use super::mirror::MIRROR_PATH;

pub const CASES: &[Case] = &[
    (
        "ten requests in one write are answered, in order",
        ten_in_one_write,
    ),
    (
        "a HEAD in a pipeline has the GET's Content-Length and no body",
        head_in_a_pipeline,
    ),
    (
        "a body that looks like a request is answered as a body",
        body_like_a_request,
    ),
];

/// What the answer to one request of a pipeline must be.
enum Answer {
    /// `Hello, World!`, to `GET /hello`.
    Hello,
    /// The head of the `Hello, World!` answer, to `HEAD /hello`: no body.
    HelloHead,
    /// The mirror of a `GET` of this target.
    Mirror(String),
    /// This body back, from `POST /echo`.
    Echo(&'static [u8]),
}

/// `POST /echo` with `body`, framed by `Content-Length`.
fn post_echo(body: &[u8]) -> Vec<u8> {
    let head = format!(
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body].concat()
}

fn head_hello() -> Vec<u8> {
    b"HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n".to_vec()
}

fn mirror_of(n: usize) -> (Vec<u8>, Answer) {
    let target = format!("{MIRROR_PATH}?request={n}");
    (get(&target, ""), Answer::Mirror(target))
}

/// Writes every request at once, then reads and checks each answer in turn. The last request
/// asks `Connection: close`, so after its answer nothing more may come, and the server closes.
fn pipeline(addr: SocketAddr, exchanges: Vec<(Vec<u8>, Answer)>) {
    let requests: Vec<u8> = exchanges.iter().flat_map(|(r, _)| r.clone()).collect();
    let mut connection = ResponseReader::connect(addr);
    connection.send(&requests);
    let count = exchanges.len();
    let mut hello_length = None;
    for (i, (request, answer)) in exchanges.iter().enumerate() {
        let line = String::from_utf8_lossy(request);
        let line = line.lines().next().unwrap_or_default();
        let what = format!("answer {} of {count}, to {line}", i + 1);
        let to_head = matches!(answer, Answer::HelloHead);
        let bytes = connection.next_response_bytes(to_head);
        let response = if to_head {
            RawResponse::parse(&bytes)
        } else {
            well_formed(&bytes)
        };
        if i + 1 < count {
            assert!(!says_close(&response), "{what}: {:?}", response.headers);
        }
        match answer {
            Answer::Hello => {
                assert_hello(&what, &response, false);
                hello_length = response.header("Content-Length").map(String::from);
            }
            Answer::HelloHead => {
                assert_hello(&what, &response, true);
                let length = response.header("Content-Length").map(String::from);
                assert_eq!(length, hello_length, "{what}: the GET's Content-Length");
            }
            Answer::Mirror(target) => assert_mirrors(&what, &response, "GET", target),
            Answer::Echo(body) => {
                assert_eq!(response.status, 200, "{what}: {}", response.status_line);
                assert_eq!(response.text(), String::from_utf8_lossy(body), "{what}");
            }
        }
    }
    let rest = connection.rest_until_close();
    assert!(
        rest.is_empty(),
        "after {count} answers to {count} requests came {:?}",
        String::from_utf8_lossy(&rest)
    );
}

fn ten_in_one_write(addr: SocketAddr) {
    let chunked = b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
                    7\r\nchunked\r\n6\r\n seven\r\n0\r\n\r\n";
    let last_target = format!("{MIRROR_PATH}?request=10");
    pipeline(
        addr,
        vec![
            (get("/hello", ""), Answer::Hello),
            mirror_of(2),
            (head_hello(), Answer::HelloHead),
            (get("/hello", ""), Answer::Hello),
            (post_echo(b"body five"), Answer::Echo(b"body five")),
            mirror_of(6),
            (chunked.to_vec(), Answer::Echo(b"chunked seven")),
            (get("/hello", ""), Answer::Hello),
            mirror_of(9),
            (
                get(&last_target, "Connection: close\r\n"),
                Answer::Mirror(last_target),
            ),
        ],
    );
}

fn head_in_a_pipeline(addr: SocketAddr) {
    // A server that sent a body to HEAD would have the next answer start inside `Hello, World!`.
    pipeline(
        addr,
        vec![
            (get("/hello", ""), Answer::Hello),
            (head_hello(), Answer::HelloHead),
            (head_hello(), Answer::HelloHead),
            (get("/hello", "Connection: close\r\n"), Answer::Hello),
        ],
    );
}

fn body_like_a_request(addr: SocketAddr) {
    // The body is a whole request: a server that lost track of the body's length would answer it.
    const INNER: &[u8] = b"GET /debug/request?smuggled=1 HTTP/1.1\r\nHost: a\r\n\r\n";
    let after = format!("{MIRROR_PATH}?after=1");
    pipeline(
        addr,
        vec![
            (post_echo(INNER), Answer::Echo(INNER)),
            (get(&after, "Connection: close\r\n"), Answer::Mirror(after)),
        ],
    );
}
