//! Everything that can be wrong with a request, and the status each one is answered with.

use std::fmt;

use crate::status::Status;
use crate::url::UrlError;

// ANCHOR: parse_error
/// Why a request was refused. Every variant knows its status ([`ParseError::status`]), so a
/// server answers it without a table of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The request line is not `METHOD SP request-target SP HTTP-version`. → 400
    BadRequestLine(&'static str),
    /// The request target is not a form this server accepts. → 400
    BadTarget(&'static str),
    /// The path has a bad percent-escape (the query's are the handler's to find). → 400
    BadPercentEncoding(UrlError),
    /// A well-formed version whose major number is not 1, such as `HTTP/2.0`. → 505
    UnsupportedVersion(String),
    /// The request line is longer than `Limits::max_request_line`. → 414
    RequestLineTooLong { limit: usize },
    /// A header line is malformed: the reason says how. → 400
    BadHeader(&'static str),
    /// An HTTP/1.1 request without `Host`, any request with two, or one that is not
    /// `host[:port]`. → 400
    BadHost(&'static str),
    /// The head is larger than `Limits::max_head`. → 431
    HeadTooLarge { limit: usize },
    /// More header fields than `Limits::max_headers`. → 431
    TooManyHeaders { limit: usize },
    /// `Content-Length` is not just digits, or two of them disagree. → 400
    BadContentLength(&'static str),
    /// Both `Content-Length` and `Transfer-Encoding`: the body's end is ambiguous. → 400
    ContentLengthWithTransferEncoding,
    /// A `Transfer-Encoding` list this server cannot decode the way it is written. → 400
    BadTransferEncoding(&'static str),
    /// A transfer coding other than `chunked`, named. → 501
    UnsupportedTransferCoding(String),
    /// Chunked framing is malformed: the reason says how. → 400
    BadChunk(&'static str),
    /// The body is larger than `Limits::max_body`. → 413
    BodyTooLarge { limit: usize },
}

// ANCHOR: parse_error_status
impl ParseError {
    /// The status to answer this error with.
    pub fn status(&self) -> Status {
        match self {
            ParseError::UnsupportedVersion(_) => Status::HTTP_VERSION_NOT_SUPPORTED,
            ParseError::RequestLineTooLong { .. } => Status::URI_TOO_LONG,
            ParseError::HeadTooLarge { .. } | ParseError::TooManyHeaders { .. } => {
                Status::REQUEST_HEADER_FIELDS_TOO_LARGE
            }
            ParseError::UnsupportedTransferCoding(_) => Status::NOT_IMPLEMENTED,
            ParseError::BodyTooLarge { .. } => Status::PAYLOAD_TOO_LARGE,
            _ => Status::BAD_REQUEST,
        }
    }
}
// ANCHOR_END: parse_error_status
// ANCHOR_END: parse_error

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::BadRequestLine(why) => write!(f, "malformed request line: {why}"),
            ParseError::BadTarget(why) => write!(f, "bad request target: {why}"),
            ParseError::BadPercentEncoding(e) => write!(f, "bad request target: {e}"),
            ParseError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "HTTP version {v:?} is not supported (only HTTP/1.0 and HTTP/1.1)"
                )
            }
            ParseError::RequestLineTooLong { limit } => {
                write!(f, "request line longer than {limit} bytes")
            }
            ParseError::BadHeader(why) => write!(f, "malformed header field: {why}"),
            ParseError::BadHost(why) => write!(f, "bad Host: {why}"),
            ParseError::HeadTooLarge { limit } => {
                write!(f, "request head larger than {limit} bytes")
            }
            ParseError::TooManyHeaders { limit } => write!(f, "more than {limit} header fields"),
            ParseError::BadContentLength(why) => write!(f, "bad Content-Length: {why}"),
            ParseError::ContentLengthWithTransferEncoding => f.write_str(
                "both Content-Length and Transfer-Encoding: the body's length is ambiguous",
            ),
            ParseError::BadTransferEncoding(why) => write!(f, "bad Transfer-Encoding: {why}"),
            ParseError::UnsupportedTransferCoding(c) => {
                write!(f, "transfer coding {c:?} is not implemented (only chunked)")
            }
            ParseError::BadChunk(why) => write!(f, "malformed chunked body: {why}"),
            ParseError::BodyTooLarge { limit } => write!(f, "body larger than {limit} bytes"),
        }
    }
}

impl std::error::Error for ParseError {}

impl From<UrlError> for ParseError {
    fn from(error: UrlError) -> ParseError {
        ParseError::BadPercentEncoding(error)
    }
}
