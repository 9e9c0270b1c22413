//! HTTP status codes as a type, with their reason phrases.
//!
//! A status is not a free integer: `Status::NOT_FOUND` cannot be mistyped as `440`, and its reason
//! phrase cannot drift from its code, because both come from the one table below (the way
//! hyperium/http's `src/status.rs` builds its constants). Reason phrases follow RFC 9110 §15.
//!
//! Any three-digit code from 100 to 999 is a status (RFC 9110 §15: a client that does not know a
//! code treats it as the `x00` of its class), so [`Status::from_code`] takes `418` or `451` as
//! well as the table's codes. A code the table does not name is sent with its class's name as the
//! reason phrase (`4xx` → `Client Error`): the phrase is only for people reading the wire.

use std::fmt;

/// An HTTP response status: a three-digit code and its reason phrase.
///
/// # Examples
///
/// ```
/// use stage03_parser::status::Status;
///
/// let status = Status::NOT_FOUND;
/// assert_eq!(status.code(), 404);
/// assert_eq!(status.reason(), "Not Found");
/// assert_eq!(status.to_string(), "404 Not Found");
/// assert!(status.is_client_error());
///
/// assert_eq!(Status::from_code(201), Some(Status::CREATED));
/// let teapot = Status::from_code(418).unwrap(); // not in the table, still a status
/// assert_eq!(teapot.to_string(), "418 Client Error");
/// assert_eq!(Status::from_code(1000), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Status(u16);

// ANCHOR: status_macro
/// Builds the named constants and the code → reason lookup from one table, so the two can never
/// disagree.
macro_rules! status_table {
    ($( $(#[$doc:meta])* ($code:literal, $name:ident, $reason:literal); )+) => {
        impl Status {
            $( $(#[$doc])* pub const $name: Status = Status($code); )+
        }

        /// The reason phrase of a code in the table, `None` for any other.
        fn reason_of(code: u16) -> Option<&'static str> {
            match code {
                $( $code => Some($reason), )+
                _ => None,
            }
        }
    };
}
// ANCHOR_END: status_macro

// ANCHOR: status_rows
status_table! {
    /// The client may send the request body (the answer to `Expect: 100-continue`).
    (100, CONTINUE, "Continue");
    /// The connection changes to the protocol named in `Upgrade`.
    (101, SWITCHING_PROTOCOLS, "Switching Protocols");
    /// The request succeeded.
    (200, OK, "OK");
    /// A resource was created; `Location` says where.
    (201, CREATED, "Created");
    /// Accepted for processing, not yet done.
    (202, ACCEPTED, "Accepted");
    // ANCHOR_END: status_rows
    /// Success, and no body to send.
    (204, NO_CONTENT, "No Content");
    /// The part of the body a `Range` asked for; `Content-Range` says which.
    (206, PARTIAL_CONTENT, "Partial Content");
    /// The resource has moved for good; `Location` says where.
    (301, MOVED_PERMANENTLY, "Moved Permanently");
    /// The resource is elsewhere for now; `Location` says where.
    (302, FOUND, "Found");
    /// Look at `Location` with a GET (the answer to a form POST).
    (303, SEE_OTHER, "See Other");
    /// The client's cached copy is still good; no body.
    (304, NOT_MODIFIED, "Not Modified");
    /// Repeat the same request at `Location`, for now.
    (307, TEMPORARY_REDIRECT, "Temporary Redirect");
    /// Repeat the same request at `Location`, from now on.
    (308, PERMANENT_REDIRECT, "Permanent Redirect");
    /// The request was malformed.
    (400, BAD_REQUEST, "Bad Request");
    /// Credentials are missing or wrong; `WWW-Authenticate` says which kind.
    (401, UNAUTHORIZED, "Unauthorized");
    /// Understood, and refused.
    (403, FORBIDDEN, "Forbidden");
    /// Nothing at this path.
    (404, NOT_FOUND, "Not Found");
    /// The path exists, not with this method; `Allow` lists the right ones.
    (405, METHOD_NOT_ALLOWED, "Method Not Allowed");
    /// None of the representations the client accepts is available.
    (406, NOT_ACCEPTABLE, "Not Acceptable");
    /// The client took too long to send its request.
    (408, REQUEST_TIMEOUT, "Request Timeout");
    /// The request conflicts with the resource's current state.
    (409, CONFLICT, "Conflict");
    /// The resource is gone for good.
    (410, GONE, "Gone");
    /// A body came without a length the server accepts.
    (411, LENGTH_REQUIRED, "Length Required");
    /// The body is larger than the server accepts (RFC 9110 renamed it "Content Too Large").
    (413, PAYLOAD_TOO_LARGE, "Content Too Large");
    /// The request target is longer than the server accepts.
    (414, URI_TOO_LONG, "URI Too Long");
    /// The body's media type is not one the server accepts.
    (415, UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
    /// The `Range` asked for lies outside the body; `Content-Range` says how long it is.
    (416, RANGE_NOT_SATISFIABLE, "Range Not Satisfiable");
    /// The `Expect` field cannot be met.
    (417, EXPECTATION_FAILED, "Expectation Failed");
    /// Well-formed, and yet its content cannot be processed (RFC 9110: "Unprocessable Content").
    (422, UNPROCESSABLE_ENTITY, "Unprocessable Content");
    /// The client sent too many requests; `Retry-After` says when to try again.
    (429, TOO_MANY_REQUESTS, "Too Many Requests");
    /// The head (one field or all of them) is larger than the server accepts.
    (431, REQUEST_HEADER_FIELDS_TOO_LARGE, "Request Header Fields Too Large");
    /// The server failed (a handler panicked, say).
    (500, INTERNAL_SERVER_ERROR, "Internal Server Error");
    /// The server does not implement what the request needs (an unknown transfer coding).
    (501, NOT_IMPLEMENTED, "Not Implemented");
    /// A gateway got a bad answer from upstream.
    (502, BAD_GATEWAY, "Bad Gateway");
    /// The server is overloaded for now; `Retry-After` says when to try again.
    (503, SERVICE_UNAVAILABLE, "Service Unavailable");
    /// A gateway got no answer from upstream in time.
    (504, GATEWAY_TIMEOUT, "Gateway Timeout");
    /// The request's HTTP version is not one the server speaks.
    (505, HTTP_VERSION_NOT_SUPPORTED, "HTTP Version Not Supported");
}

impl Status {
    /// The status with this code, or `None` when the code is not three digits from 100 to 999.
    pub fn from_code(code: u16) -> Option<Status> {
        (100..=999).contains(&code).then_some(Status(code))
    }

    /// The three-digit code, e.g. `404`.
    pub fn code(self) -> u16 {
        self.0
    }

    /// The reason phrase, e.g. `"Not Found"`; for a code the table does not name, its class's.
    pub fn reason(self) -> &'static str {
        reason_of(self.0).unwrap_or(match self.0 / 100 {
            1 => "Informational",
            2 => "Success",
            3 => "Redirection",
            4 => "Client Error",
            5 => "Server Error",
            _ => "Unknown",
        })
    }

    /// 1xx: the request goes on, a final answer follows.
    pub fn is_informational(self) -> bool {
        (100..200).contains(&self.0)
    }

    /// 2xx: the request succeeded.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// 3xx: look elsewhere.
    pub fn is_redirection(self) -> bool {
        (300..400).contains(&self.0)
    }

    /// 4xx: the client got something wrong.
    pub fn is_client_error(self) -> bool {
        (400..500).contains(&self.0)
    }

    /// 5xx: the server got something wrong.
    pub fn is_server_error(self) -> bool {
        (500..600).contains(&self.0)
    }

    /// True for statuses that never carry a body, nor a `Content-Length`: every 1xx, 204 and 304
    /// (RFC 9110 §6.4.1, §8.6).
    pub fn forbids_body(self) -> bool {
        self.is_informational() || self == Status::NO_CONTENT || self == Status::NOT_MODIFIED
    }
}

impl fmt::Display for Status {
    /// The code and reason as they appear in a status line: `404 Not Found`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.reason())
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn constants_match_codes_and_reasons() {
        let cases = [
            (Status::CONTINUE, 100, "Continue"),
            (Status::OK, 200, "OK"),
            (Status::NO_CONTENT, 204, "No Content"),
            (Status::SEE_OTHER, 303, "See Other"),
            (Status::NOT_FOUND, 404, "Not Found"),
            (Status::PAYLOAD_TOO_LARGE, 413, "Content Too Large"),
            (
                Status::REQUEST_HEADER_FIELDS_TOO_LARGE,
                431,
                "Request Header Fields Too Large",
            ),
            (
                Status::HTTP_VERSION_NOT_SUPPORTED,
                505,
                "HTTP Version Not Supported",
            ),
        ];
        for (status, code, reason) in cases {
            assert_eq!(status.code(), code);
            assert_eq!(status.reason(), reason);
            assert_eq!(status.to_string(), format!("{code} {reason}"));
            assert_eq!(Status::from_code(code), Some(status));
        }
    }

    #[test]
    fn codes_outside_the_table_pass_with_their_class_as_reason() {
        let cases = [
            (199, "199 Informational"),
            (299, "299 Success"),
            (399, "399 Redirection"),
            (418, "418 Client Error"),
            (451, "451 Client Error"),
            (599, "599 Server Error"),
            (600, "600 Unknown"),
            (999, "999 Unknown"),
        ];
        for (code, line) in cases {
            let status = Status::from_code(code).unwrap_or_else(|| panic!("{code}"));
            assert_eq!((status.code(), status.to_string().as_str()), (code, line));
        }
        for code in [0, 99, 1000, u16::MAX] {
            assert_eq!(Status::from_code(code), None, "{code}");
        }
    }

    #[test]
    fn every_code_has_a_reason_and_at_most_one_class() {
        for code in 0..=u16::MAX {
            let Some(status) = Status::from_code(code) else {
                continue;
            };
            assert!(!status.reason().is_empty(), "{code}");
            let classes = [
                status.is_informational(),
                status.is_success(),
                status.is_redirection(),
                status.is_client_error(),
                status.is_server_error(),
            ];
            let expected = usize::from(code < 600);
            assert_eq!(classes.iter().filter(|c| **c).count(), expected, "{code}");
        }
    }

    #[test]
    fn classes() {
        let cases = [
            (Status::CONTINUE, true, false, false, false),
            (Status::OK, false, true, false, false),
            (Status::FOUND, false, false, false, false),
            (Status::BAD_REQUEST, false, false, true, false),
            (Status::SERVICE_UNAVAILABLE, false, false, false, true),
        ];
        for (status, info, success, client, server) in cases {
            assert_eq!(status.is_informational(), info, "{status}");
            assert_eq!(status.is_success(), success, "{status}");
            assert_eq!(status.is_client_error(), client, "{status}");
            assert_eq!(status.is_server_error(), server, "{status}");
        }
    }

    #[test]
    fn bodiless_statuses() {
        let cases = [
            (Status::CONTINUE, true),
            (Status::SWITCHING_PROTOCOLS, true),
            (Status::NO_CONTENT, true),
            (Status::NOT_MODIFIED, true),
            (Status::OK, false),
            (Status::CREATED, false),
            (Status::NOT_FOUND, false),
        ];
        for (status, forbids) in cases {
            assert_eq!(status.forbids_body(), forbids, "{status}");
        }
    }
}
