//! The chapter's server as a client meets it: deadlines, a handler's refused header, stopping.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::{Server, Timeouts};
use tests::raw::{RawResponse, connect, exchange};

/// Deadlines so long that a test would hang on them: only the one under test is short.
const FOREVER: Duration = Duration::from_secs(3600);

fn hello(_: &stage03_parser::Request) -> Response {
    Response::text(Status::OK, "Hello, World!")
}

/// A hello server whose only short deadline is the first byte's.
fn hello_with_first_byte_deadline(first_byte: Duration) -> RunningServer {
    let timeouts = Timeouts {
        first_byte,
        request: FOREVER,
        response: FOREVER,
    };
    let server = Server::bind("127.0.0.1:0").unwrap();
    server.with_timeouts(timeouts).spawn(hello).unwrap()
}

#[test]
fn a_connection_that_sends_nothing_holds_the_server_only_for_the_first_byte_deadline() {
    let server = hello_with_first_byte_deadline(Duration::from_millis(100));
    // A browser's preconnect: connected, silent. The server is one-at-a-time and takes it first.
    let mut silent = connect(server.addr());
    // Without a first-byte deadline this client would wait for the hour-long request deadline;
    // `exchange` gives up (failing the test) after its 30 s guard.
    let answer = RawResponse::parse(&exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    ));
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (200, "Hello, World!")
    );
    // The silent one was closed without an answer: it never asked anything.
    let mut rest = Vec::new();
    silent.read_to_end(&mut rest).expect("closed, not reset");
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
}

#[test]
fn a_started_request_gets_the_whole_request_deadline() {
    let server = hello_with_first_byte_deadline(Duration::from_millis(50));
    let mut stream = connect(server.addr());
    stream.write_all(b"GET / HTT").unwrap();
    // A slow client: the first bytes came in time, the rest comes six first-byte deadlines later.
    thread::sleep(Duration::from_millis(300));
    stream.write_all(b"P/1.1\r\nHost: a\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert_eq!(RawResponse::parse(&answer).status, 200);
}

#[test]
fn a_header_the_builder_refuses_becomes_a_500_and_the_server_goes_on() {
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|request: &stage03_parser::Request| {
            // A handler that copies client text into a header, the classic response-splitting bug.
            let name = request.query().unwrap_or_default();
            let name = name.get("name").unwrap_or_default().to_string();
            Response::text(Status::OK, "hi").header("X-Name", name)
        })
        .unwrap();
    let attack = b"GET /?name=x%0D%0ASet-Cookie:%20stolen=1 HTTP/1.1\r\nHost: a\r\n\r\n";
    let answer = RawResponse::parse(&exchange(server.addr(), attack));
    assert_eq!(answer.status, 500);
    assert_eq!(answer.header("Set-Cookie"), None);
    assert_eq!(answer.header("Connection"), Some("close"));
    let fine = RawResponse::parse(&exchange(
        server.addr(),
        b"GET /?name=Ada HTTP/1.1\r\nHost: a\r\n\r\n",
    ));
    assert_eq!((fine.status, fine.header("X-Name")), (200, Some("Ada")));
}

#[test]
fn stopping_the_server_closes_its_listener() {
    let server = Server::bind("127.0.0.1:0").unwrap().spawn(hello).unwrap();
    let addr = server.addr();
    assert_eq!(
        RawResponse::parse(&exchange(addr, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")).status,
        200
    );
    server.stop();
    // The listening socket is closed: nobody accepts connections at that address any more.
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening on {addr}"
    );
}

#[test]
fn a_panicking_handler_is_a_500_and_the_next_client_is_served() {
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .spawn(|request: &stage03_parser::Request| {
            // The handler's bug: it trusts the query to decode.
            let query = request.query().unwrap();
            Response::text(Status::OK, query.get("q").unwrap_or("none").to_string())
        })
        .unwrap();
    let boom = exchange(server.addr(), b"GET /?q=100% HTTP/1.1\r\nHost: a\r\n\r\n");
    let boom = RawResponse::parse(&boom);
    assert_eq!(
        (boom.status, boom.header("Connection")),
        (500, Some("close"))
    );
    let fine = exchange(server.addr(), b"GET /?q=ok HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(RawResponse::parse(&fine).text(), "ok");
}
