//! The values a route's parameters took, decoded, looked up by name.
//!
//! The path is split at its real slashes *before* anything is decoded, so `%2F` inside a segment is
//! a slash in the value, never a new segment: `/hello/a%2Fb` is one name, `a/b`. Decoding first
//! would let a client change which route matches by escaping a slash.

use std::borrow::Cow;

use stage03_parser::url::percent_decode;

/// Parameters captured by a match, in the order the pattern names them.
///
/// This is chapter 3's [`Params`](stage03_parser::url::Params), the ordered list of pairs that
/// holds a query string: a route's parameters are the same thing, names and decoded values, and
/// a handler reads both the same way. A handful of pairs in a `Vec`: routes have one or two
/// parameters, and a scan over two short strings costs less than hashing one.
///
/// # Examples
///
/// ```
/// use stage04_router::{Lookup, Method, Router};
///
/// let mut router = Router::new();
/// router.route(Method::Get, "/hello/{name}", ()).unwrap();
/// let Lookup::Found { params, .. } = router.lookup_raw(&Method::Get, "/hello/Z%C3%BCrich%2FCH") else {
///     panic!("should match");
/// };
/// assert_eq!(params.get("name"), Some("Zürich/CH"));
/// assert_eq!(params.get("nobody"), None);
/// ```
pub use stage03_parser::url::Params;

/// Percent-decodes one path segment with chapter 3's decoder, or `None` if an escape is malformed,
/// the bytes are not UTF-8, or the segment decodes to a control character. Borrows when there is
/// nothing to decode, which is almost always.
///
/// A control character is never part of a name, and `%00` (NUL) ends a string in the C code
/// underneath file systems: a `/files/{name}` handler handed `a.txt%00.png` might check one name
/// and open another. So no route ever sees one. A `%2F` does reach the value, as a `/` inside
/// one parameter: a handler that turns a value into a file path must treat every `/` in it
/// (and `..`) as the climb it may be; chapter 5's file server does.
pub fn decode_segment(segment: &str) -> Option<Cow<'_, str>> {
    if !segment.contains('%') {
        return Some(Cow::Borrowed(segment));
    }
    // `+` stays `+`: it means a space only in query strings and forms, never in a path.
    let decoded = percent_decode(segment, false).ok()?;
    if decoded.chars().any(char::is_control) {
        return None;
    }
    Some(Cow::Owned(decoded))
}

#[cfg(test)]
mod tests {
    use super::{Params, decode_segment};

    #[test]
    fn segments_decode() {
        let cases = [
            ("plain", Some("plain")),
            ("", Some("")),
            ("a%20b", Some("a b")),
            ("a+b", Some("a+b")), // `+` is a space only in forms, not in paths
            ("a%2Fb", Some("a/b")),
            ("%3F%23%25", Some("?#%")),
            ("Z%C3%BCrich", Some("Zürich")),
            ("caf%c3%a9", Some("café")),
            ("%F0%9F%A6%80", Some("🦀")),
            ("café", Some("café")),
            ("%", None),
            ("%2", None),
            ("%zz", None),
            ("%+1", None),
            ("%FF", None),          // not UTF-8
            ("%C3", None),          // half a character
            ("%E2%82", None),       // two thirds of one
            ("a.txt%00.png", None), // NUL: never part of a name
            ("a%0Ab", None),
            ("%7F", None),
        ];
        for (segment, want) in cases {
            assert_eq!(decode_segment(segment).as_deref(), want, "{segment:?}");
        }
    }

    #[test]
    fn params_look_up_by_name() {
        let mut params = Params::new();
        assert!(params.is_empty());
        params.append("user", "ada");
        params.append("post", "7");
        let cases = [("user", Some("ada")), ("post", Some("7")), ("USER", None)];
        for (name, want) in cases {
            assert_eq!(params.get(name), want, "{name}");
        }
        assert_eq!(params.len(), 2);
        assert_eq!(
            params.iter().collect::<Vec<_>>(),
            [("user", "ada"), ("post", "7")]
        );
    }
}
