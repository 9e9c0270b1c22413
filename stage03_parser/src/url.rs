//! Percent-decoding, and query strings and form bodies as an ordered multi-map.
//!
//! `?tag=a&tag=b` means two values for `tag`, and order can matter to the handler, so [`Params`] is a
//! list of pairs like [`Headers`](crate::Headers), with exact (case-sensitive) keys. A query string
//! and an `application/x-www-form-urlencoded` body are the same format (the WHATWG URL standard,
//! "application/x-www-form-urlencoded parsing"), so one function decodes both.

use std::fmt;

/// A percent-encoded text that does not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// A `%` not followed by two hex digits, at this byte offset in the text being decoded.
    BadEscape { at: usize },
    /// The decoded bytes are not UTF-8.
    NotUtf8,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::BadEscape { at } => {
                write!(
                    f,
                    "bad percent-escape at byte {at}: % must be followed by two hex digits"
                )
            }
            UrlError::NotUtf8 => f.write_str("percent-decoded text is not UTF-8"),
        }
    }
}

impl std::error::Error for UrlError {}

// ANCHOR: percent_decode
/// Decodes `%XX` escapes; with `plus_is_space`, `+` becomes a space (forms and queries, not paths).
///
/// # Examples
///
/// ```
/// use stage03_parser::url::{percent_decode, UrlError};
///
/// assert_eq!(percent_decode("caf%C3%A9+au+lait", true), Ok("café au lait".to_string()));
/// assert_eq!(percent_decode("a+b", false), Ok("a+b".to_string()));
/// assert_eq!(percent_decode("100%", false), Err(UrlError::BadEscape { at: 3 }));
/// ```
pub fn percent_decode(text: &str, plus_is_space: bool) -> Result<String, UrlError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let high = bytes.get(i + 1).and_then(|b| hex_value(*b));
                let low = bytes.get(i + 2).and_then(|b| hex_value(*b));
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(UrlError::BadEscape { at: i });
                };
                out.push(high << 4 | low);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| UrlError::NotUtf8)
}
// ANCHOR_END: percent_decode

/// The value of one hex digit, either case.
pub fn hex_value(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

/// Ordered `key=value` pairs from a query string or a form body; a key may repeat.
///
/// # Examples
///
/// ```
/// use stage03_parser::url::Params;
///
/// let params = Params::parse("tag=a&tag=b&q=rust+http&empty").unwrap();
/// assert_eq!(params.get("q"), Some("rust http"));
/// assert_eq!(params.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(params.get("empty"), Some(""));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// No pairs.
    pub fn new() -> Params {
        Params::default()
    }

    /// Decodes `a=1&b=2` (no leading `?`). Empty pieces (`a&&b`) are skipped; a piece without
    /// `=` is a key with an empty value; `+` is a space; a bad escape is an error, not a guess.
    pub fn parse(text: &str) -> Result<Params, UrlError> {
        let mut params = Params::new();
        for piece in text.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            params.append(percent_decode(key, true)?, percent_decode(value, true)?);
        }
        Ok(params)
    }

    /// Adds a pair at the end.
    pub fn append(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.pairs.push((key.into(), value.into()));
    }

    /// The first value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value for `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{Params, UrlError, percent_decode};

    #[test]
    fn percent_decoding_table() {
        let cases: &[(&str, bool, Result<&str, UrlError>)] = &[
            ("plain", false, Ok("plain")),
            ("a%20b", false, Ok("a b")),
            ("a%2fb%2F", false, Ok("a/b/")),
            ("a+b", false, Ok("a+b")),
            ("a+b", true, Ok("a b")),
            ("%2B", true, Ok("+")),
            ("%E2%82%AC", false, Ok("€")),
            ("%", false, Err(UrlError::BadEscape { at: 0 })),
            ("ab%4", false, Err(UrlError::BadEscape { at: 2 })),
            ("%zz", false, Err(UrlError::BadEscape { at: 0 })),
            ("%+1", true, Err(UrlError::BadEscape { at: 0 })),
            ("%FF", false, Err(UrlError::NotUtf8)),
        ];
        for (input, plus, want) in cases {
            let want = want.clone().map(str::to_string);
            assert_eq!(percent_decode(input, *plus), want, "{input:?}");
        }
    }

    #[test]
    fn params_table() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("", &[]),
            ("a=1", &[("a", "1")]),
            ("a=1&b=2&a=3", &[("a", "1"), ("b", "2"), ("a", "3")]),
            ("a&&b=", &[("a", ""), ("b", "")]),
            ("x=1=2", &[("x", "1=2")]),
            ("name=J%C3%BCrgen+M", &[("name", "Jürgen M")]),
            ("k%3D=v%26", &[("k=", "v&")]),
        ];
        for (input, want) in cases {
            let params = Params::parse(input).unwrap();
            assert_eq!(params.iter().collect::<Vec<_>>(), *want, "{input:?}");
            assert_eq!(params.len(), want.len());
        }
        assert_eq!(Params::parse("a=%"), Err(UrlError::BadEscape { at: 0 }));
    }
}
