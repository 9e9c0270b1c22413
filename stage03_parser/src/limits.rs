//! How much a client may send before the parser refuses: every wait for "more" has an end.

/// Size limits the parser enforces, each with the status it answers when crossed.
///
/// A parser that waits for "the rest of the head" without a limit lets one client that never sends
/// `\r\n\r\n` grow a server's memory without bound (tiny_http's line reader grows a `Vec` with
/// no limit). Each limit here turns that wait into an error with its own status.
///
/// # Examples
///
/// ```
/// use stage03_parser::Limits;
///
/// // An upload service that accepts bigger bodies and otherwise keeps the defaults.
/// let limits = Limits { max_body: 64 * 1024 * 1024, ..Limits::default() };
/// assert_eq!(limits.max_headers, 100);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest request line in bytes, CRLF excluded; past it, `414 URI Too Long`. Default 8 KiB:
    /// RFC 9112 §3 recommends accepting request lines of at least 8,000 octets.
    pub max_request_line: usize,
    /// Largest head (request line, header fields and the blank line) in bytes; past it,
    /// `431 Request Header Fields Too Large`. Default 16 KiB, h11's default; the
    /// trailers of a chunked body have a budget of the same size.
    pub max_head: usize,
    /// Most header fields; past it, `431`. Default 100, hyper's default.
    pub max_headers: usize,
    /// Largest body in bytes (after chunked decoding); past it, `413 Content Too Large`.
    /// Default 1 MiB, nginx's `client_max_body_size`.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_request_line: 8 * 1024,
            max_head: 16 * 1024,
            max_headers: 100,
            max_body: 1024 * 1024,
        }
    }
}
