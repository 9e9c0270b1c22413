//! The `Host` field: present once in every HTTP/1.1 request, and of the form `host[:port]`.
//!
//! RFC 9112 §3.2 says a server MUST answer `400` to an HTTP/1.1 request without `Host`, with more
//! than one, or with one whose value is invalid. Invalid matters: a server that builds links or
//! redirects from `Host` must not be handed `evil.example/path` or `user@evil.example`.

use crate::error::ParseError;
use crate::headers::Headers;
use crate::request::Version;

// ANCHOR: check_host
/// Refuses a request whose `Host` fields break RFC 9112 §3.2.
pub fn check_host(version: Version, headers: &Headers) -> Result<(), ParseError> {
    let mut hosts = headers.get_all("host");
    match (hosts.next(), hosts.next()) {
        (None, _) if version == Version::Http11 => {
            Err(ParseError::BadHost("HTTP/1.1 requests must send Host"))
        }
        (None, _) => Ok(()),
        (Some(_), Some(_)) => Err(ParseError::BadHost("more than one Host")),
        (Some(host), None) if is_valid_host(host.as_bytes()) => Ok(()),
        (Some(_), None) => Err(ParseError::BadHost("it must be host or host:port")),
    }
}
// ANCHOR_END: check_host

/// `uri-host [ ":" port ]` (RFC 9110 §7.2, with RFC 3986 §3.2.2's `host`), or the empty value a
/// client sends when the target has no authority. The host is a name or IPv4 address (letters,
/// digits, `-._~`, `%XX` escapes and `!$&'()*+,;=`), or an IPv6 address in brackets; the port is
/// digits.
pub fn is_valid_host(value: &[u8]) -> bool {
    if value.is_empty() {
        return true;
    }
    let (host, port) = match value.strip_prefix(b"[") {
        Some(rest) => match rest.iter().position(|b| *b == b']') {
            Some(end) if is_ip_literal(&rest[..end]) => (&value[..end + 2], &rest[end + 1..]),
            _ => return false,
        },
        None => {
            let end = value.iter().position(|b| *b == b':').unwrap_or(value.len());
            if end == 0 || !is_reg_name(&value[..end]) {
                return false;
            }
            (&value[..end], &value[end..])
        }
    };
    debug_assert!(!host.is_empty());
    match port {
        [] => true,
        [b':', digits @ ..] => digits.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// RFC 3986's `reg-name`, which also covers IPv4 addresses.
fn is_reg_name(name: &[u8]) -> bool {
    let mut i = 0;
    while i < name.len() {
        match name[i] {
            b'%' => {
                let escape = name.get(i + 1..i + 3);
                if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                    return false;
                }
                i += 3;
                continue;
            }
            b if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b) => {}
            _ => return false,
        }
        i += 1;
    }
    true
}

/// What goes between `[` and `]`: an IPv6 address, or RFC 3986's `IPvFuture` (`v1.x`).
fn is_ip_literal(inside: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(inside) else {
        return false;
    };
    if let Some(future) = text.strip_prefix(['v', 'V']) {
        let Some((version, rest)) = future.split_once('.') else {
            return false;
        };
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:".contains(c);
        return !version.is_empty()
            && version.chars().all(|c| c.is_ascii_hexdigit())
            && !rest.is_empty()
            && rest.chars().all(allowed);
    }
    text.parse::<std::net::Ipv6Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::{check_host, is_valid_host};
    use crate::headers::Headers;
    use crate::request::Version;

    #[test]
    fn host_values() {
        let valid = [
            "example.com",
            "localhost:7878",
            "127.0.0.1:80",
            "[::1]:8080",
            "[::1]",
            "[v1.fe80::a+en1]",
            "xn--bcher-kva.example",
            "my_host.local:",
            "caf%C3%A9.example",
            "",
        ];
        for host in valid {
            assert!(is_valid_host(host.as_bytes()), "{host:?} should be valid");
        }
        let invalid = [
            "a b",
            "a/b",
            "[::1",
            "[::1]x",
            "[nope]",
            "user@example.com",
            "example.com/path",
            "example.com:port",
            "example.com:80:80",
            "exa\tmple",
            ":80",
            "a%zz",
            "caf\u{e9}.example",
        ];
        for host in invalid {
            assert!(
                !is_valid_host(host.as_bytes()),
                "{host:?} should be invalid"
            );
        }
    }

    #[test]
    fn how_many_hosts() {
        let with = |hosts: &[&str]| {
            let mut headers = Headers::new();
            for host in hosts {
                headers.append("Host", *host);
            }
            headers
        };
        let cases: &[(Version, &[&str], bool)] = &[
            (Version::Http11, &["a"], true),
            (Version::Http11, &[], false),
            (Version::Http10, &[], true),
            (Version::Http10, &["a"], true),
            (Version::Http11, &["a", "a"], false),
            (Version::Http10, &["a", "b"], false),
            (Version::Http11, &["a b"], false),
            (Version::Http10, &["a/b"], false),
        ];
        for (version, hosts, ok) in cases {
            assert_eq!(
                check_host(*version, &with(hosts)).is_ok(),
                *ok,
                "{version} {hosts:?}"
            );
        }
    }
}
