//! Anything a handler may return, and how it becomes a response.
//!
//! A handler that says hello returns `"Hello"`; one that creates something returns
//! `(Status::CREATED, json)`; one that can fail returns `Result<_, Error>`. Each of those types
//! knows how to become a [`Response`], so the handler says what it means and nothing more.

use stage03_parser::json::Value;
use stage03_parser::response::Response;
use stage03_parser::status::Status;

use crate::error::{Error, ErrorStyle};
use crate::reply::Reply;

// ANCHOR: into_response
/// A value that can be the answer to a request.
#[diagnostic::on_unimplemented(
    message = "a handler cannot return `{Self}`: it is not a response",
    note = "return text, `Html`, a JSON `Value`, a `Status`, `(Status, T)`, a `Redirect`, a \
            `NamedFile`, a `Response`, or `Result<T, Error>` of one of them"
)]
pub trait IntoResponse {
    /// The response it stands for.
    fn into_response(self) -> Response;
}
// ANCHOR_END: into_response

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

/// Text: `200 OK`, `text/plain; charset=utf-8`.
impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        Response::text(Status::OK, self)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        Response::text(Status::OK, self)
    }
}

/// A status alone: an empty body (`204 No Content`, `202 Accepted`).
impl IntoResponse for Status {
    fn into_response(self) -> Response {
        Response::new(self)
    }
}

/// JSON: `200 OK`, `application/json`.
impl IntoResponse for Value {
    fn into_response(self) -> Response {
        Response::json(Status::OK, &self)
    }
}

/// Any of the above with another status: `(Status::CREATED, json)`.
impl<T: IntoResponse> IntoResponse for (Status, T) {
    fn into_response(self) -> Response {
        let (status, body) = self;
        let mut response = body.into_response();
        response.set_status(status);
        response
    }
}

/// With headers too: `(Status::OK, [("Cache-Control", "no-store")], "hi")`.
impl<T: IntoResponse, const N: usize> IntoResponse for (Status, [(&str, &str); N], T) {
    fn into_response(self) -> Response {
        let (status, headers, body) = self;
        let mut response = (status, body).into_response();
        for (name, value) in headers {
            response.append_header(name, value);
        }
        response
    }
}

/// An HTML page: `200 OK`, `text/html; charset=utf-8`. The text is sent as it is: build it with
/// `escape_html` around anything a visitor wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html<T>(pub T);

impl<T: Into<String>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        Response::html(Status::OK, self.0)
    }
}

/// A redirect to `location`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    status: Status,
    location: String,
}

impl Redirect {
    /// `303 See Other`: "now GET this", the answer to a form that was posted.
    pub fn see_other(location: impl Into<String>) -> Redirect {
        Redirect {
            status: Status::SEE_OTHER,
            location: location.into(),
        }
    }

    /// `308 Permanent Redirect`: the resource lives at `location` from now on.
    pub fn permanent(location: impl Into<String>) -> Redirect {
        Redirect {
            status: Status::PERMANENT_REDIRECT,
            location: location.into(),
        }
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        Response::new(self.status).header("Location", self.location)
    }
}

// ANCHOR: into_reply
/// What a handler's return value becomes: a [`Reply`]. Anything that is [`IntoResponse`] is
/// ready at once; a `Result`'s error is rendered in the style the request asked for.
#[diagnostic::on_unimplemented(
    message = "a handler cannot return `{Self}`: it is not a response",
    note = "return text, `Html`, a JSON `Value`, a `Status`, `(Status, T)`, a `Redirect`, a \
            `NamedFile`, a `Response`, or `Result<T, Error>` of one of them"
)]
pub trait IntoReply {
    /// The reply, with errors rendered in `style`.
    fn into_reply(self, style: ErrorStyle) -> Reply;
}

impl<T: IntoResponse> IntoReply for T {
    fn into_reply(self, _: ErrorStyle) -> Reply {
        Reply::Ready(self.into_response())
    }
}

impl<T: IntoResponse, E: Into<Error>> IntoReply for Result<T, E> {
    fn into_reply(self, style: ErrorStyle) -> Reply {
        match self {
            Ok(value) => Reply::Ready(value.into_response()),
            Err(error) => Reply::Ready(error.into().render(style)),
        }
    }
}
// ANCHOR_END: into_reply

impl IntoReply for Reply {
    fn into_reply(self, _: ErrorStyle) -> Reply {
        self
    }
}
