//! Talking to a server with a bare socket, for the tests where the exact bytes matter.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a raw read may wait for the server. Only a guard against a hung test, never a
/// measurement: a server that answers passes no matter how long it took within this.
pub const READ_GUARD: Duration = Duration::from_secs(30);

/// Connects with the read guard set.
#[track_caller]
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = match TcpStream::connect(addr) {
        Ok(stream) => stream,
        Err(e) => panic!("connect to {addr}: {e}"),
    };
    stream
        .set_read_timeout(Some(READ_GUARD))
        .expect("set a read timeout");
    stream
}

/// Sends `request` in one piece, then reads until the server closes the connection.
#[track_caller]
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(addr);
    stream.write_all(request).expect("send the request");
    read_to_close(&mut stream)
}

/// Reads until the peer closes. A reset after the answer counts as a close: some servers reset
/// when they close with unread input, and what they sent before still counts. Panics (failing
/// the test) with a message in words if the server falls silent for the stream's read timeout
/// ([`connect`] sets [`READ_GUARD`]) without closing.
#[track_caller]
pub fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return answer,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return answer,
            Err(e) if is_timeout(&e) => panic!(
                "{}: the server sent {}{}, and has not closed the connection. It is waiting for \
                 something: is it busy with another client, or waiting for the rest of a line, \
                 or for input that never comes?",
                no_answer_within(stream),
                so_far(&answer),
                if answer.is_empty() {
                    ""
                } else {
                    ", then nothing more"
                }
            ),
            Err(e) => panic!("reading the answer failed (after {}): {e}", so_far(&answer)),
        }
    }
}

/// Reads exactly `n` bytes, `what` they are in words ("the echo of the first line"). Panics
/// (failing the test) with a message in words if the server closes, or falls silent for the
/// stream's read timeout ([`connect`] sets [`READ_GUARD`]), before they have all come.
#[track_caller]
pub fn read_exactly(stream: &mut TcpStream, n: usize, what: &str) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    let mut got = 0;
    while got < n {
        match stream.read(&mut bytes[got..]) {
            Ok(0) => panic!(
                "the server closed the connection before {what} had come (it sent {})",
                so_far(&bytes[..got])
            ),
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => panic!(
                "{}: {what} has not come (the server sent {} of the {n} bytes), and the server \
                 has not closed the connection. Is it busy with another client, or waiting for \
                 the rest of a line?",
                no_answer_within(stream),
                so_far(&bytes[..got])
            ),
            Err(e) => panic!(
                "reading {what} failed (after {}): {e}",
                so_far(&bytes[..got])
            ),
        }
    }
    bytes
}

/// Reads one line, `what` it is in words ("a line from the room"), end of line included; a last
/// line the server closed before ending is returned as it is. Panics (failing the test) with a
/// message in words if the server closes before sending anything, or falls silent for the
/// stream's read timeout ([`connect`] sets [`READ_GUARD`]) before the line has ended.
#[track_caller]
pub fn read_line(reader: &mut BufReader<TcpStream>, what: &str) -> String {
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(0) => panic!("the server closed the connection instead of sending {what}"),
        Ok(_) => line,
        Err(e) if is_timeout(&e) => panic!(
            "{}: {what} has not come (the server sent {}{}), and the server has not closed the \
             connection. Is it waiting for something, or did it send the line to someone else?",
            no_answer_within(reader.get_ref()),
            so_far(line.as_bytes()),
            if line.is_empty() {
                ""
            } else {
                " with no end of line"
            }
        ),
        Err(e) => panic!(
            "reading {what} failed (after {}): {e}",
            so_far(line.as_bytes())
        ),
    }
}

/// Whether a read failed because its timeout ran out: the kind differs between platforms
/// (`WouldBlock` on Unix, `TimedOut` on Windows).
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// `no answer within 30 s`, with the read timeout `stream` has.
fn no_answer_within(stream: &TcpStream) -> String {
    let guard = stream.read_timeout().ok().flatten().unwrap_or(READ_GUARD);
    format!("no answer within {} s", guard.as_secs_f64())
}

/// What came so far, for a message: `nothing`, or `5 bytes: "hello"`.
fn so_far(bytes: &[u8]) -> String {
    match bytes.len() {
        0 => "nothing".to_string(),
        1 => format!("1 byte: {}", shown(bytes)),
        n => format!("{n} bytes: {}", shown(bytes)),
    }
}

/// Bytes received, as text for a message: quoted, with a long run cut in the middle.
pub fn shown(bytes: &[u8]) -> String {
    const EACH_END: usize = 200;
    if bytes.len() <= 2 * EACH_END {
        return format!("{:?}", String::from_utf8_lossy(bytes));
    }
    format!(
        "{:?} … {:?}",
        String::from_utf8_lossy(&bytes[..EACH_END]),
        String::from_utf8_lossy(&bytes[bytes.len() - EACH_END..])
    )
}

/// An HTTP response as the bytes said it, with no interpretation beyond splitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    pub status_line: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// Splits `bytes` at the first blank line; panics (failing the test) if it is not HTTP.
    pub fn parse(bytes: &[u8]) -> RawResponse {
        let end = find(bytes, b"\r\n\r\n").unwrap_or_else(|| {
            panic!(
                "no CRLF CRLF end of head in {:?}",
                String::from_utf8_lossy(bytes)
            )
        });
        let head = std::str::from_utf8(&bytes[..end]).expect("the head is text");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default().to_string();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status code in {status_line:?}"));
        let headers = lines
            .map(|line| {
                let (name, value) = line
                    .split_once(':')
                    .unwrap_or_else(|| panic!("header without a colon: {line:?}"));
                (name.to_string(), value.trim().to_string())
            })
            .collect();
        RawResponse {
            status_line,
            status,
            headers,
            body: bytes[end + 4..].to_vec(),
        }
    }

    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy), for messages in assertions.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where a response's body ends, by the rules a client follows (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEnd {
    /// Right after the head: an answer to `HEAD`, or a status that has no body (1xx, 204, 304).
    AtHead,
    /// After exactly this many bytes, as `Content-Length` says.
    After(usize),
    /// When the server closes the connection: no length was given.
    AtClose,
}

/// Where the body of a response with this head ends; `to_head` says it answers a `HEAD` request,
/// whose answer carries the `GET`'s `Content-Length` but no body. Panics (failing the test) on a
/// `Content-Length` that is not a number and on `Transfer-Encoding`, which no server here sends.
pub fn body_end(head: &RawResponse, to_head: bool) -> BodyEnd {
    if to_head || head.status < 200 || head.status == 204 || head.status == 304 {
        return BodyEnd::AtHead;
    }
    if let Some(coding) = head.header("Transfer-Encoding") {
        panic!("a response with Transfer-Encoding: {coding:?}, which this reader does not decode");
    }
    match head.header("Content-Length") {
        Some(length) => BodyEnd::After(
            length
                .parse()
                .unwrap_or_else(|_| panic!("Content-Length {length:?} is not a length")),
        ),
        None => BodyEnd::AtClose,
    }
}

/// The length of the first whole response at the start of `bytes`, or `None` while it is not all
/// there (a body that runs to the close is never all there before the close).
pub fn response_len(bytes: &[u8], to_head: bool) -> Option<usize> {
    let head_len = find(bytes, b"\r\n\r\n")? + 4;
    let end = match body_end(&RawResponse::parse(&bytes[..head_len]), to_head) {
        BodyEnd::AtHead => head_len,
        BodyEnd::After(length) => head_len.checked_add(length)?,
        BodyEnd::AtClose => return None,
    };
    (bytes.len() >= end).then_some(end)
}

/// A connection that may carry many responses, read one at a time, as a client that reuses
/// connections or pipelines requests reads them: each response ends where its framing says, and
/// whatever arrived after it is kept for the next one. Every read is bounded by [`READ_GUARD`].
pub struct ResponseReader {
    stream: TcpStream,
    /// Bytes received and not handed out yet: the start of the next response.
    pending: Vec<u8>,
}

impl ResponseReader {
    /// Connects with the read guard set.
    #[track_caller]
    pub fn connect(addr: SocketAddr) -> ResponseReader {
        ResponseReader::new(connect(addr))
    }

    /// Reads responses off a connection already made.
    pub fn new(stream: TcpStream) -> ResponseReader {
        ResponseReader {
            stream,
            pending: Vec::new(),
        }
    }

    /// Sends `bytes` in one `write_all`, panicking if the connection will not take them.
    #[track_caller]
    pub fn send(&mut self, bytes: &[u8]) {
        if let Err(e) = self.stream.write_all(bytes) {
            panic!("sending {} bytes failed: {e}", bytes.len());
        }
    }

    /// The connection itself, to write to it without failing when the server has closed it.
    pub fn stream(&mut self) -> &mut TcpStream {
        &mut self.stream
    }

    /// The bytes of exactly one response, head and body; `to_head` says it answers a `HEAD`.
    /// Panics if the connection closes (or the guard runs out) before the response is whole.
    #[track_caller]
    pub fn next_response_bytes(&mut self, to_head: bool) -> Vec<u8> {
        loop {
            if let Some(length) = response_len(&self.pending, to_head) {
                return self.pending.drain(..length).collect();
            }
            match self.read_some() {
                Ok(true) => {}
                Ok(false) => return self.whole_at_close(to_head),
                Err(e) if is_timeout(&e) => panic!(
                    "{}: no whole response has come (the server sent {}), and the server has \
                     not closed the connection. Is it waiting for the rest of the request, or \
                     busy with another client?",
                    no_answer_within(&self.stream),
                    so_far(&self.pending)
                ),
                Err(e) => panic!(
                    "reading a response failed (after {}): {e}",
                    so_far(&self.pending)
                ),
            }
        }
    }

    /// Exactly one response, split into its parts; `to_head` says it answers a `HEAD`.
    #[track_caller]
    pub fn next_response(&mut self, to_head: bool) -> RawResponse {
        RawResponse::parse(&self.next_response_bytes(to_head))
    }

    /// Whatever else arrives until the server closes, within [`READ_GUARD`].
    #[track_caller]
    pub fn rest_until_close(&mut self) -> Vec<u8> {
        self.rest_until_close_within(READ_GUARD)
    }

    /// Whatever else arrives until the server closes; panics if it has not closed within
    /// `guard` of the last byte received.
    #[track_caller]
    pub fn rest_until_close_within(&mut self, guard: Duration) -> Vec<u8> {
        self.stream
            .set_read_timeout(Some(guard))
            .expect("set a read timeout");
        loop {
            match self.read_some() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if is_timeout(&e) => panic!(
                    "the server did not close the connection within {} s of the last byte it \
                     sent (after the responses read, it sent {})",
                    guard.as_secs_f64(),
                    so_far(&self.pending)
                ),
                Err(e) => panic!(
                    "reading until the server closes failed (after {}): {e}",
                    so_far(&self.pending)
                ),
            }
        }
        self.stream
            .set_read_timeout(Some(READ_GUARD))
            .expect("set a read timeout");
        std::mem::take(&mut self.pending)
    }

    /// Reads once into `pending`: `Ok(false)` at the close. A reset counts as a close, as in
    /// [`read_to_close`].
    fn read_some(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 8192];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.pending.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }

    /// The connection closed: what is pending is one whole response only if its body runs to
    /// the close.
    #[track_caller]
    fn whole_at_close(&mut self, to_head: bool) -> Vec<u8> {
        let bytes = std::mem::take(&mut self.pending);
        let runs_to_close = find(&bytes, b"\r\n\r\n").is_some_and(|end| {
            body_end(&RawResponse::parse(&bytes[..end + 4]), to_head) == BodyEnd::AtClose
        });
        assert!(
            runs_to_close,
            "the connection closed before a whole response; received {:?}",
            String::from_utf8_lossy(&bytes)
        );
        bytes
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::panic::{UnwindSafe, catch_unwind};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use super::{
        RawResponse, ResponseReader, read_exactly, read_line, read_to_close, response_len,
    };

    /// The message `read` panics with, reading from a server that sends `sent` and then keeps the
    /// connection open, saying nothing, until the read has given up.
    fn message_when_silent(
        sent: &'static [u8],
        read: impl FnOnce(TcpStream) + UnwindSafe,
    ) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (done, finished) = mpsc::channel::<()>();
        let server = thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream.write_all(sent).unwrap();
            let _ = finished.recv();
        });
        let stream = TcpStream::connect(addr).unwrap();
        // A short guard, for the test to be quick; nothing here depends on how long it is.
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let result = catch_unwind(move || read(stream));
        done.send(()).unwrap();
        server.join().unwrap();
        let panic = result.expect_err("the read gave up, failing the test");
        panic.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    /// A read that runs out of time says so in words, with what came, never as an OS error.
    #[test]
    fn a_read_that_runs_out_of_time_says_so_in_words() {
        let to_close = message_when_silent(b"first\n", |mut stream| {
            read_to_close(&mut stream);
        });
        let exactly = message_when_silent(b"fir", |mut stream| {
            read_exactly(&mut stream, 6, "the echo");
        });
        let line = message_when_silent(b"", |stream| {
            read_line(&mut BufReader::new(stream), "a line from the room");
        });
        let cases = [
            (
                to_close,
                "the server sent 6 bytes: \"first\\n\", then nothing more",
            ),
            (
                exactly,
                "the echo has not come (the server sent 3 bytes: \"fir\" of the 6",
            ),
            (
                line,
                "a line from the room has not come (the server sent nothing)",
            ),
        ];
        for (message, says) in cases {
            assert!(message.starts_with("no answer within 0.1 s: "), "{message}");
            assert!(message.contains(says), "{message}");
            assert!(!message.contains("os error"), "{message}");
        }
    }

    #[test]
    fn splits_a_response() {
        let r = RawResponse::parse(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nX-A:  b \r\n\r\nno",
        );
        assert_eq!(r.status, 404);
        assert_eq!(r.header("content-length"), Some("2"));
        assert_eq!(r.header("x-a"), Some("b"));
        assert_eq!(r.body, b"no");
    }

    #[test]
    fn finds_where_one_response_ends() {
        const HELLO: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let two = [HELLO, HELLO].concat();
        let cases: &[(&[u8], bool, Option<usize>)] = &[
            (HELLO, false, Some(HELLO.len())),
            (&two, false, Some(HELLO.len())),
            (&HELLO[..HELLO.len() - 1], false, None),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", false, None),
            (b"", false, None),
            // The answer to HEAD: the GET's length, and no body; what follows is the next answer.
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nHTTP/1.1",
                true,
                Some(38),
            ),
            (b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1", false, Some(27)),
            (
                b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
                false,
                Some(48),
            ),
            (
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK",
                false,
                Some(25),
            ),
            // No length: the body runs to the close, so it is never whole before it.
            (b"HTTP/1.0 200 OK\r\n\r\nsome body", false, None),
        ];
        for (bytes, to_head, want) in cases {
            let text = String::from_utf8_lossy(bytes);
            assert_eq!(response_len(bytes, *to_head), *want, "{text:?}");
        }
    }

    #[test]
    fn reads_responses_one_at_a_time_however_they_arrive() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Two answers and the start of a third in one piece, its rest in another, then a last one
        // whose body runs to the close.
        let pieces: [&[u8]; 3] = [
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabHTTP/1.1 200 OK\r\n\r\nHTTP/1.1 404 No",
            b"t Found\r\nContent-Length: 3\r\n\r\nno!",
            b"HTTP/1.0 200 OK\r\n\r\nuntil the end",
        ];
        let server = thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            for piece in pieces {
                stream.write_all(piece).unwrap();
                stream.flush().unwrap();
            }
        });
        let mut reader = ResponseReader::connect(addr);
        let first = reader.next_response(false);
        assert_eq!((first.status, first.body.as_slice()), (200, &b"ab"[..]));
        let head = reader.next_response(true);
        assert_eq!((head.status, head.body.as_slice()), (200, &b""[..]));
        let missing = reader.next_response(false);
        assert_eq!(
            (missing.status, missing.body.as_slice()),
            (404, &b"no!"[..])
        );
        server.join().unwrap();
        let last = reader.next_response(false);
        assert_eq!(last.body, b"until the end");
        assert_eq!(reader.rest_until_close(), b"");
    }
}
