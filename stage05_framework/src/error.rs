//! Errors that reach the framework, and the body each kind of client should get for them.
//!
//! A handler returns `Result<T, Error>` and uses `?`; the framework turns the error into its
//! status and a body in the form the client reads: an HTML page for a browser, JSON for an API
//! client, plain text otherwise. The handler says *what* went wrong; the framework says it in the
//! client's language.

use std::fmt;

use stage01_tcp_echo::log;
use stage03_parser::Request;
use stage03_parser::json::{JsonError, Value};
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::url::UrlError;

use stage04_router::dispatch::{escape_html, page_response};

/// An error with the status it should be answered with.
///
/// # Examples
///
/// ```
/// use stage05_framework::{Error, ErrorStyle};
/// use stage03_parser::status::Status;
///
/// let error = Error::new(Status::NOT_FOUND, "no message 7");
/// let page = error.render(ErrorStyle::Json);
/// assert_eq!(page.status(), Status::NOT_FOUND);
/// assert_eq!(page.body(), br#"{"error":"no message 7"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    status: Status,
    message: String,
    headers: Vec<(String, String)>,
}

impl Error {
    /// An error answered with `status`, saying `message`.
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        Error {
            status,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// `400 Bad Request`: the client sent something this handler cannot use.
    pub fn bad_request(message: impl Into<String>) -> Error {
        Error::new(Status::BAD_REQUEST, message)
    }

    /// `404 Not Found`.
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(Status::NOT_FOUND, message)
    }

    /// A `500` that tells the client nothing of `cause`, and logs it: what went wrong inside
    /// the server is for its operator, not for whoever sent the request.
    pub fn internal(cause: impl fmt::Display) -> Error {
        log!("internal error: {cause}");
        Error::new(Status::INTERNAL_SERVER_ERROR, "Internal Server Error")
    }

    /// The same error with a header on its response: `WWW-Authenticate` on a 401,
    /// `Retry-After` on a 429 or a 503.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Error {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The status it is answered with.
    pub fn status(&self) -> Status {
        self.status
    }

    /// What it says.
    pub fn message(&self) -> &str {
        &self.message
    }

    // ANCHOR: render
    /// The response for this error, in `style`. It says `Vary: Accept`: the body depends on the
    /// request's `Accept`, so a cache must not hand one client's page to another.
    pub fn render(&self, style: ErrorStyle) -> Response {
        let mut response = self.body(style);
        response.append_header("Vary", "Accept");
        for (name, value) in &self.headers {
            response.append_header(name, value.as_str());
        }
        response
    }

    fn body(&self, style: ErrorStyle) -> Response {
        match style {
            ErrorStyle::Json => {
                let body = Value::object([("error", Value::from(self.message.as_str()))]);
                Response::json(self.status, &body)
            }
            ErrorStyle::Html => page_response(
                self.status,
                &format!("<p>{}</p>", escape_html(&self.message)),
            ),
            ErrorStyle::Text => Response::text(self.status, format!("{}\n", self.message)),
        }
    }
    // ANCHOR_END: render
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status.code(), self.message)
    }
}

impl std::error::Error for Error {}

/// A body that is not the JSON it claims to be is the client's mistake: 400, saying where.
impl From<JsonError> for Error {
    fn from(error: JsonError) -> Error {
        Error::bad_request(format!("invalid JSON body: {error}"))
    }
}

/// A file or a disk that failed: the server's problem, logged, and a bare 500 for the client.
impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Error {
        Error::internal(error)
    }
}

/// A query or form that does not decode: 400.
impl From<UrlError> for Error {
    fn from(error: UrlError) -> Error {
        Error::bad_request(format!("invalid form or query: {error}"))
    }
}

// ANCHOR: error_style
/// The form an error's body takes, chosen from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStyle {
    /// `text/plain`: curl, scripts, anything that did not say.
    Text,
    /// An HTML page: a browser (`Accept: text/html`).
    Html,
    /// `{"error": "..."}`: an API client (`Accept: application/json`), or any path under `/api/`.
    Json,
}

impl ErrorStyle {
    /// The style `request` should get.
    pub fn of(request: &Request) -> ErrorStyle {
        // Media types are compared without regard to case, here without a lowered copy: this
        // runs for every request, and most never need their error style.
        let accept = request.header("accept").unwrap_or_default().as_bytes();
        let accepts = |kind: &str| {
            accept
                .windows(kind.len())
                .any(|window| window.eq_ignore_ascii_case(kind.as_bytes()))
        };
        if request.path().starts_with("/api/") || accepts("application/json") {
            ErrorStyle::Json
        } else if accepts("text/html") {
            ErrorStyle::Html
        } else {
            ErrorStyle::Text
        }
    }
}
// ANCHOR_END: error_style
