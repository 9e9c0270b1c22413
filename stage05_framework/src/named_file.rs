//! A file as a handler's answer: `fn report() -> Result<NamedFile, Error>`.
//!
//! The `/static/` route serves a whole folder; a handler that decides *which* file to send (a
//! download after a check, a report it just wrote) returns a [`NamedFile`] instead. It is sent
//! from the disk in pieces, never read into memory whole, with the `Content-Type` its extension
//! gives and its `Last-Modified` date, and opened as the static files are (the same 404 and 503),
//! counted among the files being sent ([`sending`](crate::sending)).
//! It answers no `If-None-Match` and no `Range`: for those, serve the folder. Rocket and actix-web
//! call their type the same.

use std::path::Path;
use std::time::UNIX_EPOCH;

use stage03_parser::body_stream::BodyStream;
use stage03_parser::date::http_date;
use stage03_parser::{Response, Status};

use crate::error::Error;
use crate::into_response::IntoResponse;
use crate::sending::{SendingFile, open_to_send};
use crate::static_files::content_type;

/// An open file, ready to be sent.
#[derive(Debug)]
pub struct NamedFile {
    file: SendingFile,
    length: u64,
    content_type: &'static str,
    last_modified: String,
}

impl NamedFile {
    /// Opens the regular file at `path`, as the `/static/` route opens its files: one that is not
    /// there for this client (missing, not readable, not a regular file) is a `404` that does not
    /// say the path, one that cannot be opened now (out of file descriptors) a `503`. The path is
    /// the handler's choice: never build it from a request's words without the checks the
    /// `/static/` route makes.
    pub fn open(path: impl AsRef<Path>) -> Result<NamedFile, Error> {
        let path = path.as_ref();
        let (file, metadata) = open_to_send(path)?;
        Ok(NamedFile {
            file: SendingFile::new(file)?,
            length: metadata.len(),
            content_type: content_type(path),
            last_modified: http_date(metadata.modified().unwrap_or(UNIX_EPOCH)),
        })
    }

    /// Its length in bytes, as `Content-Length` will say.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }
}

/// `200 OK`, the file streamed from the disk.
impl IntoResponse for NamedFile {
    fn into_response(self) -> Response {
        Response::new(Status::OK)
            .with_stream(BodyStream::new(self.file, self.length), self.content_type)
            .header("Last-Modified", self.last_modified)
            .header("X-Content-Type-Options", "nosniff")
    }
}
