//! The grammar of a request's head, one line at a time: the request line and the header fields.
//!
//! Each function takes one complete line (CRLF already removed by the
//! [`LineReader`](crate::line::LineReader), which has also refused bare CR, bare LF and control
//! characters) and either returns its parts or the [`ParseError`] that explains what was wrong.

use crate::error::ParseError;
use crate::method::{Method, is_token_byte};
use crate::request::Version;
use crate::target;

/// What the request line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    pub method: Method,
    /// The target as sent, its form checked ([`target::check`]); nothing decoded.
    pub target: String,
    pub version: Version,
}

// ANCHOR: request_line
/// Parses `METHOD SP request-target SP HTTP-version` (RFC 9112 §3): exactly three parts, separated
/// by single spaces, all visible ASCII.
pub fn parse_request_line(line: &[u8]) -> Result<RequestLine, ParseError> {
    if !line.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return Err(ParseError::BadRequestLine(
            "only visible ASCII and single spaces are allowed (percent-encode the rest)",
        ));
    }
    let text = String::from_utf8_lossy(line); // all ASCII by now: nothing is lost
    let parts: Vec<&str> = text.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(ParseError::BadRequestLine(
            "expected METHOD, target and version separated by single spaces",
        ));
    };
    let method: Method = method
        .parse()
        .map_err(|_| ParseError::BadRequestLine("the method is not a token"))?;
    let version = parse_version(version)?;
    target::check(&method, target)?;
    Ok(RequestLine {
        method,
        target: target.to_string(),
        version,
    })
}
// ANCHOR_END: request_line

/// `HTTP/1.0` or `HTTP/1.1`, and a later `HTTP/1.d` read as 1.1; another `HTTP/d.d` is a version
/// we do not speak (505); anything else, `HTTP/1` and `HTTP/1.10` included, is not a version at
/// all (400: RFC 9112 §2.3 says `HTTP/` DIGIT `.` DIGIT).
fn parse_version(text: &str) -> Result<Version, ParseError> {
    match text.as_bytes() {
        b"HTTP/1.1" => Ok(Version::Http11),
        b"HTTP/1.0" => Ok(Version::Http10),
        // RFC 9110 §6.2: a later minor version of a major version we speak is read as the
        // highest minor version we know. HTTP/1.2 would still be HTTP/1.
        [b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor] if minor.is_ascii_digit() => {
            Ok(Version::Http11)
        }
        _ => {
            let number = text.strip_prefix("HTTP/").unwrap_or_default().as_bytes();
            let looks_like_version = match number {
                [major, b'.', minor] => major.is_ascii_digit() && minor.is_ascii_digit(),
                _ => false,
            };
            if looks_like_version {
                Err(ParseError::UnsupportedVersion(text.to_string()))
            } else {
                Err(ParseError::BadRequestLine(
                    "the version must look like HTTP/1.1",
                ))
            }
        }
    }
}

// ANCHOR: field_line
/// Parses `name ":" OWS value OWS` (RFC 9112 §5). Whitespace is trimmed around the value, not
/// inside it, and the split is at the *first* colon: `Host: localhost:7878` keeps its port.
/// The value stays bytes: RFC 9110 §5.5 allows bytes over 0x7F ("obs-text") in it, and the
/// [`LineReader`](crate::line::LineReader) has already refused every control character but tab.
pub fn parse_field(line: &[u8]) -> Result<(String, Vec<u8>), ParseError> {
    if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        // RFC 9112 §5.2: obsolete line folding in a request must be refused or replaced.
        return Err(ParseError::BadHeader(
            "obsolete line folding (a line starting with whitespace)",
        ));
    }
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return Err(ParseError::BadHeader("no colon"));
    };
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
        // RFC 9112 §5.1: `Host : x` must be refused; servers that strip the space and proxies
        // that keep it read different headers (a known smuggling vector).
        return Err(ParseError::BadHeader("whitespace before the colon"));
    }
    if name.is_empty() || !name.iter().all(|b| is_token_byte(*b)) {
        return Err(ParseError::BadHeader("the name is not a token"));
    }
    // A token is ASCII, so the name converts without loss.
    let name = String::from_utf8_lossy(name).into_owned();
    Ok((name, value.trim_ascii().to_vec()))
}
// ANCHOR_END: field_line

#[cfg(test)]
mod tests {
    use super::{parse_field, parse_request_line};
    use crate::error::ParseError::{self, *};
    use crate::method::Method;
    use crate::request::Version;

    type Field<'a> = Result<(&'a str, &'a [u8]), ParseError>;

    #[test]
    fn request_lines() {
        let ok: &[(&str, Method, &str, Version)] = &[
            ("GET / HTTP/1.1", Method::Get, "/", Version::Http11),
            (
                "POST /a%20b?x=1 HTTP/1.0",
                Method::Post,
                "/a%20b?x=1",
                Version::Http10,
            ),
            (
                "GET /hello?q=100% HTTP/1.1",
                Method::Get,
                "/hello?q=100%",
                Version::Http11,
            ),
            (
                "GET /a%00b HTTP/1.1",
                Method::Get,
                "/a%00b",
                Version::Http11,
            ),
            ("OPTIONS * HTTP/1.1", Method::Options, "*", Version::Http11),
            (
                "GET http://example.com/x?y HTTP/1.1",
                Method::Get,
                "http://example.com/x?y",
                Version::Http11,
            ),
            (
                "PURGE /cache HTTP/1.1",
                Method::Other("PURGE".into()),
                "/cache",
                Version::Http11,
            ),
            ("GET / HTTP/1.9", Method::Get, "/", Version::Http11),
        ];
        for (line, method, target, version) in ok {
            let parsed = parse_request_line(line.as_bytes()).unwrap();
            assert_eq!(
                (&parsed.method, parsed.target.as_str(), parsed.version),
                (method, *target, *version),
                "{line}"
            );
        }
    }

    #[test]
    fn bad_request_lines_and_their_statuses() {
        let bad: &[(&str, u16)] = &[
            ("GET / HTTP/2.0", 505),
            ("GET / HTTP/0.9", 505),
            ("GET / HTTP/3", 400),
            ("GET / HTTP/1", 400),
            ("GET / HTTP/1.10", 400),
            ("GET / HTTP/1.1.1", 400),
            ("GET / http/1.1", 400),
            ("GET / FTP/1.1", 400),
            ("GET /", 400),
            ("GET  / HTTP/1.1", 400),
            ("GET / HTTP/1.1 ", 400),
            ("GET\t/ HTTP/1.1", 400),
            ("G(T / HTTP/1.1", 400),
            ("GET /caf\u{e9} HTTP/1.1", 400),
            ("GET * HTTP/1.1", 400),
            ("GET index.html HTTP/1.1", 400),
            ("GET http:///x HTTP/1.1", 400),
            ("GET /a#frag HTTP/1.1", 400),
            ("GET /a%zz HTTP/1.1", 400),
            ("", 400),
        ];
        for (line, status) in bad {
            let err = parse_request_line(line.as_bytes()).unwrap_err();
            assert_eq!(err.status().code(), *status, "{line:?}: {err}");
        }
    }

    #[test]
    fn field_lines() {
        let cases: &[(&[u8], Field)] = &[
            (b"Host: localhost:7878", Ok(("Host", b"localhost:7878"))),
            (b"X-Empty:", Ok(("X-Empty", b""))),
            (b"a:  \t padded value \t ", Ok(("a", b"padded value"))),
            (b"X-Utf8: caf\xc3\xa9", Ok(("X-Utf8", "café".as_bytes()))),
            // obs-text: a Latin-1 é is kept byte for byte, not refused.
            (b"X-Latin1: caf\xe9", Ok(("X-Latin1", b"caf\xe9"))),
            (b"X: \xff", Ok(("X", b"\xff"))),
            (b"Host : x", Err(BadHeader("whitespace before the colon"))),
            (b"Host\t: x", Err(BadHeader("whitespace before the colon"))),
            (
                b" folded",
                Err(BadHeader(
                    "obsolete line folding (a line starting with whitespace)",
                )),
            ),
            (
                b"\tfolded: x",
                Err(BadHeader(
                    "obsolete line folding (a line starting with whitespace)",
                )),
            ),
            (b"no colon here", Err(BadHeader("no colon"))),
            (b": empty name", Err(BadHeader("the name is not a token"))),
            (b"Bad(Name): x", Err(BadHeader("the name is not a token"))),
        ];
        for (line, want) in cases {
            let want = want.clone().map(|(n, v)| (n.to_string(), v.to_vec()));
            assert_eq!(
                parse_field(line),
                want,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
