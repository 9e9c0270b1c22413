//! HTTP Basic authentication (RFC 7617) for chosen paths: `401` with `WWW-Authenticate` until the
//! client sends the right user and password.

use stage03_parser::Method;
use stage03_parser::status::Status;
use stage04_router::{decode_segment, split_path};

use super::{Inner, Middleware};
use crate::base64;
use crate::error::{Error, ErrorStyle};
use crate::input::Input;
use crate::reply::Reply;

/// Who the request authenticated as, left in the input's extensions for the handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User(pub String);

/// One user and password, asked for on the paths given to [`BasicAuth::protect`].
///
/// Basic authentication sends the password with every request, only encoded, never encrypted:
/// over plain HTTP anyone on the way can read it. It is here because it is the simplest scheme to
/// see whole; a real site serves it over HTTPS only.
#[derive(Debug)]
pub struct BasicAuth {
    realm: String,
    user: String,
    password: String,
    protected: Vec<(Option<Method>, Vec<String>)>,
}

impl BasicAuth {
    /// Asks for `user` and `password`, naming `realm` to the browser (it shows it in its prompt).
    ///
    /// # Panics
    ///
    /// If `realm` has a quote, a backslash or a control character, which would break the
    /// `WWW-Authenticate` header it is sent in: the realm is the program's text, fixed when it
    /// is written.
    pub fn new(realm: &str, user: &str, password: &str) -> BasicAuth {
        assert!(
            !realm.contains(['"', '\\']) && !realm.chars().any(char::is_control),
            "a realm cannot hold a quote, a backslash or a control character: {realm:?}"
        );
        BasicAuth {
            realm: realm.to_string(),
            user: user.to_string(),
            password: password.to_string(),
            protected: Vec::new(),
        }
    }

    /// Protects `prefix` and every path below it (`/admin` covers `/admin` and `/admin/users`,
    /// not `/administrator`; `/` covers everything), for `method` only (`GET` covers `HEAD`,
    /// which runs the same handler), or for every method with `None`. The prefix is written as a
    /// path is sent, percent-escapes and all, and is compared decoded.
    pub fn protect(mut self, method: Option<Method>, prefix: &str) -> BasicAuth {
        let segments = components(prefix).unwrap_or_default();
        self.protected.push((method, segments));
        self
    }

    /// Whether a request for `path` with `method` needs the password. The path is decoded
    /// first, with the router's own function, so `/%61dmin` is `/admin` here as it is there, and
    /// split at every `/`, an escaped `%2F` included, since a catch-all route (a file server)
    /// reads that as a separator too. A path that does not decode reaches no route at all (the
    /// router answers 404), so it has nothing to protect.
    fn guards(&self, method: &Method, path: &str) -> bool {
        let Some(segments) = components(path) else {
            return false;
        };
        self.protected.iter().any(|(only, prefix)| {
            let method_matches = match only {
                None => true,
                Some(Method::Get) => matches!(method, Method::Get | Method::Head),
                Some(only) => only == method,
            };
            method_matches
                && segments.len() >= prefix.len()
                && segments.iter().zip(prefix).all(|(a, b)| a == b)
        })
    }

    /// The user, if `authorization` holds this user's name and password.
    fn check(&self, authorization: Option<&str>) -> Option<User> {
        // The scheme's name is case-insensitive (RFC 9110 §11.1): `basic` is `Basic`.
        let (scheme, encoded) = authorization?.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let encoded = encoded.trim();
        let decoded = String::from_utf8(base64::decode(encoded)?).ok()?;
        let (user, password) = decoded.split_once(':')?;
        // Both compared in full, whatever the first difference: how long the comparison takes
        // must not tell an attacker how much of a guess was right.
        let user_ok = same(user.as_bytes(), self.user.as_bytes());
        let password_ok = same(password.as_bytes(), self.password.as_bytes());
        (user_ok & password_ok).then(|| User(user.to_string()))
    }
}

// ANCHOR: constant_time
/// Whether `given` equals `secret`, in a time that depends on the length of `given` only: the
/// loop runs over what the client sent, so neither the first difference nor the secret's own
/// length shows in how long the answer takes.
fn same(given: &[u8], secret: &[u8]) -> bool {
    let mut difference = usize::from(given.len() != secret.len());
    for (i, &byte) in given.iter().enumerate() {
        let expected = if secret.is_empty() {
            0
        } else {
            secret[i % secret.len()]
        };
        difference |= usize::from(byte ^ expected);
    }
    // Through `black_box`, which the optimizer must assume reads the exact value. Without it, the
    // optimizer may see that only `difference == 0` matters and that once a byte differs it never
    // is 0 again, and stop the loop at the first difference: the early exit this function exists
    // to avoid. (std calls it a hint, not a promise; crates such as `subtle` go further.)
    std::hint::black_box(difference) == 0
}
// ANCHOR_END: constant_time

// ANCHOR: basic_auth_call
impl Middleware for BasicAuth {
    fn call(&self, mut input: Input, inner: Inner<'_>) -> Reply {
        if !self.guards(&input.request.method, input.request.path()) {
            return inner.run(input);
        }
        match self.check(input.request.header("authorization")) {
            Some(user) => {
                input.extensions.insert(user);
                inner.run(input)
            }
            None => {
                let challenge = format!("Basic realm=\"{}\", charset=\"UTF-8\"", self.realm);
                let error = Error::new(Status::UNAUTHORIZED, "this page needs a user and password")
                    .with_header("WWW-Authenticate", challenge);
                Reply::Ready(error.render(ErrorStyle::of(&input.request)))
            }
        }
    }
}
// ANCHOR_END: basic_auth_call

/// A path's segments, decoded and split at every `/` (an escaped one included), without the
/// empty ones: `/a%2Fb/` is `["a", "b"]`, `/` is `[]`. `None` if a segment does not decode.
fn components(path: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    for segment in split_path(path) {
        let decoded = decode_segment(segment)?;
        parts.extend(
            decoded
                .split('/')
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        );
    }
    Some(parts)
}
