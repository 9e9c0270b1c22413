//! Just enough of a URL for a plain-HTTP client: `http://host[:port][/path]`.

use std::fmt;

/// The parts of an `http://` URL that a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// A name or an IP address; an IPv6 address keeps its brackets, as in the `Host` header.
    pub host: String,
    pub port: u16,
    /// The path and query, starting with `/`: the request target.
    pub target: String,
}

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// `https://` needs TLS, which is a library of its own.
    Https,
    /// No `http://` in front.
    NoScheme,
    /// Nothing between `http://` and the path.
    NoHost,
    /// The port is not a number from 1 to 65535.
    BadPort(String),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Https => f.write_str(
                "https:// needs TLS, which this client does not speak; use an http:// URL",
            ),
            UrlError::NoScheme => f.write_str("the URL must start with http://"),
            UrlError::NoHost => f.write_str("the URL has no host"),
            UrlError::BadPort(p) => write!(f, "bad port {p:?} in the URL"),
        }
    }
}

impl std::error::Error for UrlError {}

impl Url {
    /// Splits `http://host:port/path?query`.
    pub fn parse(text: &str) -> Result<Url, UrlError> {
        if text
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        {
            return Err(UrlError::Https);
        }
        let rest = match text.get(..7) {
            Some(s) if s.eq_ignore_ascii_case("http://") => &text[7..],
            _ => return Err(UrlError::NoScheme),
        };
        let (authority, target) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('?') => (&rest[..i], format!("/{}", &rest[i..])),
            Some(i) => (&rest[..i], rest[i..].to_string()),
            None => (rest, "/".to_string()),
        };
        let (host, port) = split_port(authority)?;
        if host.is_empty() {
            return Err(UrlError::NoHost);
        }
        Ok(Url {
            host: host.to_string(),
            port,
            target,
        })
    }

    /// The `Host` header's value: the port is left out when it is HTTP's default, 80.
    pub fn host_header(&self) -> String {
        match self.port {
            80 => self.host.clone(),
            port => format!("{}:{port}", self.host),
        }
    }

    /// The host without IPv6 brackets, for connecting.
    pub fn connect_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }
}

fn split_port(authority: &str) -> Result<(&str, u16), UrlError> {
    // The last colon separates the port, unless it is inside an IPv6 address's brackets.
    match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => {
            let port = &authority[i + 1..];
            match port.parse::<u16>() {
                Ok(p) if p > 0 => Ok((&authority[..i], p)),
                _ => Err(UrlError::BadPort(port.to_string())),
            }
        }
        _ => Ok((authority, 80)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let cases = [
            ("http://example.com", "example.com", 80, "/"),
            ("http://127.0.0.1:7878/hello", "127.0.0.1", 7878, "/hello"),
            ("HTTP://a:1/b?c=d", "a", 1, "/b?c=d"),
            ("http://a?x=1", "a", 80, "/?x=1"),
            ("http://[::1]:8080/", "[::1]", 8080, "/"),
            ("http://[::1]/", "[::1]", 80, "/"),
        ];
        for (text, host, port, target) in cases {
            let url = Url::parse(text).unwrap();
            assert_eq!(
                (url.host.as_str(), url.port, url.target.as_str()),
                (host, port, target)
            );
        }
    }

    #[test]
    fn refuses_what_it_cannot_fetch() {
        let cases = [
            ("https://example.com/", UrlError::Https),
            ("example.com", UrlError::NoScheme),
            ("ftp://x", UrlError::NoScheme),
            ("http:///path", UrlError::NoHost),
            ("http://a:0/", UrlError::BadPort("0".into())),
            ("http://a:http/", UrlError::BadPort("http".into())),
        ];
        for (text, error) in cases {
            assert_eq!(Url::parse(text), Err(error), "{text}");
        }
    }

    #[test]
    fn host_header_leaves_out_the_default_port() {
        assert_eq!(Url::parse("http://a/").unwrap().host_header(), "a");
        assert_eq!(Url::parse("http://a:81/").unwrap().host_header(), "a:81");
        assert_eq!(
            Url::parse("http://[::1]:81/").unwrap().connect_host(),
            "::1"
        );
    }
}
