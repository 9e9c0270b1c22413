//! The Response builder: a status, ordered headers and a body, written out as one buffer.
//!
//! Like the parser, it does no I/O: [`Response::write_to`] appends the bytes to a buffer the
//! server owns and the server writes them. One buffer, head and body together, so a server can
//! send it with a single `write_all` (two writes on a kept-alive connection meet Nagle's algorithm
//! and delayed ACKs: ~40 ms each); and a buffer the caller owns, so several pipelined answers can
//! go out in one write too.
//!
//! Three things are the builder's job rather than the handler's, because handlers get them wrong:
//! - header names and values are checked, so text from a client cannot add headers of its own
//!   (response splitting, [`HeaderError`]);
//! - `Content-Length` is computed from the body when the response is written, never set by hand;
//! - `Date` is added unless the handler set one.
//!
//! A refused header does not make every builder call return a `Result` for the handler to
//! unwrap: the builder keeps the first refusal, and a response that holds one is never sent as
//! it is. It is written as a `500 Internal Server Error` instead, and the server logs
//! [`Response::refused_header`]: the handler's bug is the server's problem, never the client's.

use crate::body_stream::BodyStream;
use crate::date::write_http_date;
use crate::headers::{HeaderValue, Headers};
use crate::json::Value;
use crate::method::is_token_byte;
use crate::status::Status;
use std::fmt;
use std::io::Write;
use std::time::SystemTime;

/// An HTTP response being built.
///
/// # Examples
///
/// ```
/// use stage03_parser::response::Response;
/// use stage03_parser::status::Status;
///
/// let response = Response::text(Status::OK, "Hello, World!").header("Cache-Control", "no-store");
/// let text = String::from_utf8(response.to_bytes()).unwrap();
/// assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(text.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"));
/// assert!(text.contains("\r\nContent-Length: 13\r\n"));
/// assert!(text.ends_with("\r\n\r\nHello, World!"));
///
/// // A value with a line break would start a header of the attacker's choosing: refused, and
/// // the response goes out as a 500 rather than with that header.
/// let attack = "x\r\nSet-Cookie: session=stolen";
/// let response = Response::text(Status::OK, "hi").header("X-Name", attack);
/// assert!(response.refused_header().is_some());
/// let text = String::from_utf8(response.to_bytes()).unwrap();
/// assert!(text.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
/// assert!(!text.contains("Set-Cookie"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    status: Status,
    headers: Headers,
    body: Vec<u8>,
    /// A body to be read in pieces as it is sent, instead of `body` (chapter 5's files).
    stream: Option<BodyStream>,
    /// The first header the builder refused: while it is here, the response is written as a 500.
    refused: Option<HeaderError>,
}

/// A header the builder refuses to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// The name is empty or has a character that is not a token character (RFC 9110 §5.1).
    InvalidName(String),
    /// The value has a control character other than tab: CR or LF would end the field early and
    /// let the rest pass for headers (or a body) of someone else's choosing; NUL is refused by
    /// many peers and truncates in C ones.
    InvalidValue { name: String, byte: u8 },
    /// A field the builder computes itself: `Content-Length` (from the body) and
    /// `Transfer-Encoding` (this builder frames every body with `Content-Length`).
    Computed(String),
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::InvalidName(name) => write!(f, "invalid header name {name:?}"),
            HeaderError::InvalidValue { name, byte } => write!(
                f,
                "the value of header {name} contains the control character {:?}",
                char::from(*byte)
            ),
            HeaderError::Computed(name) => {
                write!(f, "{name} is computed from the body and cannot be set")
            }
        }
    }
}

impl std::error::Error for HeaderError {}

const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";
// RFC 8259 §11 defines no charset parameter for application/json: JSON text is UTF-8, always.
const JSON: &str = "application/json";

impl Response {
    /// A response with this status, no headers and an empty body.
    pub fn new(status: Status) -> Response {
        Response {
            status,
            headers: Headers::new(),
            body: Vec::new(),
            stream: None,
            refused: None,
        }
    }

    /// A plain-text response, `Content-Type: text/plain; charset=utf-8`.
    ///
    /// The charset matters: without it a browser may read the UTF-8 bytes as Windows-1252, and
    /// `Grüße` shows as `GrÃ¼ÃŸe`.
    pub fn text(status: Status, body: impl Into<String>) -> Response {
        Response::new(status).with_body(body.into(), TEXT)
    }

    /// An HTML response, `Content-Type: text/html; charset=utf-8`.
    pub fn html(status: Status, body: impl Into<String>) -> Response {
        Response::new(status).with_body(body.into(), HTML)
    }

    /// A JSON response, `Content-Type: application/json`, the value written compactly.
    ///
    /// # Examples
    ///
    /// ```
    /// use stage03_parser::json::Value;
    /// use stage03_parser::response::Response;
    /// use stage03_parser::status::Status;
    ///
    /// let created = Value::object([("id", Value::from(1)), ("text", Value::from("hi"))]);
    /// let response = Response::json(Status::CREATED, &created);
    /// assert_eq!(response.headers().get("content-type").unwrap(), "application/json");
    /// assert_eq!(response.body(), br#"{"id":1,"text":"hi"}"#);
    /// ```
    pub fn json(status: Status, value: &Value) -> Response {
        Response::new(status).with_body(value.to_string(), JSON)
    }

    /// Replaces the body, with the `Content-Type` that describes it.
    pub fn with_body(
        mut self,
        body: impl Into<Vec<u8>>,
        content_type: impl Into<HeaderValue>,
    ) -> Response {
        self.set_header("Content-Type", content_type);
        self.body = body.into();
        self.stream = None;
        self
    }

    /// A body read from `stream` as it is sent, with the `Content-Type` that describes it. The
    /// response says the stream's length in `Content-Length`; [`Response::write_to`] writes the
    /// head, and whoever sends it copies the stream after it ([`Response::take_stream`]).
    pub fn with_stream(
        mut self,
        stream: BodyStream,
        content_type: impl Into<HeaderValue>,
    ) -> Response {
        self.set_header("Content-Type", content_type);
        self.body = Vec::new();
        self.stream = Some(stream);
        self
    }

    /// The streamed body, if there is one.
    pub fn stream(&self) -> Option<&BodyStream> {
        self.stream.as_ref()
    }

    /// Takes the streamed body out, for the code that sends it; the head still says its length.
    pub fn take_stream(&mut self) -> Option<BodyStream> {
        self.stream.take()
    }

    /// Sets a header (replacing any of that name), builder style.
    pub fn header(mut self, name: &str, value: impl Into<HeaderValue>) -> Response {
        self.set_header(name, value);
        self
    }

    /// Sets a header, replacing every header of that name (compared without regard to case).
    /// A header the builder refuses is not set; see [`Response::refused_header`].
    pub fn set_header(&mut self, name: &str, value: impl Into<HeaderValue>) {
        let value = value.into();
        if self.accepts(name, &value) {
            self.headers.set(name, value);
        }
    }

    /// Adds a header after any others of that name (`Set-Cookie` is sent once per cookie).
    pub fn append_header(&mut self, name: &str, value: impl Into<HeaderValue>) {
        let value = value.into();
        if self.accepts(name, &value) {
            self.headers.append(name, value);
        }
    }

    /// Removes every header of that name.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.remove(name);
    }

    /// Changes the status.
    pub fn set_status(&mut self, status: Status) {
        self.status = status;
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The headers set so far (without `Content-Length` and `Date`, added when written).
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The first header the builder refused, if any: such a response is written as a `500`.
    pub fn refused_header(&self) -> Option<&HeaderError> {
        self.refused.as_ref()
    }

    /// The response as bytes to send, dated now.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out, false, SystemTime::now());
        out
    }

    /// The response to a `HEAD` request, dated now: the same head as [`Response::to_bytes`],
    /// `Content-Length` included, and no body (RFC 9110 §9.3.2).
    pub fn to_bytes_head(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out, true, SystemTime::now());
        out
    }

    // ANCHOR: serialize
    /// Appends the response to `out`: status line, headers, `Date` (at `now`, unless one was
    /// set), `Content-Length`, a blank line, and the body unless `head_only` (the answer to
    /// `HEAD`). The body is copied once, into `out`.
    ///
    /// 1xx, 204 and 304 responses never have a body nor a `Content-Length` (RFC 9110 §8.6): a body
    /// given to one of them is not sent. A response holding a refused header is written as a bare
    /// `500` instead: none of its headers is sent.
    pub fn write_to(&self, out: &mut Vec<u8>, head_only: bool, now: SystemTime) {
        if self.refused.is_some() {
            let failed = Response::text(Status::INTERNAL_SERVER_ERROR, "Internal Server Error\n");
            return failed.write_to(out, head_only, now);
        }
        let has_body = !self.status.forbids_body();
        let sent_body: &[u8] = if has_body && !head_only {
            &self.body
        } else {
            &[]
        };
        out.reserve(128 + 32 * self.headers.len() + sent_body.len());
        // `write!` into the buffer itself: no `String` made and dropped for each response.
        let _ = write!(out, "HTTP/1.1 {}\r\n", self.status); // a `Vec` never fails to grow
        if !self.headers.contains("Date") {
            out.extend_from_slice(b"Date: ");
            write_http_date(out, now);
            out.extend_from_slice(b"\r\n");
        }
        for (name, value) in self.headers.iter() {
            write_field(out, name, value.as_bytes());
        }
        if has_body {
            // A streamed body is not in `body`: the length is the stream's, its bytes come after.
            let length = self
                .stream
                .as_ref()
                .map_or(self.body.len() as u64, BodyStream::len);
            let _ = write!(out, "Content-Length: {length}\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(sent_body);
    }
    // ANCHOR_END: serialize

    /// Checks a header before it is set; a refused one is remembered (the first only).
    fn accepts(&mut self, name: &str, value: &HeaderValue) -> bool {
        match check_header(name, value.as_bytes()) {
            Ok(()) => true,
            Err(error) => {
                self.refused.get_or_insert(error);
                false
            }
        }
    }
}

fn write_field(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

// ANCHOR: check_header
/// Refuses what must never reach the wire: a name that is not a token, a value with a control
/// character (CR and LF above all), and the fields the builder computes itself.
fn check_header(name: &str, value: &[u8]) -> Result<(), HeaderError> {
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(HeaderError::InvalidName(name.to_owned()));
    }
    if name.eq_ignore_ascii_case("Content-Length") || name.eq_ignore_ascii_case("Transfer-Encoding")
    {
        return Err(HeaderError::Computed(name.to_owned()));
    }
    // RFC 9110 §5.5: a field value is visible characters, spaces and tabs, and obs-text (bytes
    // from 0x80: UTF-8 text passes).
    match value.iter().find(|&&b| b.is_ascii_control() && b != b'\t') {
        Some(&byte) => Err(HeaderError::InvalidValue {
            name: name.to_owned(),
            byte,
        }),
        None => Ok(()),
    }
}
// ANCHOR_END: check_header

#[cfg(test)]
mod tests {
    use super::{HeaderError, Response};
    use crate::status::Status;
    use std::time::{Duration, UNIX_EPOCH};

    const DATE: &str = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";

    fn written(response: &Response, head: bool) -> String {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let mut out = Vec::new();
        response.write_to(&mut out, head, now);
        String::from_utf8(out).expect("the tests' bodies are UTF-8")
    }

    #[test]
    fn header_checks() {
        let invalid_value = |name: &str, byte| {
            Err(HeaderError::InvalidValue {
                name: name.into(),
                byte,
            })
        };
        let cases: [(&str, &str, Result<(), HeaderError>); 12] = [
            ("X-Ok", "a value, with: punctuation\t and tab", Ok(())),
            ("X-Utf8", "Grüße", Ok(())),
            ("x-lower_!#$%&'*+.^`|~", "v", Ok(())),
            (
                "X-Split",
                "a\r\nSet-Cookie: x=1",
                invalid_value("X-Split", b'\r'),
            ),
            ("X-Lf", "a\nb", invalid_value("X-Lf", b'\n')),
            ("X-Nul", "a\0b", invalid_value("X-Nul", b'\0')),
            ("X-Del", "a\x7fb", invalid_value("X-Del", b'\x7f')),
            ("", "v", Err(HeaderError::InvalidName("".into()))),
            (
                "X Space",
                "v",
                Err(HeaderError::InvalidName("X Space".into())),
            ),
            (
                "X:Colon",
                "v",
                Err(HeaderError::InvalidName("X:Colon".into())),
            ),
            (
                "X\r\nInjected",
                "v",
                Err(HeaderError::InvalidName("X\r\nInjected".into())),
            ),
            (
                "content-length",
                "5",
                Err(HeaderError::Computed("content-length".into())),
            ),
        ];
        for (name, value, expected) in cases {
            let mut response = Response::new(Status::OK);
            response.set_header(name, value);
            response.append_header(name, value);
            assert_eq!(
                response.refused_header().cloned().map_or(Ok(()), Err),
                expected
            );
            // A refused header is not kept.
            assert_eq!(
                response.headers().contains(name),
                expected.is_ok(),
                "{name:?}"
            );
        }
        let refused = Response::new(Status::OK).header("Transfer-Encoding", "chunked");
        assert_eq!(
            refused.refused_header(),
            Some(&HeaderError::Computed("Transfer-Encoding".into()))
        );
    }

    #[test]
    fn a_refused_header_makes_the_response_a_500_and_the_first_refusal_is_kept() {
        let response = Response::text(Status::OK, "secret")
            .header("X-Ok", "fine")
            .header("X-Bad", "a\r\nSet-Cookie: x=1")
            .header("Bad Name", "v");
        assert_eq!(
            response.refused_header(),
            Some(&HeaderError::InvalidValue {
                name: "X-Bad".into(),
                byte: b'\r'
            })
        );
        for head in [false, true] {
            let text = written(&response, head);
            assert!(
                text.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
                "{text}"
            );
            assert!(!text.contains("X-Ok") && !text.contains("secret"), "{text}");
        }
    }

    #[test]
    fn obs_text_in_a_value_is_sent_byte_for_byte() {
        let response = Response::new(Status::OK).header("X-Latin1", b"caf\xe9".to_vec());
        let mut out = Vec::new();
        response.write_to(&mut out, false, UNIX_EPOCH);
        assert!(out.windows(15).any(|w| w == b"X-Latin1: caf\xe9\r"));
    }

    #[test]
    fn write_to_appends_to_what_the_buffer_holds() {
        let mut out = b"earlier answer".to_vec();
        Response::text(Status::OK, "next").write_to(&mut out, false, UNIX_EPOCH);
        assert!(out.starts_with(b"earlier answerHTTP/1.1 200 OK\r\n"));
        assert!(out.ends_with(b"\r\n\r\nnext"));
    }

    #[test]
    fn serializes_head_and_body() {
        let cases = [
            (
                Response::text(Status::OK, "Grüße"),
                false,
                "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
                 Content-Type: text/plain; charset=utf-8\r\nContent-Length: 7\r\n\r\nGrüße",
            ),
            (
                Response::text(Status::OK, "Grüße"),
                true,
                "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
                 Content-Type: text/plain; charset=utf-8\r\nContent-Length: 7\r\n\r\n",
            ),
            (
                Response::new(Status::NOT_FOUND),
                false,
                "HTTP/1.1 404 Not Found\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
                 Content-Length: 0\r\n\r\n",
            ),
        ];
        for (response, head, expected) in cases {
            assert_eq!(written(&response, head), expected);
        }
    }

    #[test]
    fn bodiless_statuses_have_no_body_nor_length() {
        for status in [Status::CONTINUE, Status::NO_CONTENT, Status::NOT_MODIFIED] {
            let response = Response::text(status, "ignored");
            for head in [false, true] {
                let expected = format!(
                    "HTTP/1.1 {status}\r\n{DATE}Content-Type: text/plain; charset=utf-8\r\n\r\n"
                );
                assert_eq!(written(&response, head), expected, "{status}");
            }
        }
    }

    #[test]
    fn a_date_set_by_the_handler_is_kept() {
        let response = Response::new(Status::OK).header("date", "Thu, 01 Jan 1970 00:00:00 GMT");
        let text = written(&response, false);
        assert_eq!(text.matches("ate: ").count(), 1, "{text}");
        assert!(
            text.contains("\r\ndate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"),
            "{text}"
        );
    }

    #[test]
    fn headers_keep_their_order_and_repeats() {
        let mut response = Response::html(Status::OK, "<p>hi</p>");
        response.append_header("Set-Cookie", "a=1");
        response.append_header("Set-Cookie", "b=2");
        response.set_header("content-type", "text/html");
        let text = written(&response, false);
        let expected = format!(
            "HTTP/1.1 200 OK\r\n{DATE}Content-Type: text/html\r\nSet-Cookie: a=1\r\n\
             Set-Cookie: b=2\r\nContent-Length: 9\r\n\r\n<p>hi</p>"
        );
        assert_eq!(text, expected);
    }
}
