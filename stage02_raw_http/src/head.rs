//! Reading a request's head: everything up to and including the empty line.

use std::fmt;
use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use stage01_tcp_echo::timeout::is_timeout;

/// The most bytes a head may have. 8 KiB is what many servers allow by default (nginx's
/// `large_client_header_buffers` default is 8k per line); browsers send well under 2 KiB.
pub const DEFAULT_MAX_HEAD: usize = 8 * 1024;

/// How long a client has to send its whole head, counted from the first read.
pub const DEFAULT_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Why no head could be read.
#[derive(Debug)]
pub enum HeadError {
    /// The client closed before the empty line; it sent this many bytes.
    Closed { received: usize },
    /// `limit` bytes arrived and the head had not ended.
    TooLarge { limit: usize },
    /// The time ran out first.
    TimedOut { received: usize },
    /// The connection failed (reset, for example).
    Io(io::Error),
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeadError::Closed { received } => {
                write!(f, "closed before the end of the head ({received} bytes)")
            }
            HeadError::TooLarge { limit } => write!(f, "no end of head in the first {limit} bytes"),
            HeadError::TimedOut { received } => {
                write!(f, "no complete head in time ({received} bytes)")
            }
            HeadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for HeadError {}

// ANCHOR: read_head
/// Reads from `stream` until the bytes end with `\r\n\r\n`, and returns them all (the head, and
/// whatever came after it in the same reads, which would be the start of a body) with the index
/// just past the head's end.
///
/// One `read` is not one request: TCP may deliver a head in many pieces, or several requests in
/// one. So we keep reading, and only look for the end in the bytes that are new (plus three
/// before them, in case `\r\n\r\n` straddles two reads) so that a client sending one byte at a
/// time does not make us scan the whole buffer again for each byte.
///
/// The limit is exact: no read asks for more than the room left under `max`, so we never hold
/// more than `max` bytes. A head of `max` bytes is read; one of `max + 1` is `TooLarge`.
pub fn read_head(
    stream: &mut TcpStream,
    max: usize,
    timeout: Duration,
) -> Result<(Vec<u8>, usize), HeadError> {
    let deadline = Instant::now() + timeout;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        // Never negative: no read below asks for more than this room.
        let room = (max - buffer.len()).min(chunk.len());
        if room == 0 {
            return Err(HeadError::TooLarge { limit: max });
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::TimedOut {
                received: buffer.len(),
            });
        }
        stream.set_read_timeout(Some(left)).map_err(HeadError::Io)?;
        let n = match stream.read(&mut chunk[..room]) {
            Ok(0) => {
                return Err(HeadError::Closed {
                    received: buffer.len(),
                });
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => {
                return Err(HeadError::TimedOut {
                    received: buffer.len(),
                });
            }
            Err(e) => return Err(HeadError::Io(e)),
        };
        let scan_from = buffer.len().saturating_sub(3);
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = find_end_of_head(&buffer[scan_from..]) {
            return Ok((buffer, scan_from + at));
        }
    }
}
// ANCHOR_END: read_head

/// Where the head ends in `bytes`: the index just past `\r\n\r\n`.
pub fn find_end_of_head(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::time::Duration;

    use super::{HeadError, find_end_of_head, read_head};
    use Outcome::{Head, TooLarge};

    #[test]
    fn the_head_ends_after_the_first_empty_line() {
        let cases: &[(&[u8], Option<usize>)] = &[
            (b"GET / HTTP/1.1\r\n\r\n", Some(18)),
            (b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\r\n\r\n", Some(27)),
            (b"GET / HTTP/1.1\r\nHost: a\r\n", None),
            // A bare LF is not CR LF: this head has not ended, as far as this server is concerned.
            (b"GET / HTTP/1.1\nHost: a\n\n", None),
            (b"", None),
        ];
        for (bytes, end) in cases {
            assert_eq!(
                find_end_of_head(bytes),
                *end,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    /// A head of exactly `len` bytes: a request line, a `Host`, and one header padded to fit.
    fn head_of(len: usize) -> Vec<u8> {
        let fixed = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: \r\n\r\n".len();
        let pad = "p".repeat(len - fixed);
        format!("GET / HTTP/1.1\r\nHost: a\r\nX-Pad: {pad}\r\n\r\n").into_bytes()
    }

    /// What `read_head` should make of the bytes a client sent.
    enum Outcome {
        /// The head, ending at this index.
        Head(usize),
        TooLarge,
    }

    #[test]
    fn the_size_limit_is_exact_and_nothing_past_it_is_read() {
        let with_body = |head: usize, body: usize| {
            let mut bytes = head_of(head);
            bytes.extend(std::iter::repeat_n(b'b', body));
            bytes
        };
        // 1024 bytes is one read: heads of 1025 and 2049 bytes end in a read after the limit.
        let cases: &[(&str, usize, Vec<u8>, Outcome)] = &[
            ("exactly max", 100, head_of(100), Head(100)),
            ("max + 1", 100, head_of(101), TooLarge),
            ("max + 1, one read on", 1024, head_of(1025), TooLarge),
            ("exactly max, in reads", 2048, head_of(2048), Head(2048)),
            ("max + 1, in reads", 2048, head_of(2049), TooLarge),
            ("a body behind", 100, with_body(50, 1000), Head(50)),
            ("no end at all", 100, vec![b'x'; 5000], TooLarge),
            // The first read ends in `\r\n`, the second is the other `\r\n`.
            ("the end over two reads", 8192, head_of(1026), Head(1026)),
        ];
        for (what, max, sent, outcome) in cases {
            let (mut client, mut server_end) = socket_pair();
            client.write_all(sent).unwrap();
            client.shutdown(Shutdown::Write).unwrap();
            let result = read_head(&mut server_end, *max, Duration::from_secs(30));
            // What read_head left in the socket tells how much it read.
            let mut left = Vec::new();
            server_end.read_to_end(&mut left).unwrap();
            let taken = sent.len() - left.len();
            assert!(taken <= *max, "{what}: read {taken} bytes, limit {max}");
            match (result, outcome) {
                (Ok((bytes, end)), Head(want)) => {
                    assert_eq!(end, *want, "{what}");
                    assert_eq!(bytes, sent[..taken], "{what}: returns all it read");
                }
                (Err(HeadError::TooLarge { limit }), TooLarge) => {
                    assert_eq!(limit, *max, "{what}");
                    assert_eq!(taken, *max, "{what}: reads up to the limit");
                }
                (Ok((_, end)), _) => panic!("{what}: read a head of {end} bytes"),
                (Err(e), _) => panic!("{what}: {e}"),
            }
        }
    }

    /// A connected pair of sockets: what the client writes, the server end reads.
    fn socket_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server_end, _) = listener.accept().unwrap();
        (client, server_end)
    }
}
