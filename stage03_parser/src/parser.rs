//! The request parser: a state machine that is fed bytes and never touches a socket.
//!
//! A server reads whatever arrived, appends it to its buffer and calls [`Parser::parse`] with the
//! whole buffer. The parser remembers how far it got, so the next call starts there, and answers
//! one of three things: need more bytes, here is a request (and how many bytes it used), or here is
//! the HTTP error to answer. Because it does no I/O itself, this chapter's blocking server, chapter
//! 6's thread pool and chapter 7's async runtime all drive this same parser.

use crate::chunked::ChunkedDecoder;
use crate::error::ParseError;
use crate::framing::{Framing, framing};
use crate::head::{parse_field, parse_request_line};
use crate::headers::Headers;
use crate::host::check_host;
use crate::limits::Limits;
use crate::line::{LineError, LineReader};
use crate::request::{Request, Version};

// ANCHOR: parsed
/// What the parser made of the bytes so far (errors come as `Err(ParseError)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Not a whole request yet: read more, and call again with the longer buffer.
    Incomplete,
    /// A whole request, which used the first `consumed` bytes of the buffer. Whatever follows is
    /// the start of the next (pipelined) request.
    Complete { request: Request, consumed: usize },
}
// ANCHOR_END: parsed

// ANCHOR: state
/// Where the parser is in a request.
#[derive(Debug, Clone)]
enum State {
    /// Before the request line (empty lines before it are skipped, RFC 9112 §2.2).
    RequestLine,
    /// Reading header fields until the blank line.
    Fields,
    /// Head done, `Content-Length` body: it ends at `end` in the buffer.
    FixedBody { end: usize },
    /// Head done, chunked body being decoded.
    ChunkedBody(ChunkedDecoder),
    /// The request was refused: the same error again, whatever arrives next.
    Failed(ParseError),
}
// ANCHOR_END: state

/// An incremental HTTP/1.1 request parser.
///
/// Give [`Parser::parse`] the *whole* buffer every time, the same bytes as before plus any new
/// ones at the end. After `Complete { consumed, .. }`, remove the first `consumed` bytes from the
/// buffer: the parser has already reset itself for the next request.
///
/// # Examples
///
/// ```
/// use stage03_parser::{Limits, Method, Parsed, Parser};
///
/// let mut parser = Parser::new(Limits::default());
/// let mut buffer = b"GET /hello?name=J%C3%BCrgen HTTP/1.1\r\nHo".to_vec();
/// assert_eq!(parser.parse(&buffer), Ok(Parsed::Incomplete));
///
/// buffer.extend_from_slice(b"st: localhost\r\n\r\n");
/// let Ok(Parsed::Complete { request, consumed }) = parser.parse(&buffer) else { panic!() };
/// assert_eq!(request.method, Method::Get);
/// assert_eq!(request.query().unwrap().get("name"), Some("Jürgen"));
/// assert_eq!(consumed, buffer.len());
///
/// let error = parser.parse(b"GET / HTTP/2.0\r\n").unwrap_err();
/// assert_eq!(error.status().code(), 505);
/// ```
#[derive(Debug, Clone)]
pub struct Parser {
    limits: Limits,
    lines: LineReader,
    state: State,
    /// The request being built: set once the request line is read.
    request: Option<Request>,
    work: u64,
}

impl Parser {
    /// A parser waiting for the first byte of a request.
    pub fn new(limits: Limits) -> Parser {
        Parser {
            limits,
            lines: LineReader::new(0),
            state: State::RequestLine,
            request: None,
            work: 0,
        }
    }

    /// The limits this parser enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The request whose head is complete and whose body is still to come, if that is where the
    /// parser is. A server looks here to answer `Expect: 100-continue` before the body is sent.
    pub fn head(&self) -> Option<&Request> {
        match self.state {
            State::FixedBody { .. } | State::ChunkedBody(_) => self.request.as_ref(),
            State::RequestLine | State::Fields | State::Failed(_) => None,
        }
    }

    /// How many bytes the parser has looked at since it was made (each copy or scan of a byte
    /// counts one). Only the tests read it, to show the cost stays linear in the input however
    /// it is split; it is not part of the parser's API.
    #[cfg(test)]
    pub(crate) fn work(&self) -> u64 {
        self.work
    }

    // ANCHOR: parse
    /// Parses as far as `buf` allows. See the type's documentation for how to call it.
    pub fn parse(&mut self, buf: &[u8]) -> Result<Parsed, ParseError> {
        let outcome = self.step(buf);
        if let Err(error) = &outcome {
            self.state = State::Failed(error.clone());
        }
        outcome
    }
    // ANCHOR_END: parse

    /// Runs the state machine until it needs more bytes, completes or fails.
    fn step(&mut self, buf: &[u8]) -> Result<Parsed, ParseError> {
        loop {
            let advanced = match &mut self.state {
                State::RequestLine => self.request_line(buf)?,
                State::Fields => self.field(buf)?,
                State::FixedBody { end } => {
                    let end = *end;
                    if buf.len() < end {
                        false
                    } else {
                        let start = self.lines.position();
                        self.work += (end - start) as u64;
                        return Ok(self.complete(buf[start..end].to_vec(), end));
                    }
                }
                State::Failed(error) => return Err(error.clone()),
                State::ChunkedBody(decoder) => {
                    let mut body = Vec::new();
                    if let Some(request) = self.request.as_mut() {
                        body = std::mem::take(&mut request.body);
                    }
                    let end = decoder.decode(buf, &mut body, &mut self.work);
                    if let Some(request) = self.request.as_mut() {
                        request.body = body;
                    }
                    match end? {
                        Some(end) => return Ok(self.complete(Vec::new(), end)),
                        None => false,
                    }
                }
            };
            if !advanced {
                return Ok(Parsed::Incomplete);
            }
        }
    }

    /// Reads the request line if it is all there; `false` when more bytes are needed.
    fn request_line(&mut self, buf: &[u8]) -> Result<bool, ParseError> {
        let limit = self.limits.max_request_line;
        let found = self.next_line(buf, limit, |error| match error {
            LineError::TooLong => ParseError::RequestLineTooLong { limit },
            other => ParseError::BadRequestLine(line_error_text(other)),
        })?;
        let Some(range) = found else {
            return Ok(false);
        };
        if range.is_empty() {
            return Ok(true); // an empty line before the request line: skip it
        }
        let line = parse_request_line(&buf[range])?;
        self.request = Some(Request {
            method: line.method,
            target: line.target,
            version: line.version,
            headers: Headers::new(),
            body: Vec::new(),
            peer: None,
        });
        self.state = State::Fields;
        Ok(true)
    }

    /// Reads one header field, or the blank line that ends the head.
    fn field(&mut self, buf: &[u8]) -> Result<bool, ParseError> {
        // A field line may use what is left of the head's budget.
        let budget = self
            .limits
            .max_head
            .saturating_sub(self.lines.position() + 2);
        let limit = self.limits.max_head;
        let found = self.next_line(buf, budget, |error| match error {
            LineError::TooLong => ParseError::HeadTooLarge { limit },
            other => ParseError::BadHeader(line_error_text(other)),
        })?;
        let Some(range) = found else {
            return Ok(false);
        };
        let Some(request) = self.request.as_mut() else {
            return Err(ParseError::BadRequestLine("no request line")); // unreachable by design
        };
        if range.is_empty() {
            return self.end_of_head().map(|()| true);
        }
        if request.headers.len() == self.limits.max_headers {
            return Err(ParseError::TooManyHeaders {
                limit: self.limits.max_headers,
            });
        }
        let (name, value) = parse_field(&buf[range])?;
        request.headers.append(name, value);
        Ok(true)
    }

    /// The head is complete: check `Host`, decide the framing, start the body.
    fn end_of_head(&mut self) -> Result<(), ParseError> {
        let Some(request) = self.request.as_ref() else {
            return Err(ParseError::BadRequestLine("no request line"));
        };
        check_host(request.version, &request.headers)?;
        // RFC 9112 §6.1: HTTP/1.0 has no transfer codings, so a 1.0 request that names one has
        // faulty framing; a 1.0 proxy in front may have framed it by another rule.
        if request.version == Version::Http10 && request.headers.contains("transfer-encoding") {
            return Err(ParseError::BadTransferEncoding(
                "HTTP/1.0 has no Transfer-Encoding",
            ));
        }
        let start = self.lines.position();
        self.state = match framing(&request.headers, &self.limits)? {
            // Checked: with `max_body` raised to `usize::MAX`, a huge length would wrap around.
            Framing::Length(length) => State::FixedBody {
                end: start.checked_add(length).ok_or(ParseError::BodyTooLarge {
                    limit: self.limits.max_body,
                })?,
            },
            Framing::Chunked => State::ChunkedBody(ChunkedDecoder::new(start, self.limits)),
        };
        Ok(())
    }

    /// The next line of the head, at most `max` bytes; the head-size limit checked once it is in.
    fn next_line(
        &mut self,
        buf: &[u8],
        max: usize,
        on_error: impl Fn(LineError) -> ParseError,
    ) -> Result<Option<std::ops::Range<usize>>, ParseError> {
        let found = self
            .lines
            .next_line(buf, max, &mut self.work)
            .map_err(on_error)?;
        if let Some(range) = &found {
            self.work += range.len() as u64; // the line is read once more, by its grammar
            if self.lines.position() > self.limits.max_head {
                return Err(ParseError::HeadTooLarge {
                    limit: self.limits.max_head,
                });
            }
        }
        Ok(found)
    }

    /// Hands out the finished request and resets for the next one.
    fn complete(&mut self, fixed_body: Vec<u8>, consumed: usize) -> Parsed {
        let request = self.request.take();
        let work = self.work;
        *self = Parser::new(self.limits);
        self.work = work;
        match request {
            Some(mut request) => {
                if !fixed_body.is_empty() {
                    request.body = fixed_body;
                }
                Parsed::Complete { request, consumed }
            }
            None => Parsed::Incomplete, // unreachable: a body state always has a request
        }
    }
}

fn line_error_text(error: LineError) -> &'static str {
    match error {
        LineError::BareCr => "a CR not followed by LF",
        LineError::BareLf => "lines must end in CRLF, not a bare LF",
        LineError::Control => "a control character",
        LineError::TooLong => "too long",
    }
}

#[cfg(test)]
mod tests {
    use super::{Parsed, Parser};
    use crate::Limits;

    // ANCHOR: linear_work
    /// Feeding a request one byte per call costs a bounded number of looks per byte: no re-scan.
    #[test]
    fn byte_at_a_time_costs_linear_work() {
        for fields in [1, 10, 90] {
            let mut input = b"POST /upload HTTP/1.1\r\nHost: example.com\r\n".to_vec();
            for i in 0..fields {
                input.extend_from_slice(format!("X-Field-{i}: some value here\r\n").as_bytes());
            }
            input.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            for _ in 0..fields {
                input.extend_from_slice(b"10\r\n0123456789abcdef\r\n");
            }
            input.extend_from_slice(b"0\r\n\r\n");

            let mut parser = Parser::new(Limits::default());
            let mut outcome = Ok(Parsed::Incomplete);
            for end in 1..=input.len() {
                outcome = parser.parse(&input[..end]);
            }
            assert!(
                matches!(outcome, Ok(Parsed::Complete { .. })),
                "{outcome:?}"
            );
            let per_byte = parser.work() as f64 / input.len() as f64;
            assert!(
                per_byte <= 2.0,
                "{fields} fields: {per_byte:.2} looks per byte"
            );
        }
    }
    // ANCHOR_END: linear_work
}
