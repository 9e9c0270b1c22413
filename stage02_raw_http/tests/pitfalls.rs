//! The mistakes chapter 2 warns about, shown failing next to the chapter's way.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use stage02_raw_http::answer::{BODY, Pitfall};
use stage02_raw_http::head::{DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_HEAD, read_head};
use stage02_raw_http::server::Server;

/// A request whose head is longer than one 1024-byte read: a browser with a few cookies.
fn long_request() -> Vec<u8> {
    format!(
        "GET / HTTP/1.1\r\nHost: a\r\nCookie: {}\r\n\r\n",
        "c".repeat(3000)
    )
    .into_bytes()
}

/// A connected pair of sockets: what the client writes, the server end reads.
fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server_end, _) = listener.accept().unwrap();
    (client, server_end)
}

#[test]
fn one_fixed_size_read_is_not_a_request() {
    let (mut client, mut server_end) = socket_pair();
    client.write_all(&long_request()).unwrap();

    // The naive version, as tutorials write it: one read into a 1024-byte buffer.
    let mut buffer = [0u8; 1024];
    let n = server_end.read(&mut buffer).unwrap();
    assert!(
        n <= 1024,
        "one read can never return more than the buffer holds"
    );
    assert!(!buffer[..n].ends_with(b"\r\n\r\n"), "the head was cut off");

    // The chapter's version keeps reading until the head is complete.
    let (mut client, mut server_end) = socket_pair();
    client.write_all(&long_request()).unwrap();
    let (bytes, end) = read_head(&mut server_end, DEFAULT_MAX_HEAD, DEFAULT_HEAD_TIMEOUT).unwrap();
    assert_eq!(&bytes[..end], &long_request()[..]);
}

fn start(pitfall: Option<Pitfall>) -> SocketAddr {
    let server = Server::bind("127.0.0.1:0").unwrap().with_pitfall(pitfall);
    let addr = server.local_addr();
    thread::spawn(move || server.run());
    addr
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
    assert!(closed_after_body(start(None), Duration::from_secs(30)));
    // The pitfall's connection is still open 300 ms after the whole body arrived (its server
    // holds it for 10 s), so a client that was not told the length is still waiting.
    assert!(!closed_after_body(
        start(Some(Pitfall::NoContentLength)),
        Duration::from_millis(300)
    ));
}

#[test]
fn the_bare_lf_pitfall_sends_no_carriage_returns() {
    let addr = start(Some(Pitfall::BareLineFeeds));
    let answer = tests::raw::exchange(addr, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\nContent-Type"));
    assert!(!answer.contains(&b'\r'));
}
