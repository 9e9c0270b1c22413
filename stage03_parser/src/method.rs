//! The request method: the common ones by name, any other token kept as it was sent.

use std::fmt;
use std::str::FromStr;

/// What the client asks the server to do with the target.
///
/// Methods are case-sensitive (RFC 9110 §9.1): `get` is not `GET` but an unknown method, which
/// this type keeps as [`Method::Other`] so a router can still answer it with `405` or `501`.
///
/// # Examples
///
/// ```
/// use stage03_parser::Method;
///
/// assert_eq!("GET".parse(), Ok(Method::Get));
/// assert_eq!("PURGE".parse(), Ok(Method::Other("PURGE".to_string())));
/// assert_eq!(Method::Delete.to_string(), "DELETE");
/// assert!("GET /".parse::<Method>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Patch,
    Options,
    Trace,
    Connect,
    /// An extension method: any other token, exactly as the client spelled it.
    Other(String),
}

/// A method that is not a token (empty, or with a space, a control or a separator in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidMethod;

impl fmt::Display for InvalidMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a method must be a token: letters, digits and !#$%&'*+-.^_`|~")
    }
}

impl std::error::Error for InvalidMethod {}

impl Method {
    /// The method as it goes on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Connect => "CONNECT",
            Method::Other(token) => token,
        }
    }
}

impl FromStr for Method {
    type Err = InvalidMethod;

    fn from_str(token: &str) -> Result<Method, InvalidMethod> {
        if token.is_empty() || !token.bytes().all(is_token_byte) {
            return Err(InvalidMethod);
        }
        Ok(match token {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "OPTIONS" => Method::Options,
            "TRACE" => Method::Trace,
            "CONNECT" => Method::Connect,
            other => Method::Other(other.to_string()),
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `tchar` from RFC 9110 §5.6.2: what method names and header field names are made of.
pub fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::{InvalidMethod, Method};

    #[test]
    fn tokens_parse_and_print_back() {
        let cases = [
            ("GET", Method::Get),
            ("HEAD", Method::Head),
            ("POST", Method::Post),
            ("PUT", Method::Put),
            ("DELETE", Method::Delete),
            ("PATCH", Method::Patch),
            ("OPTIONS", Method::Options),
            ("TRACE", Method::Trace),
            ("CONNECT", Method::Connect),
            ("get", Method::Other("get".into())),
            ("M-SEARCH", Method::Other("M-SEARCH".into())),
        ];
        for (text, method) in cases {
            assert_eq!(text.parse::<Method>(), Ok(method.clone()), "{text}");
            assert_eq!(method.to_string(), text);
        }
    }

    #[test]
    fn non_tokens_are_refused() {
        for text in ["", "GE T", "GET\r", "GÉT", "(GET)", "GET/"] {
            assert_eq!(text.parse::<Method>(), Err(InvalidMethod), "{text:?}");
        }
    }
}
