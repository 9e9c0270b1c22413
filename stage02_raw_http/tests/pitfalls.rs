//! The mistakes chapter 2 warns about, each shown failing against a real client next to the
//! chapter's way succeeding.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage02_raw_http::answer::{BODY, Pitfall, hello_response};
use stage02_raw_http::server::Server;
use tests::binary::RunningBinary;
use tests::raw::{RawResponse, connect, exchange, read_to_close};

const BIN: &str = env!("CARGO_BIN_EXE_stage02_raw_http");

/// The naive server, as tutorials write it: one read into a 1024-byte buffer is taken as the
/// request, answered, and the connection closed. It serves one client, and sends back what it
/// took as the request (what it would print) as soon as it has read it.
fn naive_server() -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (took, seen) = mpsc::channel();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buffer = [0u8; 1024];
        let n = stream.read(&mut buffer).unwrap();
        took.send(buffer[..n].to_vec()).unwrap();
        stream.write_all(hello_response().as_bytes()).unwrap();
    });
    (addr, seen)
}

/// The chapter's server, the binary a reader runs.
fn chapter_server() -> RunningBinary {
    RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"])
}

/// What the chapter's server printed for the request it just answered. We read up to the log of
/// a request sent after it, so that a head printed cut short cannot leave the test waiting.
fn shown(server: &mut RunningBinary) -> String {
    exchange(server.addr, b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    let lines = server.read_stdout_until(|line| line.starts_with("GET /next "));
    lines.join("\n")
}

#[test]
fn one_read_misses_what_the_client_sends_next() {
    let first = "GET /two-parts HTTP/1.1\r\nHost: a\r\n";
    let rest = "Accept: */*\r\n\r\n";

    // The naive server's one read comes after the first part and before the rest: on a real
    // network that can happen any time; here we make sure of it.
    let (addr, seen) = naive_server();
    let mut client = connect(addr);
    client.write_all(first.as_bytes()).unwrap();
    let took = String::from_utf8(seen.recv().unwrap()).unwrap();
    let _ = client.write_all(rest.as_bytes()); // too late, whether or not the naive server is there
    let answer = RawResponse::parse(&read_to_close(&mut client));
    assert_eq!(answer.status, 200, "it answers all the same");
    assert!(!took.contains("Accept"), "the naive server took {took:?}");

    // The chapter's server gives no sign of its reads, so the rest follows at once; it reads
    // until the empty line, so when the rest arrives does not change what it shows.
    let mut server = chapter_server();
    let mut client = connect(server.addr);
    client.write_all(first.as_bytes()).unwrap();
    client.write_all(rest.as_bytes()).unwrap();
    let answer = RawResponse::parse(&read_to_close(&mut client));
    assert_eq!(answer.status, 200);
    drop(client); // or the server lingers on it before it serves the next
    let shown = shown(&mut server);
    let whole = first.len() + rest.len();
    assert!(
        shown.contains(&format!("({whole} bytes of head)")),
        "{shown}"
    );
    assert!(shown.contains("Accept: */*\\r\\n"), "{shown}");
}

#[test]
fn one_read_cuts_a_long_head_and_the_close_becomes_a_reset() {
    // A browser with a few cookies: a head of over 3,000 bytes, and a header after the cookie.
    let request = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nCookie: {}\r\nAccept: */*\r\n\r\n",
        "c".repeat(3000)
    );

    let (addr, seen) = naive_server();
    let mut client = connect(addr);
    client.write_all(request.as_bytes()).unwrap();
    let took = String::from_utf8(seen.recv().unwrap()).unwrap();
    assert!(!took.contains("Accept"), "the naive server took {took:?}");
    // It closed with most of the request unread, and the kernel answers unread bytes with a
    // reset, not the end a client expects.
    let mut answer = Vec::new();
    let ended = client.read_to_end(&mut answer).map_err(|e| e.kind());
    assert_eq!(ended, Err(ErrorKind::ConnectionReset), "after {answer:?}");

    let mut server = chapter_server();
    let mut client = connect(server.addr);
    client.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let ended = client.read_to_end(&mut answer).map_err(|e| e.kind());
    assert!(ended.is_ok(), "the connection ended with {ended:?}");
    assert_eq!(RawResponse::parse(&answer).status, 200);
    drop(client); // or the server lingers on it before it serves the next
    let shown = shown(&mut server);
    let whole = request.len();
    assert!(
        shown.contains(&format!("({whole} bytes of head)")),
        "{shown}"
    );
    assert!(shown.contains("Accept: */*\\r\\n"), "{shown}");
}

/// The chapter's server on a thread of its own, stopped when the handle is dropped.
fn start(pitfall: Option<Pitfall>) -> RunningServer {
    Server::bind("127.0.0.1:0")
        .unwrap()
        .with_pitfall(pitfall)
        .spawn()
}

/// Sends a GET, reads until the body has arrived, then waits up to `wait` for the server to
/// close. Returns whether it did.
fn closed_after_body(addr: SocketAddr, wait: Duration) -> bool {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    while !received.ends_with(BODY.as_bytes()) {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before the body arrived");
        received.extend_from_slice(&chunk[..n]);
    }
    // Everything has arrived. A client that was told the length stops here; one that was not
    // must read on, and only the server closing tells it the body is over.
    stream.set_read_timeout(Some(wait)).unwrap();
    match stream.read(&mut chunk) {
        Ok(0) => true,
        Ok(n) => panic!("{n} unexpected bytes after the body"),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn without_content_length_the_client_cannot_tell_the_body_has_ended() {
    // The correct server closes right after the body: waiting up to 30 s only guards a hang.
    let correct = start(None);
    assert!(closed_after_body(correct.addr(), Duration::from_secs(30)));
    // The pitfall's connection is still open 300 ms after the whole body arrived (its server
    // holds it for 10 s), so a client that was not told the length is still waiting.
    assert!(!closed_after_body(
        start(Some(Pitfall::NoContentLength)).addr(),
        Duration::from_millis(300)
    ));
}

#[test]
fn the_bare_lf_pitfall_sends_no_carriage_returns() {
    let server = start(Some(Pitfall::BareLineFeeds));
    let addr = server.addr();
    let answer = tests::raw::exchange(addr, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\nContent-Type"));
    assert!(!answer.contains(&b'\r'));
}
