//! The one response this chapter's server gives, and the broken versions the book warns about.

use std::fmt;
use std::str::FromStr;

/// The body that runs through the whole book.
pub const BODY: &str = "Hello, World!";

// ANCHOR: hello_response
/// The correct answer: `200 OK` and the book's line.
pub fn hello_response() -> String {
    text_response("200 OK", BODY)
}

/// A plain-text response, byte for byte: a status line, three headers, an empty line, the body.
/// Every line ends in CR LF. `Content-Length` tells the client where the body ends;
/// `Connection: close` tells it we will close the connection after this response. `status` is the
/// code and reason of a status line, like `431 Request Header Fields Too Large`.
pub fn text_response(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Connection: close\r\n\
         \r\n\
         {body}",
        body.len()
    )
}
// ANCHOR_END: hello_response

/// A mistake the server can be told to make, so the book can show what it does to real clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pitfall {
    /// No `Content-Length`, no `Connection: close`, and the connection stays open: the client
    /// cannot know the body has ended.
    NoContentLength,
    /// Lines end in `\n` alone.
    BareLineFeeds,
}

impl Pitfall {
    /// The response the server sends when making this mistake.
    pub fn response(self) -> String {
        match self {
            Pitfall::NoContentLength => {
                format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{BODY}")
            }
            Pitfall::BareLineFeeds => hello_response().replace("\r\n", "\n"),
        }
    }
}

impl FromStr for Pitfall {
    type Err = String;

    fn from_str(s: &str) -> Result<Pitfall, String> {
        match s {
            "no-content-length" => Ok(Pitfall::NoContentLength),
            "bare-lf" => Ok(Pitfall::BareLineFeeds),
            _ => Err(format!(
                "unknown pitfall {s:?}: choose no-content-length or bare-lf"
            )),
        }
    }
}

impl fmt::Display for Pitfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pitfall::NoContentLength => "no-content-length",
            Pitfall::BareLineFeeds => "bare-lf",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_correct_response_has_a_true_content_length() {
        let response = hello_response();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, BODY);
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        assert!(
            !head.replace("\r\n", "").contains('\n'),
            "a bare LF in {head:?}"
        );
    }

    #[test]
    fn pitfalls_round_trip_their_names() {
        for p in [Pitfall::NoContentLength, Pitfall::BareLineFeeds] {
            assert_eq!(p.to_string().parse(), Ok(p));
        }
        assert!(
            Pitfall::NoContentLength
                .response()
                .find("Content-Length")
                .is_none()
        );
        assert!(!Pitfall::BareLineFeeds.response().contains('\r'));
        assert!("nope".parse::<Pitfall>().is_err());
    }
}
