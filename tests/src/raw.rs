//! Talking to a server with a bare socket, for the tests where the exact bytes matter.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a raw read may wait for the server. Only a guard against a hung test, never a
/// measurement: a server that answers passes no matter how long it took within this.
pub const READ_GUARD: Duration = Duration::from_secs(30);

/// Connects with the read guard set.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
    stream
        .set_read_timeout(Some(READ_GUARD))
        .expect("set a read timeout");
    stream
}

/// Sends `request` in one piece, then reads until the server closes the connection.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(addr);
    stream.write_all(request).expect("send the request");
    read_to_close(&mut stream)
}

/// Reads until the peer closes. A reset after the answer counts as a close: some servers reset
/// when they close with unread input, and what they sent before still counts.
pub fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return answer,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return answer,
            Err(e) => panic!(
                "reading the answer failed after {} bytes: {e}",
                answer.len()
            ),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::RawResponse;

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
}
