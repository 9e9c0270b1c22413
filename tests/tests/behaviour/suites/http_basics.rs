//! Chapter 2's promise, kept by every later server: any well-formed request gets a well-formed
//! response (whatever its status), however the request's bytes arrive, and no bad client stops
//! the server from serving the next one.

use std::io::Write;
use std::net::SocketAddr;

use tests::raw::{RawResponse, connect, exchange, read_to_close};

use super::Case;

pub const CASES: &[Case] = &[
    ("reqwest reads the answer to a GET", reqwest_reads_a_get),
    (
        "reqwest reads the answer to a POST with a body",
        reqwest_reads_a_post,
    ),
    (
        "curl's exact request gets a well-formed answer",
        curl_request,
    ),
    (
        "a request sent one byte at a time is answered",
        byte_at_a_time,
    ),
    (
        "a head longer than 1024 bytes is read whole",
        head_longer_than_1024,
    ),
    ("a head over the size limit gets 431", head_over_the_limit),
    (
        "garbage is answered or closed, and the next client served",
        garbage,
    ),
    ("a client that closes mid-head is survived", closes_mid_head),
];

/// Checks what every client relies on: a status line, CRLF line ends, and a body exactly as long
/// as `Content-Length` says (or, without one, the connection closed after it).
pub fn well_formed(bytes: &[u8]) -> RawResponse {
    let response = RawResponse::parse(bytes);
    assert!(
        response.status_line.starts_with("HTTP/1.1 ")
            || response.status_line.starts_with("HTTP/1.0 "),
        "status line {:?}",
        response.status_line
    );
    let head_len = bytes.len() - response.body.len();
    let head = &bytes[..head_len];
    let bare_lf = head
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || head[i - 1] != b'\r'));
    assert!(
        !bare_lf,
        "a line ending without CR in {:?}",
        String::from_utf8_lossy(head)
    );
    if let Some(length) = response.header("Content-Length") {
        assert_eq!(
            length.parse::<usize>().ok(),
            Some(response.body.len()),
            "Content-Length"
        );
    }
    response
}

fn reqwest_reads_a_get(addr: SocketAddr) {
    let response = reqwest::blocking::get(format!("http://{addr}/")).expect("reqwest reads it");
    assert!(response.status().as_u16() >= 200);
    response.bytes().expect("reqwest reads the whole body");
}

fn reqwest_reads_a_post(addr: SocketAddr) {
    let response = reqwest::blocking::Client::new()
        .post(format!("http://{addr}/echo"))
        .body(vec![b'x'; 100_000])
        .send()
        .expect("the answer arrives, not a reset");
    response.bytes().expect("reqwest reads the whole body");
}

fn curl_request(addr: SocketAddr) {
    let request =
        format!("GET / HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
    let response = well_formed(&exchange(addr, request.as_bytes()));
    assert!(response.status < 500, "{}", response.status_line);
}

fn byte_at_a_time(addr: SocketAddr) {
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut stream = connect(addr);
    stream.set_nodelay(true).unwrap(); // so each byte really leaves as its own segment
    for byte in request.as_bytes() {
        stream.write_all(&[*byte]).unwrap();
    }
    let response = well_formed(&read_to_close(&mut stream));
    assert!(response.status < 400, "{}", response.status_line);
}

fn head_longer_than_1024(addr: SocketAddr) {
    let cookie = "c".repeat(3000);
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n");
    let response = well_formed(&exchange(addr, request.as_bytes()));
    assert_eq!(response.status, 200, "{}", response.status_line);
}

fn head_over_the_limit(addr: SocketAddr) {
    let huge = "h".repeat(200 * 1024);
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nX-Huge: {huge}\r\n\r\n");
    let response = well_formed(&exchange(addr, request.as_bytes()));
    assert_eq!(response.status, 431, "{}", response.status_line);
    reqwest_reads_a_get(addr);
}

fn garbage(addr: SocketAddr) {
    let inputs: [&[u8]; 3] = [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP at all\r\n\r\n",
        b"hello\r\n\r\n",
        b"GET\r\n\r\n",
    ];
    for input in inputs {
        let answer = exchange(addr, input);
        if !answer.is_empty() {
            let response = well_formed(&answer);
            assert!(response.status >= 200, "{}", response.status_line);
        }
        reqwest_reads_a_get(addr);
    }
}

fn closes_mid_head(addr: SocketAddr) {
    let mut stream = connect(addr);
    stream.write_all(b"GET / HTTP/1.1\r\nHost: loc").unwrap();
    drop(stream);
    reqwest_reads_a_get(addr);
}
