//! The request target: kept exactly as the client sent it, checked for its grammar only, and cut
//! into its path and query when they are read.
//!
//! Nothing is decoded here. Decoding the whole path at once would turn `%2F` into a `/` that a
//! router cannot tell from a real one, and `%00` into a NUL inside a path; decoding the query up
//! front would refuse `/hello?q=100%` although `/hello` never reads its query. So the router
//! decodes the path segment by segment (chapter 4), and [`Request::query`](crate::Request::query)
//! decodes the query when a handler asks for it.

use crate::error::ParseError;
use crate::host::is_valid_host;
use crate::method::Method;
use crate::url::{UrlError, hex_value};

// ANCHOR: check_target
/// Checks the form of a target (RFC 9112 §3.2): origin-form (`/path?query`), absolute-form
/// (`http://host/path`: what a client sends to a proxy, which servers must accept too), or
/// asterisk-form (`*`, for `OPTIONS` only). Authority-form (`host:port`) is for `CONNECT` to a
/// proxy, which this server is not. The request line has already refused anything that is not
/// visible ASCII.
pub fn check(method: &Method, target: &str) -> Result<(), ParseError> {
    if target.contains('#') {
        return Err(ParseError::BadTarget(
            "a fragment (#...) is never sent to a server",
        ));
    }
    if target == "*" {
        return match method {
            Method::Options => Ok(()),
            _ => Err(ParseError::BadTarget("* is only allowed with OPTIONS")),
        };
    }
    if *method == Method::Connect {
        return Err(ParseError::BadTarget(
            "CONNECT is for proxies, which this server is not",
        ));
    }
    if !target.starts_with('/') {
        let Some(authority) = authority(target) else {
            return Err(ParseError::BadTarget(
                "it must start with / or be an absolute http URL",
            ));
        };
        if authority.is_empty() {
            return Err(ParseError::BadTarget("an absolute URL needs a host"));
        }
        // RFC 9110 §4.2.4: `user@` in an http URL is an error; and a host a handler may read
        // must never be `evil.example/path` or half an IPv6 address.
        if !is_valid_host(authority.as_bytes()) {
            return Err(ParseError::BadTarget(
                "the URL's host must be host or host:port",
            ));
        }
    }
    // Every router reads the path, so a broken escape there is refused now (the query's are
    // checked when a handler reads it).
    check_escapes(path(target)).map_err(ParseError::BadPercentEncoding)
}
// ANCHOR_END: check_target

/// The path of a target, still percent-encoded: `/a%20b` for `/a%20b?x=1`, `/x` for
/// `http://host/x`, `/` for `http://host`, and `*` for `*`.
pub fn path(target: &str) -> &str {
    let origin = origin_form(target);
    let path = origin.split_once('?').map_or(origin, |(path, _)| path);
    if path.is_empty() { "/" } else { path }
}

/// The query of a target, still percent-encoded, without its `?`; `None` when there is no `?`.
pub fn query(target: &str) -> Option<&str> {
    origin_form(target).split_once('?').map(|(_, query)| query)
}

/// The authority (`host[:port]`) of an absolute-form target, `b.example:8080` for
/// `http://b.example:8080/x`; `None` for any other form. Checked by [`check`] for a parsed
/// request.
pub fn authority(target: &str) -> Option<&str> {
    if target.starts_with('/') {
        return None;
    }
    let rest = strip_scheme(target)?;
    Some(rest.find(['/', '?']).map_or(rest, |at| &rest[..at]))
}

/// What follows the authority of an absolute URL, or the whole target otherwise.
fn origin_form(target: &str) -> &str {
    match strip_scheme(target) {
        Some(rest) if !target.starts_with('/') => {
            rest.find(['/', '?']).map_or("", |at| &rest[at..])
        }
        _ => target,
    }
}

/// The target after `http://` or `https://` (any case), if it starts with one of them.
fn strip_scheme(target: &str) -> Option<&str> {
    ["http://", "https://"].iter().find_map(|scheme| {
        let head = target.get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme)
            .then(|| &target[scheme.len()..])
    })
}

/// Every `%` is followed by two hex digits.
fn check_escapes(text: &str) -> Result<(), UrlError> {
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices('%') {
        let digit = |i: usize| bytes.get(i).and_then(|b| hex_value(*b)).is_some();
        if !(digit(at + 1) && digit(at + 2)) {
            return Err(UrlError::BadEscape { at });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check, path, query};
    use crate::method::Method;

    #[test]
    fn paths_and_queries_stay_as_sent() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("/", "/", None),
            ("/a%20b?x=1&y", "/a%20b", Some("x=1&y")),
            ("/files/a%2Fb", "/files/a%2Fb", None),
            ("/hello?q=100%", "/hello", Some("q=100%")),
            ("/p?", "/p", Some("")),
            ("http://example.com/x?y", "/x", Some("y")),
            ("HTTP://example.com", "/", None),
            ("https://example.com?q=1", "/", Some("q=1")),
            ("*", "*", None),
        ];
        for (target, want_path, want_query) in cases {
            assert_eq!(
                check(&Method::Get, target).is_ok(),
                *target != "*",
                "{target}"
            );
            assert_eq!(path(target), *want_path, "{target}");
            assert_eq!(query(target), *want_query, "{target}");
        }
    }

    #[test]
    fn bad_targets_and_their_statuses() {
        let cases: &[(Method, &str)] = &[
            (Method::Get, "*"),
            (Method::Get, "index.html"),
            (Method::Get, "http:///x"),
            (Method::Get, "http://?q"),
            (Method::Get, "ftp://example.com/"),
            (Method::Get, "/a#frag"),
            (Method::Get, "/a%zz"),
            (Method::Get, "/a%4"),
            (Method::Get, "http://example.com/%"),
            (Method::Get, "http://user@evil.example/"),
            (Method::Get, "http://[::1/"),
            (Method::Get, "http://a:b:c/x"),
            (Method::Get, "http://a%zz/"),
            (Method::Connect, "/"),
            (Method::Connect, "example.com:443"),
        ];
        for (method, target) in cases {
            let error = check(method, target).unwrap_err();
            assert_eq!(error.status().code(), 400, "{target}: {error}");
        }
        assert!(check(&Method::Options, "*").is_ok());
        assert!(check(&Method::Get, "http://[::1]:8080/x").is_ok());
    }

    #[test]
    fn the_authority_of_an_absolute_url() {
        assert_eq!(
            super::authority("http://b.example:8080/x"),
            Some("b.example:8080")
        );
        assert_eq!(super::authority("HTTPS://b.example?q"), Some("b.example"));
        assert_eq!(super::authority("http://b.example"), Some("b.example"));
        assert_eq!(super::authority("/x"), None);
        assert_eq!(super::authority("*"), None);
    }
}
