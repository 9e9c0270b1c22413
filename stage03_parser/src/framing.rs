//! Where the body ends: the decision RFC 9112 §6.3 makes from `Content-Length` and
//! `Transfer-Encoding`, made strictly, because a lenient guess is how requests get smuggled.
//!
//! If a proxy in front of this server reads the body's length one way and this server another,
//! the bytes one of them thinks are body the other thinks are the *next request*: an attacker's
//! request slips past the proxy's checks inside a harmless one. So every ambiguous case is a 400,
//! not a best guess: both headers together, two different lengths, a length that is not plain
//! digits (`+5`, `1_0`, `0x10`, `5, 5`).

use crate::error::ParseError;
use crate::headers::Headers;
use crate::limits::Limits;

/// How the body of a request is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Exactly this many bytes follow the head (0 when neither header is present).
    Length(usize),
    /// `Transfer-Encoding: chunked`: chunks until a zero-sized one, then trailers.
    Chunked,
}

// ANCHOR: framing
/// Decides the framing from the header fields, or refuses the request.
pub fn framing(headers: &Headers, limits: &Limits) -> Result<Framing, ParseError> {
    let has_length = headers.contains("content-length");
    let has_coding = headers.contains("transfer-encoding");
    match (has_length, has_coding) {
        (true, true) => Err(ParseError::ContentLengthWithTransferEncoding),
        (false, true) => transfer_coding(headers).map(|()| Framing::Chunked),
        (true, false) => content_length(headers, limits).map(Framing::Length),
        (false, false) => Ok(Framing::Length(0)),
    }
}
// ANCHOR_END: framing

/// Every `Content-Length` field must be plain digits, and all of them the same number.
fn content_length(headers: &Headers, limits: &Limits) -> Result<usize, ParseError> {
    let mut length = None;
    for value in headers.get_all("content-length") {
        let digits = value.as_bytes();
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::BadContentLength("it must be digits only"));
        }
        // Digits only, so the one way to fail is a number too large for memory: over any limit.
        let too_large = ParseError::BodyTooLarge {
            limit: limits.max_body,
        };
        let this = digits.iter().try_fold(0usize, |n, d| {
            n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
        });
        let this = this.ok_or(too_large)?;
        if length.is_some_and(|before| before != this) {
            return Err(ParseError::BadContentLength("two fields disagree"));
        }
        length = Some(this);
    }
    let length = length.unwrap_or(0);
    if length > limits.max_body {
        return Err(ParseError::BodyTooLarge {
            limit: limits.max_body,
        });
    }
    Ok(length)
}

// ANCHOR: transfer_coding
/// The codings listed in every `Transfer-Encoding` field, in order, must end with exactly one
/// `chunked` (RFC 9112 §6.3): without a final `chunked` nothing says where the body ends, so the
/// request is a 400 and the connection must close; a coding this server cannot undo, before the
/// final `chunked` (`gzip, chunked`), is a 501.
fn transfer_coding(headers: &Headers) -> Result<(), ParseError> {
    let mut codings = Vec::new();
    for value in headers.get_all("transfer-encoding") {
        let text = value
            .to_str()
            .map_err(|_| ParseError::BadTransferEncoding("a coding that is not text"))?;
        codings.extend(text.split(',').map(str::trim).filter(|c| !c.is_empty()));
    }
    let is_chunked = |coding: &&str| coding.eq_ignore_ascii_case("chunked");
    let Some((last, before)) = codings.split_last() else {
        return Err(ParseError::BadTransferEncoding("no coding named"));
    };
    if !is_chunked(last) {
        return Err(ParseError::BadTransferEncoding(
            "the last coding must be chunked, or the body has no end",
        ));
    }
    if before.iter().any(is_chunked) {
        return Err(ParseError::BadTransferEncoding("chunked more than once"));
    }
    match before.first() {
        Some(unknown) => Err(ParseError::UnsupportedTransferCoding(unknown.to_string())),
        None => Ok(()),
    }
}
// ANCHOR_END: transfer_coding

#[cfg(test)]
mod tests {
    use super::{Framing, framing};
    use crate::{Headers, Limits};

    type Fields<'a> = &'a [(&'a str, &'a str)];

    #[test]
    fn framing_table() {
        let limits = Limits {
            max_body: 100,
            ..Limits::default()
        };
        let cases: &[(Fields, Result<Framing, u16>)] = &[
            (&[], Ok(Framing::Length(0))),
            (&[("Content-Length", "42")], Ok(Framing::Length(42))),
            (&[("content-length", "007")], Ok(Framing::Length(7))),
            (
                &[("Content-Length", "5"), ("Content-Length", "5")],
                Ok(Framing::Length(5)),
            ),
            (
                &[("Content-Length", "5"), ("Content-Length", "6")],
                Err(400),
            ),
            (&[("Content-Length", "5, 5")], Err(400)),
            (&[("Content-Length", "+5")], Err(400)),
            (&[("Content-Length", "-1")], Err(400)),
            (&[("Content-Length", "1_0")], Err(400)),
            (&[("Content-Length", "0x10")], Err(400)),
            (&[("Content-Length", "")], Err(400)),
            (&[("Content-Length", "101")], Err(413)),
            (&[("Content-Length", "99999999999999999999999")], Err(413)),
            (&[("Transfer-Encoding", "chunked")], Ok(Framing::Chunked)),
            (&[("Transfer-Encoding", "Chunked")], Ok(Framing::Chunked)),
            (&[("Transfer-Encoding", "gzip, chunked")], Err(501)),
            (
                &[
                    ("Transfer-Encoding", "gzip"),
                    ("Transfer-Encoding", "chunked"),
                ],
                Err(501),
            ),
            // RFC 9112 §6.3: a final coding other than chunked leaves the body without an end.
            (&[("Transfer-Encoding", "gzip")], Err(400)),
            (&[("Transfer-Encoding", "chunked, gzip")], Err(400)),
            (&[("Transfer-Encoding", "identity")], Err(400)),
            (&[("Transfer-Encoding", "chunked, chunked")], Err(400)),
            (
                &[
                    ("Transfer-Encoding", "chunked"),
                    ("Transfer-Encoding", "chunked"),
                ],
                Err(400),
            ),
            (&[("Transfer-Encoding", "")], Err(400)),
            (
                &[("Transfer-Encoding", "chunked"), ("Content-Length", "5")],
                Err(400),
            ),
            (
                &[("Content-Length", "0"), ("Transfer-Encoding", "chunked")],
                Err(400),
            ),
        ];
        for (fields, want) in cases {
            let mut headers = Headers::new();
            for (n, v) in *fields {
                headers.append(*n, *v);
            }
            let got = framing(&headers, &limits).map_err(|e| e.status().code());
            assert_eq!(got, *want, "{fields:?}");
        }
    }
}
