//! A parsed request: what the parser hands a server, and what a handler reads.

use std::fmt;
use std::net::SocketAddr;

use crate::error::ParseError;
use crate::headers::Headers;
use crate::method::Method;
use crate::url::{Params, UrlError, percent_decode};

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
/// # Examples
///
/// ```
/// use stage03_parser::{Method, Request};
///
/// let request = Request::new(Method::Get, "/hello%20world?lang=en&lang=fr").unwrap();
/// assert_eq!(request.path, "/hello world");
/// assert_eq!(request.query.get_all("lang").collect::<Vec<_>>(), ["en", "fr"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The request target exactly as sent: `/a%20b?x=1`.
    pub target: String,
    /// The target's path, percent-decoded: `/a b`. (`%2F` decodes to `/` too, so a router that
    /// must tell them apart reads `target`.)
    pub path: String,
    /// The target's query, decoded, in order, repeated keys kept.
    pub query: Params,
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
    /// for tests and for code that builds requests by hand.
    pub fn new(method: Method, target: &str) -> Result<Request, ParseError> {
        let (path, query) = split_target(target)?;
        Ok(Request {
            method,
            target: target.to_string(),
            path,
            query,
            version: Version::Http11,
            headers: Headers::new(),
            body: Vec::new(),
            peer: None,
        })
    }

    /// The first value of the header field `name`, any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// Whether the client wants the connection kept open after the response: the HTTP/1.1
    /// default unless it sent `Connection: close`; in HTTP/1.0 only with `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        let has = |option: &str| {
            self.headers
                .get_all("connection")
                .flat_map(|v| v.split(','))
                .any(|o| o.trim().eq_ignore_ascii_case(option))
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
            && self
                .headers
                .get("expect")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"))
    }

    /// The media type of the body, lower-cased and without parameters:
    /// `Content-Type: Application/JSON; charset=utf-8` gives `application/json`.
    pub fn media_type(&self) -> Option<String> {
        let value = self.headers.get("content-type")?;
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

/// Splits an origin-form target into its decoded path and query.
pub(crate) fn split_target(target: &str) -> Result<(String, Params), ParseError> {
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let path = percent_decode(raw_path, false)?;
    let query = Params::parse(raw_query)?;
    Ok((path, query))
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
    fn new_splits_and_decodes_the_target() {
        let r = Request::new(Method::Get, "/a%2Fb/c?x=1&y").unwrap();
        assert_eq!(
            (r.path.as_str(), r.target.as_str()),
            ("/a/b/c", "/a%2Fb/c?x=1&y")
        );
        assert_eq!(r.query.iter().collect::<Vec<_>>(), [("x", "1"), ("y", "")]);
        assert!(Request::new(Method::Get, "/%zz").is_err());
    }
}
