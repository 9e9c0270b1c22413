//! One request from a client of the benchmark's own, on a connection of its own: what a
//! newcomer gets while a load runs, and the small reads around it.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

pub const KEEP_ALIVE_REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n";
pub const CLOSE_REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";

/// What a newcomer got: an answer's status and how long it took, or the error.
pub struct Newcomer(pub Duration, pub io::Result<u16>);

impl std::fmt::Display for Newcomer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Newcomer(waited, answer) = self;
        let waited = if *waited < Duration::from_secs(1) {
            format!("{:.1} ms", waited.as_secs_f64() * 1e3)
        } else {
            format!("{:.1} s", waited.as_secs_f64())
        };
        match answer {
            Ok(status) => write!(f, "{status} after {waited}"),
            Err(e) => write!(f, "no answer after {waited}: {}", failure(e)),
        }
    }
}

/// A fresh client asks `GET /hello` once, on a connection of its own, and waits at most `within`.
pub fn newcomer(addr: SocketAddr, within: Duration) -> Newcomer {
    let start = Instant::now();
    let answer = TcpStream::connect_timeout(&addr, within).and_then(|mut stream| {
        stream.write_all(CLOSE_REQUEST)?;
        status_of_answer(&stream, start + within)
    });
    Newcomer(start.elapsed(), answer)
}

/// The status code of the answer arriving on `stream`: only its first line is read, and no read
/// waits past `deadline`.
pub fn status_of_answer(mut stream: &TcpStream, deadline: Instant) -> io::Result<u16> {
    let mut head = Vec::new();
    let mut chunk = [0; 1024];
    while !head.contains(&b'\n') {
        read_more(&mut stream, &mut head, &mut chunk, deadline)?;
    }
    status_in(&head)
}

/// The status code and the whole of the answer arriving on `stream`, its head and as much body
/// as its `Content-Length` says, so that the server has written it all; no read waits past
/// `deadline`.
pub fn whole_answer(mut stream: &TcpStream, deadline: Instant) -> io::Result<u16> {
    let mut answer = Vec::new();
    let mut chunk = [0; 1024];
    let head_end = loop {
        if let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        read_more(&mut stream, &mut answer, &mut chunk, deadline)?;
    };
    let head = String::from_utf8_lossy(&answer[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    while answer.len() < head_end + length {
        read_more(&mut stream, &mut answer, &mut chunk, deadline)?;
    }
    status_in(&answer)
}

/// One read into `into`, waiting no later than `deadline`; the end of the stream is an error.
fn read_more(
    stream: &mut &TcpStream,
    into: &mut Vec<u8>,
    chunk: &mut [u8],
    deadline: Instant,
) -> io::Result<()> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(chunk) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                into.extend_from_slice(&chunk[..n]);
                return Ok(());
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The code in an answer's first line, "HTTP/1.1 200 OK".
fn status_in(answer: &[u8]) -> io::Result<u16> {
    let line = String::from_utf8_lossy(answer);
    let code = line.split(' ').nth(1).and_then(|code| code.parse().ok());
    code.ok_or_else(|| io::Error::other("an answer that is not HTTP"))
}

/// How a request failed, in the words of the tables.
pub fn failure(e: &io::Error) -> &'static str {
    match e.kind() {
        _ if timed_out(e) => "timed out",
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => "closed",
        io::ErrorKind::ConnectionRefused => "refused",
        _ => "failed",
    }
}

/// Whether a read ran out of time: the kind a read timeout gives differs between platforms.
pub fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Whether the server has kept `stream` open: nothing to read, and no end of stream.
pub fn is_open(stream: &TcpStream) -> bool {
    let _ = stream.set_nonblocking(true);
    let peeked = stream.peek(&mut [0]);
    let _ = stream.set_nonblocking(false);
    matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}
