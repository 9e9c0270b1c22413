//! The client against servers that are not ours: ones that ignore `Connection: close` and keep
//! the connection open, so only the response's own framing says where the body ends.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use stage02_raw_http::client::fetch;
use stage02_raw_http::head::read_head;

/// Serves one connection with `answer` and then holds it open until the test is over.
fn keep_alive_server(answer: &'static [u8]) -> (SocketAddr, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (done, wait) = mpsc::channel::<()>();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        read_head(&mut stream, 8192, Duration::from_secs(30)).unwrap();
        stream.write_all(answer).unwrap();
        let _ = wait.recv(); // the connection stays open until the test drops `done`
    });
    (addr, done)
}

#[test]
fn content_length_ends_the_body_on_an_open_connection() {
    let (addr, _open) = keep_alive_server(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
    );
    let response = fetch(&format!("http://{addr}/"), None).unwrap();
    assert_eq!(response.status_line, "HTTP/1.1 200 OK");
    assert_eq!(response.body, b"hello");
}

#[test]
fn the_last_chunk_ends_the_body_on_an_open_connection() {
    let (addr, _open) = keep_alive_server(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello,\r\n6\r\n world\r\n0\r\n\r\n",
    );
    let response = fetch(&format!("http://{addr}/"), None).unwrap();
    assert_eq!(response.header("transfer-encoding"), Some("chunked"));
    assert_eq!(response.body, b"hello, world");
}
