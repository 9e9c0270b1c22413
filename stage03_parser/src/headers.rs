//! Header fields: an ordered list of name/value pairs whose names compare without regard to case.
//!
//! HTTP says field names are case-insensitive (`Content-Type` and `content-type` are one field) and
//! that a repeated field keeps its order (RFC 9110 §5.2, §5.3). A `HashMap<String, String>` loses
//! both the order and the repeats, so this is a plain `Vec` of pairs: requests carry a dozen fields,
//! and a linear scan over a dozen short strings is faster than hashing them.
//!
//! Values are bytes ([`HeaderValue`]), not `String`s: HTTP allows bytes that are not UTF-8 in them.
//!
//! Nothing here validates: the parser checks what a client sent, and the Response builder checks
//! what a handler sets, each with the error its side needs.

use std::fmt;

/// The value of a header field: bytes, as HTTP defines it.
///
/// RFC 9110 §5.5 allows bytes from 0x80 to 0xFF ("obs-text") in a value, and clients do send them:
/// a Latin-1 file name, UTF-8 in a `Referer`. So a value is kept byte for byte, and reading it as
/// text is a question that can fail, the way the `http` crate's `HeaderValue::to_str` is.
///
/// # Examples
///
/// ```
/// use stage03_parser::headers::HeaderValue;
///
/// assert_eq!(HeaderValue::from("text/html").to_str(), Ok("text/html"));
/// let latin1 = HeaderValue::from(b"caf\xe9".to_vec()); // "café" in Latin-1
/// assert!(latin1.to_str().is_err());
/// assert_eq!(latin1.as_bytes(), b"caf\xe9");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct HeaderValue(Vec<u8>);

impl HeaderValue {
    /// The value's bytes, exactly as they came or were set.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value as text, if it is UTF-8 (plain ASCII always is).
    pub fn to_str(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.0)
    }

    /// How many bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for an empty value (`X-Empty:` is a valid field).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for HeaderValue {
    fn from(text: &str) -> HeaderValue {
        HeaderValue(text.as_bytes().to_vec())
    }
}

impl From<String> for HeaderValue {
    fn from(text: String) -> HeaderValue {
        HeaderValue(text.into_bytes())
    }
}

impl From<&[u8]> for HeaderValue {
    fn from(bytes: &[u8]) -> HeaderValue {
        HeaderValue(bytes.to_vec())
    }
}

impl From<Vec<u8>> for HeaderValue {
    fn from(bytes: Vec<u8>) -> HeaderValue {
        HeaderValue(bytes)
    }
}

impl From<&HeaderValue> for HeaderValue {
    fn from(value: &HeaderValue) -> HeaderValue {
        value.clone()
    }
}

impl AsRef<[u8]> for HeaderValue {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl PartialEq<str> for HeaderValue {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for HeaderValue {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Debug for HeaderValue {
    /// Text in quotes when it is UTF-8, the bytes otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_str() {
            Ok(text) => fmt::Debug::fmt(text, f),
            Err(_) => write!(f, "b\"{}\"", self.0.escape_ascii()),
        }
    }
}

/// Ordered header fields, looked up case-insensitively.
///
/// # Examples
///
/// ```
/// use stage03_parser::Headers;
///
/// let mut headers = Headers::new();
/// headers.append("Accept", "text/html");
/// headers.append("accept", "application/json");
/// assert_eq!(headers.get("ACCEPT").unwrap(), "text/html");
/// assert_eq!(headers.get_all("Accept").count(), 2);
///
/// headers.set("Accept", "*/*");
/// assert_eq!(headers.get_all("accept").collect::<Vec<_>>(), ["*/*"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    fields: Vec<(String, HeaderValue)>,
}

impl Headers {
    /// No fields.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Adds a field at the end, after any others of the same name.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<HeaderValue>) {
        self.fields.push((name.into(), value.into()));
    }

    /// Replaces every field called `name` with one, kept where the first one was (or appended).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<HeaderValue>) {
        let name = name.into();
        let value = value.into();
        match self.position(&name) {
            Some(first) => {
                self.fields[first].1 = value;
                let mut index = 0;
                self.fields.retain(|(n, _)| {
                    let keep = index <= first || !n.eq_ignore_ascii_case(&name);
                    index += 1;
                    keep
                });
            }
            None => self.fields.push((name, value)),
        }
    }

    /// The value of the first field called `name`.
    pub fn get(&self, name: &str) -> Option<&HeaderValue> {
        let index = self.position(name)?;
        Some(&self.fields[index].1)
    }

    /// The values of every field called `name`, in the order they came.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a HeaderValue> {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Removes every field called `name`.
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// True when at least one field is called `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Every field as `(name, value)`, in order, names spelled as they were given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &HeaderValue)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// How many fields (a repeated name counts each time).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::Headers;

    fn from(pairs: &[(&str, &str)]) -> Headers {
        let mut headers = Headers::new();
        for (n, v) in pairs {
            headers.append(*n, *v);
        }
        headers
    }

    fn pairs(headers: &Headers) -> Vec<(&str, &str)> {
        headers
            .iter()
            .map(|(n, v)| (n, v.to_str().expect("the tests' values are text")))
            .collect()
    }

    #[test]
    fn lookups_ignore_case_and_keep_order() {
        let h = from(&[("Host", "a"), ("X-A", "1"), ("x-a", "2"), ("X-B", "3")]);
        let cases: &[(&str, Option<&str>, &[&str])] = &[
            ("host", Some("a"), &["a"]),
            ("X-A", Some("1"), &["1", "2"]),
            ("x-b", Some("3"), &["3"]),
            ("missing", None, &[]),
        ];
        for (name, first, all) in cases {
            assert_eq!(
                h.get(name).map(|v| v.as_bytes()),
                first.map(str::as_bytes),
                "{name}"
            );
            assert_eq!(h.get_all(name).collect::<Vec<_>>(), *all, "{name}");
            assert_eq!(h.contains(name), first.is_some(), "{name}");
        }
        assert_eq!(h.len(), 4);
        assert!(!h.is_empty());
        assert!(Headers::new().is_empty());
    }

    #[test]
    fn set_replaces_every_field_at_the_first_position() {
        let mut h = from(&[("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")]);
        h.set("a", "9");
        assert_eq!(pairs(&h), [("A", "9"), ("B", "2"), ("C", "4")]);
        h.set("D", "5");
        assert_eq!(pairs(&h), [("A", "9"), ("B", "2"), ("C", "4"), ("D", "5")]);
    }

    #[test]
    fn remove_takes_every_field_of_that_name() {
        let mut h = from(&[("A", "1"), ("B", "2"), ("a", "3")]);
        h.remove("A");
        assert_eq!(pairs(&h), [("B", "2")]);
        h.remove("nothing");
        assert_eq!(h.len(), 1);
    }
}
