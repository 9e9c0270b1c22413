//! Files from a folder: `GET /static/{*path}`, with no way out of the folder.
//!
//! The path the router hands over is decoded already (chapter 4), so `%2e%2e` is `..` by the
//! time it arrives here, and `%2F` a `/`. Every piece of it is checked before it touches the file
//! system, and the file found is checked again after the operating system has followed any
//! symbolic link, so that neither `..`, nor a backslash, nor a link that points elsewhere can
//! reach a file outside the folder. What is refused is a `404`, the same as a file that is not
//! there: an attacker learns nothing from the answer.
//!
//! Someone who can write into the served folder is trusted: they could swap a file for a link
//! between the check and the open, and a hard link to a file outside is that file. The checks
//! keep out what a *client* can do.
//!
//! A file is sent as a [`BodyStream`], a piece at a time, never read into memory whole. It comes
//! with `Last-Modified` and `ETag`, so a browser can ask "has it changed?" and get `304 Not
//! Modified`; and with `Accept-Ranges`, so a video player can ask for one range of it and get
//! `206 Partial Content`.

use std::fs;
use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use stage03_parser::body_stream::BodyStream;
use stage03_parser::date::http_date;
use stage03_parser::{Method, Request, Response, Status};

use crate::error::{Error, ErrorStyle};
use crate::sending::{SendingFile, no_such_file, open_to_send};

/// A folder whose files are served.
#[derive(Debug, Clone)]
pub struct StaticFiles {
    root: PathBuf,
}

impl StaticFiles {
    /// Serves the files under `root`, which must exist.
    pub fn new(root: impl AsRef<Path>) -> io::Result<StaticFiles> {
        Ok(StaticFiles {
            // Resolved once, links and all: every file served must be under this exact path.
            root: fs::canonicalize(root)?,
        })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    // ANCHOR: serve
    /// The answer to `request` for the file at `path` (the route's decoded `{*path}`).
    pub fn serve(&self, request: &Request, path: &str) -> Response {
        let Some(file) = self.find(path) else {
            return not_found(request);
        };
        let (handle, metadata) = match open_to_send(&file) {
            Ok(opened) => opened,
            Err(error) => return error.render(ErrorStyle::of(request)),
        };
        let length = metadata.len();
        let modified = metadata.modified().unwrap_or(UNIX_EPOCH);
        let etag = entity_tag(length, modified);
        let last_modified = http_date(modified);
        let validators = |response: Response| {
            response
                .header("ETag", etag.as_str())
                .header("Last-Modified", last_modified.as_str())
                .header("Accept-Ranges", "bytes")
                .header("X-Content-Type-Options", "nosniff")
        };
        if not_modified(request, &etag, &last_modified) {
            return validators(Response::new(Status::NOT_MODIFIED));
        }
        let content_type = content_type(&file);
        // `If-Range`: a client resuming a download asks for the rest only if the file is still
        // the one it has; otherwise it must get the whole new file (RFC 9110 §13.1.5).
        let same_file = request
            .header("if-range")
            .is_none_or(|v| v == etag || v == last_modified);
        let wanted = if same_file {
            range(request, length)
        } else {
            Range::Whole
        };
        if wanted == Range::Unsatisfiable {
            return Error::new(Status::RANGE_NOT_SATISFIABLE, "no such range")
                .with_header("Content-Range", format!("bytes */{length}"))
                .render(ErrorStyle::of(request));
        }
        // A body is sent from here on: the open file takes one of the places for files being
        // sent (a `304` or a `416` above needs none).
        let handle = match SendingFile::new(handle) {
            Ok(handle) => handle,
            Err(error) => return error.render(ErrorStyle::of(request)),
        };
        match wanted {
            Range::Part { start, end } => {
                let Ok(part) = part_of(handle, start, end) else {
                    return not_found(request);
                };
                let partial = Response::new(Status::PARTIAL_CONTENT)
                    .with_stream(part, content_type)
                    .header("Content-Range", format!("bytes {start}-{end}/{length}"));
                validators(partial)
            }
            _ => {
                let body = BodyStream::new(handle, length);
                validators(Response::new(Status::OK).with_stream(body, content_type))
            }
        }
    }
    // ANCHOR_END: serve

    // ANCHOR: find
    /// The file `path` names inside the folder, or `None` if it names none there.
    fn find(&self, path: &str) -> Option<PathBuf> {
        let mut file = self.root.clone();
        for part in path.split('/') {
            if !is_plain_name(part) {
                return None;
            }
            file.push(part);
        }
        // Follow every symbolic link, then check the result is still inside the folder, and
        // still free of hidden names: a link `config.txt -> .env` must not serve `.env`.
        let mut file = fs::canonicalize(file).ok()?;
        if file.is_dir() {
            file = fs::canonicalize(file.join("index.html")).ok()?;
        }
        let inside = file.strip_prefix(&self.root).ok()?;
        let hidden = inside
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        (!hidden && file.is_file()).then_some(file)
    }
    // ANCHOR_END: find
}

// ANCHOR: plain_name
/// Whether `part` is a name a file may have here: not empty, not `.` or `..` (nor any name that
/// starts with a dot: `.git`, `.env` are never served), and without the characters some file
/// system reads as a separator or a drive (`\`, `:`) or that end a name in C (NUL).
fn is_plain_name(part: &str) -> bool {
    !part.is_empty()
        && !part.starts_with('.')
        && !part.contains(['\\', ':', '\0'])
        && !part.chars().any(char::is_control)
}
// ANCHOR_END: plain_name

/// The answer to anything not served, in the style `request` asked for.
fn not_found(request: &Request) -> Response {
    no_such_file().render(ErrorStyle::of(request))
}

/// A tag that changes when the file does: its length and modification time.
fn entity_tag(length: u64, modified: SystemTime) -> String {
    let since = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
    format!(
        "\"{length:x}-{:x}-{:x}\"",
        since.as_secs(),
        since.subsec_nanos()
    )
}

/// Whether the client's copy is current: its `If-None-Match` lists this tag (or `*`), or, when
/// it sent no tags, its `If-Modified-Since` is this file's `Last-Modified`. (A client sends back
/// the date it was given; any other date is taken as "changed", and a full answer is never wrong.)
fn not_modified(request: &Request, etag: &str, last_modified: &str) -> bool {
    if let Some(tags) = request.header("if-none-match") {
        return tags
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag);
    }
    matches!(request.method, Method::Get | Method::Head)
        && request.header("if-modified-since") == Some(last_modified)
}

/// What a `Range` header asks of a file of `length` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Range {
    Whole,
    /// Bytes `start` to `end`, both included.
    Part {
        start: u64,
        end: u64,
    },
    Unsatisfiable,
}

// ANCHOR: range
/// One range, `bytes=start-end`, `bytes=start-` or `bytes=-suffix` (RFC 9110 §14.1.2). Anything
/// else, several ranges included, is answered with the whole file, which the RFC allows.
fn range(request: &Request, length: u64) -> Range {
    let Some(spec) = request.header("range").and_then(|r| {
        let (unit, spec) = r.trim().split_once('=')?;
        unit.eq_ignore_ascii_case("bytes").then_some(spec)
    }) else {
        return Range::Whole;
    };
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Range::Whole;
    };
    if length == 0 {
        return Range::Unsatisfiable;
    }
    // Digits only: `parse` would also take a sign (`+5`), which RFC 9110 §14.1.2 does not.
    let number = |text: &str| {
        let text = text.trim();
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u64>().ok())
            .flatten()
    };
    let (start, end) = match (first.trim().is_empty(), number(first), number(last)) {
        // `-500`: the last 500 bytes.
        (true, _, Some(0)) => return Range::Unsatisfiable, // the last 0 bytes: none
        (true, _, Some(suffix)) => (length.saturating_sub(suffix), length - 1),
        (true, _, _) => return Range::Whole,
        (false, Some(start), None) if last.trim().is_empty() => (start, length.saturating_sub(1)),
        (false, Some(start), Some(end)) if end >= start => (start, end.min(length - 1)),
        _ => return Range::Whole,
    };
    if start >= length {
        return Range::Unsatisfiable;
    }
    Range::Part { start, end }
}
// ANCHOR_END: range

/// The bytes `start..=end` of `file`, as a stream.
fn part_of(mut file: SendingFile, start: u64, end: u64) -> io::Result<BodyStream> {
    file.seek(SeekFrom::Start(start))?;
    let length = end - start + 1;
    Ok(BodyStream::new(io::Read::take(file, length), length))
}

/// The `Content-Type` for a file's extension.
pub(crate) fn content_type(file: &Path) -> &'static str {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}
