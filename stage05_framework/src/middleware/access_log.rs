//! One line per request: when, who, what, the answer, its size, and how long it took.

use std::io::Write;
use std::time::{Instant, SystemTime};

use stage03_parser::Method;
use stage03_parser::date::write_http_date;

use super::{Inner, Middleware};
use crate::input::Input;
use crate::reply::Reply;

/// Writes a line to standard error for each request, when its response is ready:
///
/// ```text
/// Wed, 02 Dec 2026 14:25:03 GMT 127.0.0.1:51234 GET /hello/Ada 200 11 B 0.1 ms
/// ```
#[derive(Debug, Default)]
pub struct AccessLog;

// ANCHOR: access_log
impl Middleware for AccessLog {
    fn call(&self, input: Input, inner: Inner<'_>) -> Reply {
        let started = Instant::now();
        let peer = input.request.peer;
        let what = format!("{} {}", input.request.method, input.request.target);
        let head = input.request.method == Method::Head;
        inner.run(input).map(move |response| {
            let elapsed = started.elapsed();
            // Written into one buffer, the date as `Date` headers are (formatted once a second).
            let mut line = Vec::with_capacity(96 + what.len());
            write_http_date(&mut line, SystemTime::now());
            let _ = match peer {
                Some(peer) => write!(line, " {peer}"),
                None => write!(line, " -"),
            };
            // The bytes of body the client is sent: none for a HEAD, nor for a status that never
            // has a body (the connection drops what the handler gave), and a file's streamed body
            // is the stream's length.
            let sent = if head || response.status().forbids_body() {
                0
            } else {
                response
                    .stream()
                    .map_or(response.body().len() as u64, |s| s.len())
            };
            let _ = writeln!(
                line,
                " {what} {} {sent} B {:.1} ms",
                response.status().code(),
                elapsed.as_secs_f64() * 1000.0
            );
            // One write for the whole line: standard error is unbuffered, so `writeln!` straight
            // to it would make a system call for each piece, and lines from threads could mix.
            // Not `eprintln!`, which panics if standard error is gone: a log that cannot be
            // written must not turn every answer into a 500.
            let _ = std::io::stderr().write_all(&line);
            response
        })
    }
}
// ANCHOR_END: access_log
