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
    /// More than the limit arrived with no empty line in it.
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
/// whatever came after it in the same reads, which would be the start of a body).
///
/// One `read` is not one request: TCP may deliver a head in many pieces, or several requests in
/// one. So we keep reading, and only look for the end in the bytes that are new (plus three
/// before them, in case `\r\n\r\n` straddles two reads) so that a client sending one byte at a
/// time does not make us scan the whole buffer again for each byte.
pub fn read_head(
    stream: &mut TcpStream,
    max: usize,
    timeout: Duration,
) -> Result<(Vec<u8>, usize), HeadError> {
    let deadline = Instant::now() + timeout;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::TimedOut {
                received: buffer.len(),
            });
        }
        stream.set_read_timeout(Some(left)).map_err(HeadError::Io)?;
        let n = match stream.read(&mut chunk) {
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
        if buffer.len() > max {
            return Err(HeadError::TooLarge { limit: max });
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
    use super::find_end_of_head;

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
}
