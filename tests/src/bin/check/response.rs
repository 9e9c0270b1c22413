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
    /// The body decoded, when it came chunked.
    decoded: Option<Vec<u8>>,
}

/// How much of the bytes received so far is one whole response.
pub enum Framing {
    /// The first `usize` bytes are one whole response.
    Whole(usize),
    /// More must arrive first.
    Incomplete,
}

/// How a response's body ends, by the rules a client follows (RFC 9112 §6.3).
enum BodyLength {
    Fixed(usize),
    Chunked,
    ToTheClose,
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

/// How long the body is, by the rules a client follows (RFC 9112 §6.3), or why the framing is
/// one no client can trust.
fn body_length(head: &Response, to_head: bool) -> Result<BodyLength, Failure> {
    if to_head || head.status < 200 || head.status == 204 || head.status == 304 {
        return Ok(BodyLength::Fixed(0));
    }
    let lengths: Vec<&str> = head.all("Content-Length").collect();
    if let Some(coding) = head.header("Transfer-Encoding") {
        if !lengths.is_empty() {
            return Err(Failure::new(
                "the answer has both Transfer-Encoding and Content-Length: a sender must not \
                 send both (RFC 9112 §6.2), and a client cannot tell which one frames the body",
            )
            .with_caret(head.header_value_at("Content-Length").unwrap_or(0)));
        }
        let last = coding.rsplit(',').next().unwrap_or_default().trim();
        return Ok(if last.eq_ignore_ascii_case("chunked") {
            BodyLength::Chunked
        } else {
            BodyLength::ToTheClose
        });
    }
    let mut length = None;
    for value in lengths.iter().flat_map(|v| v.split(',')).map(str::trim) {
        let at = head.header_value_at("Content-Length").unwrap_or(0);
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Failure::new(format!(
                "Content-Length {value:?} is not a number of bytes: it is digits only (RFC 9110 \
                 §8.6)"
            ))
            .with_caret(at));
        }
        let n: usize = value.parse().map_err(|_| {
            Failure::new(format!("Content-Length {value} is too large")).with_caret(at)
        })?;
        if length.is_some_and(|l| l != n) {
            return Err(Failure::new(format!(
                "the answer's Content-Length fields disagree ({}): a client cannot tell where \
                 the body ends; send one",
                lengths.join(", ")
            ))
            .with_caret(at));
        }
        length = Some(n);
    }
    Ok(length.map_or(BodyLength::ToTheClose, BodyLength::Fixed))
}

/// A chunked body at the start of `bytes`: `Ok(None)` while it is not all there, else how long
/// it is on the wire and what it decodes to.
fn chunked(bytes: &[u8]) -> Result<Option<(usize, Vec<u8>)>, Failure> {
    let mut at = 0;
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(&bytes[at..], b"\r\n").map(|i| at + i) else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&bytes[at..line_end]);
        let size = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            return Err(Failure::new(format!(
                "a chunk's size line {line:?} is not a hexadecimal number (RFC 9112 §7.1)"
            ))
            .with_caret(at));
        };
        at = line_end + 2;
        if size == 0 {
            // Trailer fields, if any, then the empty line.
            loop {
                let Some(end) = find(&bytes[at..], b"\r\n").map(|i| at + i) else {
                    return Ok(None);
                };
                let empty = end == at;
                at = end + 2;
                if empty {
                    return Ok(Some((at, body)));
                }
            }
        }
        if bytes.len() < at + size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&bytes[at..at + size]);
        at += size;
        if &bytes[at..at + 2] != b"\r\n" {
            return Err(Failure::new("a chunk's data is not followed by \\r\\n").with_caret(at));
        }
        at += 2;
    }
}

/// Where the head ends in `bytes` and how the body ends, for a response whose head is whole.
fn framing(bytes: &[u8], to_head: bool) -> Result<Option<(Response, BodyLength)>, Failure> {
    not_a_status_line(bytes).map_or(Ok(()), Err)?;
    let Some(end) = head_end(bytes) else {
        return Ok(None);
    };
    let head = Response::parse_head(bytes[..end].to_vec())?;
    let length = body_length(&head, to_head).map_err(|f| f.with_got(bytes.to_vec()))?;
    Ok(Some((head, length)))
}

/// Whether `bytes` starts with one whole response, and how long it is.
pub fn split(bytes: &[u8], to_head: bool) -> Result<Framing, Failure> {
    let Some((head, length)) = framing(bytes, to_head)? else {
        return Ok(Framing::Incomplete);
    };
    let end = head.head_len;
    Ok(match length {
        BodyLength::Fixed(length) if bytes.len() >= end + length => Framing::Whole(end + length),
        BodyLength::Chunked => match chunked(&bytes[end..]).map_err(|f| f.shifted(end))? {
            Some((length, _)) => Framing::Whole(end + length),
            None => Framing::Incomplete,
        },
        _ => Framing::Incomplete,
    })
}

/// The server closed after sending `bytes`: fine only if they are a response whose body runs to
/// the close. Otherwise it says what was missing.
pub fn split_at_close(bytes: &[u8], to_head: bool) -> Result<(), Failure> {
    let Some((head, length)) = framing(bytes, to_head)? else {
        return Err(Failure::new(
            "the server closed the connection before the end of the answer's head: a head \
             ends with an empty line, \\r\\n\\r\\n",
        )
        .with_caret(bytes.len()));
    };
    let end = head.head_len;
    match length {
        BodyLength::ToTheClose => Ok(()),
        BodyLength::Fixed(length) => Err(Failure::new(format!(
            "the server closed the connection after {} bytes of body, but Content-Length \
             promised {length}",
            bytes.len() - end
        ))
        .with_caret(bytes.len())),
        BodyLength::Chunked => Err(Failure::new(
            "the server closed the connection before the chunked body's last chunk (0\\r\\n\\r\\n)",
        )
        .with_caret(bytes.len())),
    }
}

/// Where a `Content-Length` should have been, if `bytes` hold a whole head of a response that
/// has a body but does not say how long it is.
pub fn lacks_length(bytes: &[u8]) -> Option<usize> {
    let (head, length) = framing(bytes, false).ok()??;
    matches!(length, BodyLength::ToTheClose).then(|| head.end_of_fields())
}

impl Response {
    /// Splits a whole response; fails at the first byte that is not HTTP. A chunked body is
    /// decoded.
    pub fn parse(bytes: Vec<u8>) -> Result<Response, Failure> {
        let mut response = Response::parse_head(bytes)?;
        if response.is_chunked_by_head() {
            let body = &response.bytes[response.head_len..];
            if let Ok(Some((_, decoded))) = chunked(body) {
                response.decoded = Some(decoded);
            }
        }
        Ok(response)
    }

    /// Whether the body came chunked (and `body()` is what it decodes to).
    pub fn is_chunked(&self) -> bool {
        self.decoded.is_some()
    }

    fn is_chunked_by_head(&self) -> bool {
        self.status >= 200
            && self.header("Transfer-Encoding").is_some_and(|coding| {
                let last = coding.rsplit(',').next().unwrap_or_default();
                last.trim().eq_ignore_ascii_case("chunked")
            })
    }

    /// Every field of that name, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the `Connection` fields name `token` (a comma-separated list of tokens, compared
    /// without case: `Connection: Close` says close).
    pub fn connection_has(&self, token: &str) -> bool {
        self.all("Connection")
            .flat_map(|value| value.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Splits a response's head, and takes what follows as its body as it came.
    fn parse_head(bytes: Vec<u8>) -> Result<Response, Failure> {
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
                if version.len() == 8
                    && version.starts_with("HTTP/1.")
                    && version.as_bytes()[7].is_ascii_digit()
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
            decoded: None,
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

    /// The body: as it came, or decoded when it came chunked.
    pub fn body(&self) -> &[u8] {
        self.decoded
            .as_deref()
            .unwrap_or(&self.bytes[self.head_len..])
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

    #[test]
    fn a_chunked_body_is_decoded() {
        let bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n\
                      6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nHTTP/1.1";
        let whole = bytes.len() - "HTTP/1.1".len();
        assert!(matches!(split(bytes, false), Ok(Framing::Whole(n)) if n == whole));
        assert!(matches!(
            split(&bytes[..whole - 2], false),
            Ok(Framing::Incomplete)
        ));
        let response = Response::parse(bytes[..whole].to_vec()).expect("a response");
        assert_eq!(response.body(), b"hello world");
        assert!(response.is_chunked());
        let cut = split_at_close(&bytes[..whole - 2], false).expect_err("cut");
        assert!(cut.problem.contains("last chunk"), "{}", cut.problem);
    }

    #[test]
    fn framing_no_client_can_trust_is_a_failure() {
        for (head, said) in [
            ("Content-Length: 5\r\nContent-Length: 6", "disagree"),
            ("Content-Length: +5", "digits only"),
            ("Content-Length: 5\r\nTransfer-Encoding: chunked", "both"),
        ] {
            let bytes = format!("HTTP/1.1 200 OK\r\n{head}\r\n\r\nhello");
            let failure = split(bytes.as_bytes(), false).err().expect(head);
            assert!(
                failure.problem.contains(said),
                "{head}: {}",
                failure.problem
            );
        }
        // The same length twice, or as a list of one value, is one length.
        let same = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok";
        assert!(matches!(split(same, false), Ok(Framing::Whole(n)) if n == same.len()));
    }

    #[test]
    fn connection_is_a_list_of_tokens_without_case() {
        let bytes =
            b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive, Upgrade\r\nConnection: Close\r\n\r\n";
        let response = Response::parse(bytes.to_vec()).expect("a response");
        assert!(response.connection_has("close"));
        assert!(response.connection_has("keep-alive"));
        assert!(!response.connection_has("keep"));
    }
}
