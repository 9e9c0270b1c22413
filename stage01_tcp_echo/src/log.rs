//! The servers' log: a line on standard error for what happened, written so that it can never
//! stop a server.
//!
//! `eprintln!` would do, but it panics when standard error cannot be written (a terminal that is
//! gone, or a pipe whose reader has left, as in `server 2>&1 | head`): the log would take the
//! server down with it. And it writes a line in pieces, a system call each, which threads
//! writing at once can interleave. [`log!`](crate::log!) formats the whole line first, writes it
//! in one call, and ignores a failure.

use std::fmt;
use std::io::{self, Write};

/// Writes `line` and a line break to standard error in one write; a failure is ignored.
pub fn line(line: fmt::Arguments<'_>) {
    let mut text = line.to_string();
    text.push('\n');
    let _ = io::stderr().write_all(text.as_bytes());
}

/// `log!("accept failed: {e}")`: like `eprintln!`, but it never panics and writes the line at
/// once. Every server of the book logs with it.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::log::line(format_args!($($arg)*))
    };
}
