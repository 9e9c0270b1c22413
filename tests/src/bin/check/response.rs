//! An HTTP response as the bytes said it, split without trusting them: where it ends, its status
//! line, its header fields and its body. Anything that is not HTTP is a [`Failure`] pointing at
//! the byte where it stops being HTTP, never a panic.

use crate::outcome::Failure;

/// A response read whole off the wire.
#[derive(Debug, Clone)]
pub struct Response {
    /// Every byte of it, head and body, exactly as it came.
    pub bytes: Vec<u8>,
    /// Where the body starts in `bytes`.
    pub head_len: usize,
    pub status: u16,
    /// `(name, value)` in the order sent, the value trimmed.
    pub headers: Vec<(String, String)>,
}

/// How much of the bytes received so far is one whole response.
pub enum Framing {
    /// The first `usize` bytes are one whole response.
    Whole(usize),
    /// More must arrive first.
    Incomplete,
}

/// Where the head ends in `bytes` (the index just past its blank line), if it has ended. A head
/// ended by bare `\n\n` counts as ended, so that the mistake is shown rather than waited on.
fn head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = find(bytes, b"\r\n\r\n").map(|i| i + 4);
    let lf = find(bytes, b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// How long the body is, by the rules a client follows (RFC 9112 §6.3): `None` runs to the close.
fn body_length(head: &Response, to_head: bool) -> Result<Option<usize>, Failure> {
    if to_head || head.status < 200 || head.status == 204 || head.status == 304 {
        return Ok(Some(0));
    }
    if head.header("Transfer-Encoding").is_some() {
        return Err(Failure::new(
            "the answer uses Transfer-Encoding, which no chapter's server sends: give a \
             Content-Length instead",
        ));
    }
    match head.header("Content-Length") {
        None => Ok(None),
        Some(value) => value.parse().map(Some).map_err(|_| {
            let at = head.header_value_at("Content-Length").unwrap_or(0);
            Failure::new(format!("Content-Length {value:?} is not a number of bytes"))
                .with_caret(at)
        }),
    }
}

/// Whether `bytes` starts with one whole response, and how long it is.
pub fn split(bytes: &[u8], to_head: bool) -> Result<Framing, Failure> {
    not_a_status_line(bytes).map_or(Ok(()), Err)?;
    let Some(end) = head_end(bytes) else {
        return Ok(Framing::Incomplete);
    };
    let head = Response::parse(bytes[..end].to_vec())?;
    Ok(match body_length(&head, to_head)? {
        Some(length) if bytes.len() >= end + length => Framing::Whole(end + length),
        _ => Framing::Incomplete,
    })
}

/// The server closed after sending `bytes`: fine only if they are a response whose body runs to
/// the close. Otherwise it says what was missing.
pub fn split_at_close(bytes: &[u8], to_head: bool) -> Result<(), Failure> {
    not_a_status_line(bytes).map_or(Ok(()), Err)?;
    let Some(end) = head_end(bytes) else {
        return Err(Failure::new(
            "the server closed the connection before the end of the answer's head: a head \
             ends with an empty line, \\r\\n\\r\\n",
        )
        .with_caret(bytes.len()));
    };
    let head = Response::parse(bytes[..end].to_vec())?;
    match body_length(&head, to_head)? {
        None => Ok(()),
        Some(length) => Err(Failure::new(format!(
            "the server closed the connection after {} bytes of body, but Content-Length \
             promised {length}",
            bytes.len() - end
        ))
        .with_caret(bytes.len())),
    }
}

/// Where a `Content-Length` should have been, if `bytes` hold a whole head of a response that
/// has a body but does not say how long it is.
pub fn lacks_length(bytes: &[u8]) -> Option<usize> {
    let end = head_end(bytes)?;
    let head = Response::parse(bytes[..end].to_vec()).ok()?;
    matches!(body_length(&head, false), Ok(None)).then(|| head.end_of_fields())
}

impl Response {
    /// Splits a whole response (or just its head); fails at the first byte that is not HTTP.
    pub fn parse(bytes: Vec<u8>) -> Result<Response, Failure> {
        let fail = |problem: &str, at: usize, bytes: &[u8]| {
            Err(Failure::new(problem)
                .with_got(bytes.to_vec())
                .with_caret(at))
        };
        let Some(head_len) = head_end(&bytes) else {
            return fail(
                "the answer has no end of head (\\r\\n\\r\\n)",
                bytes.len(),
                &bytes,
            );
        };
        if let Some(at) = bare_lf(&bytes[..head_len]) {
            return Err(Failure::new(
                "a line of the head ends with \\n alone: HTTP's lines end with \\r\\n",
            )
            .with_got(bytes)
            .with_caret(at)
            .of_kind(&crate::check::BARE_LF));
        }
        let head = String::from_utf8_lossy(&bytes[..head_len - 4]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = match status_line.split(' ').collect::<Vec<_>>().as_slice() {
            [version, code, ..]
                if matches!(*version, "HTTP/1.1" | "HTTP/1.0")
                    && code.len() == 3
                    && code.bytes().all(|b| b.is_ascii_digit()) =>
            {
                code.parse().unwrap_or_default()
            }
            _ => {
                let at = first_difference_from(&bytes, b"HTTP/1.1 ");
                return Err(Failure::new(
                    "the answer does not start with a status line such as HTTP/1.1 200 OK",
                )
                .with_got(bytes)
                .with_caret(at));
            }
        };
        let mut headers = Vec::new();
        let mut offset = status_line.len() + 2;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                return fail("a header line without a colon", offset, &bytes);
            };
            headers.push((name.to_string(), value.trim().to_string()));
            offset += line.len() + 2;
        }
        Ok(Response {
            bytes,
            head_len,
            status,
            headers,
        })
    }

    /// The first field of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Where the value of the first field `name` starts in `bytes`.
    pub fn header_value_at(&self, name: &str) -> Option<usize> {
        let head = &self.bytes[..self.head_len];
        let mut at = 0;
        for line in head.split(|&b| b == b'\n') {
            let colon = line.iter().position(|&b| b == b':');
            if let Some(colon) = colon.filter(|&c| line[..c].eq_ignore_ascii_case(name.as_bytes()))
            {
                let spaces = line[colon + 1..].iter().take_while(|b| **b == b' ').count();
                return Some(at + colon + 1 + spaces);
            }
            at += line.len() + 1;
        }
        None
    }

    pub fn body(&self) -> &[u8] {
        &self.bytes[self.head_len..]
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.body()).into_owned()
    }

    /// Where the blank line that ends the head starts: where a missing field would have gone.
    pub fn end_of_fields(&self) -> usize {
        self.head_len.saturating_sub(2)
    }
}

/// A failure if `bytes` cannot be the start of a status line, as soon as the first bytes show
/// it: an answer that is not HTTP is told at once, not waited on until its head would end.
fn not_a_status_line(bytes: &[u8]) -> Option<Failure> {
    const START: &[u8] = b"HTTP/1.";
    let shown = &bytes[..bytes.len().min(START.len())];
    let at = crate::outcome::first_difference(START, shown)?;
    (at < shown.len()).then(|| {
        Failure::new("the answer does not start with a status line such as HTTP/1.1 200 OK")
            .with_caret(at)
    })
}

/// The position of the first `\n` not preceded by `\r`.
fn bare_lf(head: &[u8]) -> Option<usize> {
    (0..head.len()).find(|&i| head[i] == b'\n' && (i == 0 || head[i - 1] != b'\r'))
}

fn first_difference_from(bytes: &[u8], expected: &[u8]) -> usize {
    crate::outcome::first_difference(expected, bytes).unwrap_or(0)
}

/// The position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::{Framing, Response, lacks_length, split, split_at_close};

    #[test]
    fn splits_a_response_and_finds_where_it_ends() {
        let bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A:  b \r\n\r\nokHTTP/1.1";
        assert!(matches!(split(bytes, false), Ok(Framing::Whole(50))));
        let response = Response::parse(bytes[..50].to_vec()).expect("a response");
        assert_eq!(response.status, 200);
        assert_eq!(response.header("x-a"), Some("b"));
        assert_eq!(response.body(), b"ok");
        assert_eq!(response.header_value_at("content-length"), Some(33));
    }

    #[test]
    fn points_at_what_is_not_http() {
        let echo = Response::parse(b"GET / HTTP/1.1\r\n\r\n".to_vec()).expect_err("not HTTP");
        assert_eq!(echo.caret, Some(0));
        let bare = Response::parse(b"HTTP/1.1 200 OK\nX: y\n\n".to_vec()).expect_err("bare LF");
        assert_eq!(bare.caret, Some(15));
        let short = split_at_close(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", false);
        assert!(short.expect_err("short").problem.contains("promised 9"));
        assert!(split_at_close(b"HTTP/1.1 200 OK\r\n\r\nto the close", false).is_ok());
    }

    #[test]
    fn an_answer_that_is_not_http_is_told_at_once() {
        // Not even a whole line yet: `<` is already not the start of `HTTP/1.`.
        let html = split(b"<!DOCTYPE", false).err().expect("not HTTP");
        assert_eq!(html.caret, Some(0));
        let version = split(b"HTTP/2 200", false).err().expect("not HTTP/1");
        assert_eq!(version.caret, Some(5));
        assert!(matches!(split(b"HTTP/1", false), Ok(Framing::Incomplete)));
    }

    #[test]
    fn finds_a_missing_content_length() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nHello";
        assert_eq!(lacks_length(head), Some(43));
        assert_eq!(
            lacks_length(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
            None
        );
        assert_eq!(lacks_length(b"HTTP/1.1 204 No Content\r\n\r\n"), None);
    }
}
