//! Middleware: code that wraps the application, on the way in and on the way out.
//!
//! Each layer gets the request first. It may answer at once (a blocked address, a missing
//! password), change the input on the way in (the authenticated user, for the handler), and change
//! the reply on the way out (a log line when it is done). Layers are added with
//! [`App::wrap`](crate::App::wrap), the first added outermost, like the layers of an onion:
//!
//! ```text
//! request → [catch panics] → [access log] → [blocklist] → [rate limit] → [auth] → router → handler
//! reply   ←        …       ←      …       ←      …      ←      …       ←   …    ←        ←
//! ```
//!
//! The panic catcher is built into the application as its outermost layer, always there. A layer
//! decides on the way in synchronously and changes a reply with [`Reply::map`], which works for an
//! `async` handler's reply too, so the same layers will run on chapter 7's async server.

pub mod access_log;
pub mod basic_auth;
pub mod blocklist;
pub mod rate_limit;

use crate::app::App;
use crate::input::Input;
use crate::reply::Reply;

pub use access_log::AccessLog;
pub use basic_auth::{BasicAuth, User};
pub use blocklist::Blocklist;
pub use rate_limit::RateLimit;

// ANCHOR: middleware
/// One layer around the application.
pub trait Middleware: Send + Sync + 'static {
    /// The reply to `input`: from `inner.run(input)`, changed or not, or one of its own.
    fn call(&self, input: Input, inner: Inner<'_>) -> Reply;
}

/// The rest of the application, seen from one layer: the layers inside it, then the router.
pub struct Inner<'a> {
    pub(crate) app: &'a App,
    pub(crate) layers: &'a [Box<dyn Middleware>],
}

impl Inner<'_> {
    /// Hands `input` to the next layer in, or to the router and the handler after the last.
    pub fn run(self, input: Input) -> Reply {
        match self.layers.split_first() {
            Some((layer, inside)) => layer.call(
                input,
                Inner {
                    app: self.app,
                    layers: inside,
                },
            ),
            None => self.app.dispatch(input),
        }
    }
}
// ANCHOR_END: middleware
