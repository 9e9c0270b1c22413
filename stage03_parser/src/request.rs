//! A parsed request: what the parser hands a server, and what a handler reads.

use std::fmt;
use std::net::SocketAddr;

use crate::error::ParseError;
use crate::headers::Headers;
use crate::method::Method;
use crate::target;
use crate::url::{Params, UrlError};

/// The two HTTP/1 versions this parser speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    Http10,
    Http11,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        })
    }
}

// ANCHOR: request
/// One HTTP request, parsed and checked.
///
/// The target is kept exactly as it was sent; [`Request::path`] and [`Request::query`] read its
/// parts, and only the query is decoded, when asked.
///
/// # Examples
///
/// ```
/// use stage03_parser::{Method, Request};
///
/// let request = Request::new(Method::Get, "/hello%20world?lang=en&lang=fr").unwrap();
/// assert_eq!(request.path(), "/hello%20world"); // as sent: the router decodes it
/// let query = request.query().unwrap();
/// assert_eq!(query.get_all("lang").collect::<Vec<_>>(), ["en", "fr"]);
///
/// // A broken escape in the query is an error for the handler that reads the query, and only
/// // for that one: a handler that never reads it answers as usual.
/// let request = Request::new(Method::Get, "/hello?q=100%").unwrap();
/// assert!(request.query().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The request target exactly as sent: `/a%20b?x=1`, checked for its form only.
    pub target: String,
    pub version: Version,
    pub headers: Headers,
    /// The body, already de-chunked when it came chunked.
    pub body: Vec<u8>,
    /// Who sent it; the parser never knows, the server that read the socket sets it.
    pub peer: Option<SocketAddr>,
}
// ANCHOR_END: request

impl Request {
    /// A request with no headers and no body, as if parsed from `METHOD target HTTP/1.1`;
    /// for tests and for code that builds requests by hand. The target is checked as the
    /// parser checks it.
    pub fn new(method: Method, target: &str) -> Result<Request, ParseError> {
        target::check(&method, target)?;
        Ok(Request {
            method,
            target: target.to_string(),
            version: Version::Http11,
            headers: Headers::new(),
            body: Vec::new(),
            peer: None,
        })
    }

    /// The path of the target, still percent-encoded, as a router needs it: `/files/a%2Fb` is one
    /// segment whose value is `a/b`, which decoding the whole path first would lose. For an
    /// absolute-form target (`http://host/x`), its path (`/x`); for `OPTIONS *`, `*`.
    pub fn path(&self) -> &str {
        target::path(&self.target)
    }

    /// The query string as sent, without its `?`; `None` when the target has no `?`.
    pub fn raw_query(&self) -> Option<&str> {
        target::query(&self.target)
    }

    // ANCHOR: query
    /// The query, decoded: ordered pairs, repeated keys kept, `+` read as a space. A bad escape
    /// is an error here, for the handler that reads the query to answer with `400`; the parser
    /// did not refuse the request for it.
    pub fn query(&self) -> Result<Params, UrlError> {
        Params::parse(self.raw_query().unwrap_or_default())
    }
    // ANCHOR_END: query

    /// The host the request is for: the `Host` field's value (checked by the parser to be
    /// `host[:port]`), or `None` for an HTTP/1.0 request that sent none.
    pub fn host(&self) -> Option<&str> {
        self.header("host")
    }

    /// The first value of the header field `name` (any case), as text; `None` when there is no
    /// such field or its value is not UTF-8 (read [`Headers::get`] for the bytes).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// Whether the client wants the connection kept open after the response: the HTTP/1.1
    /// default unless it sent `Connection: close`; in HTTP/1.0 only with `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        let has = |option: &str| {
            self.headers
                .get_all("connection")
                .flat_map(|v| v.as_bytes().split(|b| *b == b','))
                .any(|o| o.trim_ascii().eq_ignore_ascii_case(option.as_bytes()))
        };
        match self.version {
            Version::Http11 => !has("close"),
            Version::Http10 => has("keep-alive"),
        }
    }

    /// Whether the client sent `Expect: 100-continue` and waits for `100 Continue` before it
    /// sends the body (curl does for bodies over 1 MiB; older curl did for 1 KiB).
    /// HTTP/1.0 clients cannot ask it (RFC 9110 §10.1.1).
    pub fn expects_continue(&self) -> bool {
        self.version == Version::Http11
            && self.headers.get("expect").is_some_and(|v| {
                v.as_bytes()
                    .trim_ascii()
                    .eq_ignore_ascii_case(b"100-continue")
            })
    }

    /// The media type of the body, lower-cased and without parameters:
    /// `Content-Type: Application/JSON; charset=utf-8` gives `application/json`.
    pub fn media_type(&self) -> Option<String> {
        let value = self.header("content-type")?;
        let media = value.split(';').next().unwrap_or_default().trim();
        Some(media.to_ascii_lowercase())
    }

    /// The body as text, if it is UTF-8.
    pub fn body_text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.body)
    }

    /// The body decoded as an `application/x-www-form-urlencoded` form, whatever its
    /// `Content-Type` says (check [`Request::media_type`] first).
    pub fn form(&self) -> Result<Params, UrlError> {
        let text = self.body_text().map_err(|_| UrlError::NotUtf8)?;
        Params::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::{Request, Version};
    use crate::Method;

    type Fields<'a> = &'a [(&'a str, &'a str)];

    fn with(version: Version, fields: &[(&str, &str)]) -> Request {
        let mut request = Request::new(Method::Post, "/").unwrap();
        request.version = version;
        for (n, v) in fields {
            request.headers.append(*n, *v);
        }
        request
    }

    #[test]
    fn keep_alive_follows_version_and_connection() {
        use Version::*;
        let cases: &[(Version, Fields, bool)] = &[
            (Http11, &[], true),
            (Http11, &[("Connection", "close")], false),
            (Http11, &[("connection", "Upgrade, Close")], false),
            (Http10, &[], false),
            (Http10, &[("Connection", "keep-alive")], true),
            (Http10, &[("Connection", "Keep-Alive, foo")], true),
        ];
        for (version, fields, want) in cases {
            assert_eq!(
                with(*version, fields).keep_alive(),
                *want,
                "{version} {fields:?}"
            );
        }
    }

    #[test]
    fn expect_continue_only_in_http11() {
        let cases: &[(Version, Fields, bool)] = &[
            (Version::Http11, &[("Expect", "100-continue")], true),
            (Version::Http11, &[("expect", "100-Continue ")], true),
            (Version::Http11, &[], false),
            (Version::Http10, &[("Expect", "100-continue")], false),
        ];
        for (version, fields, want) in cases {
            assert_eq!(
                with(*version, fields).expects_continue(),
                *want,
                "{fields:?}"
            );
        }
    }

    #[test]
    fn media_type_form_and_text() {
        let mut r = with(
            Version::Http11,
            &[(
                "Content-Type",
                "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
            )],
        );
        r.body = b"a=1&b=x+y".to_vec();
        assert_eq!(
            r.media_type().as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(r.form().unwrap().get("b"), Some("x y"));
        assert_eq!(r.body_text(), Ok("a=1&b=x+y"));
        r.body = vec![0xff];
        assert!(r.body_text().is_err());
        assert!(r.form().is_err());
        assert_eq!(with(Version::Http11, &[]).media_type(), None);
    }

    #[test]
    fn the_target_stays_as_sent_and_the_query_decodes_when_read() {
        let r = Request::new(Method::Get, "/a%2Fb/c%00?x=1&y&e=%E2%82%AC").unwrap();
        assert_eq!(
            (r.path(), r.target.as_str()),
            ("/a%2Fb/c%00", "/a%2Fb/c%00?x=1&y&e=%E2%82%AC")
        );
        let query = r.query().unwrap();
        assert_eq!(
            query.iter().collect::<Vec<_>>(),
            [("x", "1"), ("y", ""), ("e", "€")]
        );
        // A bad escape in the query is the reader's error, not the parser's.
        let r = Request::new(Method::Get, "/hello?q=100%").unwrap();
        assert_eq!((r.path(), r.raw_query()), ("/hello", Some("q=100%")));
        assert!(r.query().is_err());
        // In the path it is refused at once: every router reads the path.
        assert!(Request::new(Method::Get, "/%zz").is_err());
        assert_eq!(
            Request::new(Method::Get, "/p")
                .unwrap()
                .query()
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn header_is_text_or_none_and_the_bytes_stay() {
        let mut r = Request::new(Method::Get, "/").unwrap();
        r.headers.append("X-Latin1", b"caf\xe9".to_vec());
        r.headers.append("X-Utf8", "café");
        assert_eq!(r.header("x-latin1"), None);
        assert_eq!(
            r.headers.get("x-latin1").map(|v| v.as_bytes()),
            Some(&b"caf\xe9"[..])
        );
        assert_eq!(r.header("x-utf8"), Some("café"));
    }
}
