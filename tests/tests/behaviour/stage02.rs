//! Chapter 2's raw HTTP server, started in-process.

use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage02_raw_http::server::Server;
use tests::raw::exchange;

use crate::suites::{self, http_basics::well_formed};

fn start() -> RunningServer {
    Server::bind("127.0.0.1:0")
        .expect("bind a free port")
        .spawn()
}

#[test]
fn stage02_keeps_http_basics() {
    suites::run("stage02", suites::http_basics::CASES, start);
}

#[test]
fn stage02_says_hello() {
    suites::run("stage02", suites::hello::CASES, start);
}

#[test]
fn stage02_says_hello_to_every_path_and_method() {
    let server = start();
    let addr = server.addr();
    for request in [
        "GET /anything HTTP/1.1",
        "DELETE /x?y=z HTTP/1.1",
        "GET / HTTP/1.0",
    ] {
        let bytes = exchange(addr, format!("{request}\r\nHost: a\r\n\r\n").as_bytes());
        let response = well_formed(&bytes);
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"Hello, World!");
        assert_eq!(response.header("Connection"), Some("close"));
    }
}

#[test]
fn stage02_answers_408_to_a_client_that_never_finishes_its_head() {
    // A short limit, set through the library, so the test does not wait ten seconds. The client
    // sends `\n` line ends, the classic `nc` mistake: the head never ends as far as HTTP goes.
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_limits(8 * 1024, Duration::from_millis(200))
        .spawn();
    let addr = server.addr();
    let answer = exchange(addr, b"GET / HTTP/1.1\nHost: a\n\n");
    assert_eq!(well_formed(&answer).status, 408);
    let answer = exchange(addr, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(well_formed(&answer).status, 200);
}
