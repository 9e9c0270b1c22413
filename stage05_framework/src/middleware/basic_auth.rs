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
    pub fn new(realm: &str, user: &str, password: &str) -> BasicAuth {
        BasicAuth {
            realm: realm.to_string(),
            user: user.to_string(),
            password: password.to_string(),
            protected: Vec::new(),
        }
    }

    /// Protects `prefix` and every path below it (`/admin` covers `/admin` and `/admin/users`,
    /// not `/administrator`), for `method` only, or for every method with `None`.
    pub fn protect(mut self, method: Option<Method>, prefix: &str) -> BasicAuth {
        let segments = split_path(prefix.trim_end_matches('/'))
            .map(str::to_string)
            .collect();
        self.protected.push((method, segments));
        self
    }

    /// Whether a request for `path` with `method` needs the password. The path's segments are
    /// decoded first, with the router's own function, so `/%61dmin` is `/admin` here as it is
    /// there. A path that does not decode reaches no route at all (the router answers 404), so it
    /// has nothing to protect.
    fn guards(&self, method: &Method, path: &str) -> bool {
        let decoded: Option<Vec<String>> = split_path(path)
            .map(|segment| decode_segment(segment).map(|s| s.into_owned()))
            .collect();
        let Some(segments) = decoded else {
            return false;
        };
        self.protected.iter().any(|(only, prefix)| {
            only.as_ref().is_none_or(|m| m == method)
                && segments.len() >= prefix.len()
                && segments.iter().zip(prefix).all(|(a, b)| a == b)
        })
    }

    /// The user, if `authorization` holds this user's name and password.
    fn check(&self, authorization: Option<&str>) -> Option<User> {
        let encoded = authorization?.strip_prefix("Basic ")?.trim();
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
/// Whether `a` and `b` are equal, in a time that depends on their lengths only.
fn same(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        difference |= usize::from(x ^ y);
    }
    difference == 0
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
