//! What a handler gives back: a response now, or one still to come.
//!
//! Chapter 7 adds `async fn` handlers, whose response is a future. Deciding that now, in the type
//! every handler returns, is what lets chapter 7 add them without changing the handler, middleware
//! or application types of this chapter: a middleware that changes a response does it through
//! [`Reply::map`], which works for both kinds, and a server that cannot run futures concurrently
//! still answers with [`Reply::wait`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use stage03_parser::response::Response;

use crate::block_on::block_on;

/// A response that is still being computed: what an `async` handler returns (chapter 7).
pub type ResponseFuture = Pin<Box<dyn Future<Output = Response> + Send + 'static>>;

// ANCHOR: reply
/// A handler's answer.
pub enum Reply {
    /// The response, ready now: what every handler of this chapter gives.
    Ready(Response),
    /// A response to come, from an `async` handler.
    Later(ResponseFuture),
}
// ANCHOR_END: reply

impl Reply {
    /// The same reply with `change` applied to its response, now or when it comes.
    pub fn map(self, change: impl FnOnce(Response) -> Response + Send + 'static) -> Reply {
        match self {
            Reply::Ready(response) => Reply::Ready(change(response)),
            Reply::Later(future) => Reply::Later(Box::pin(async move { change(future.await) })),
        }
    }

    /// The response, waiting on this thread for one still to come. A server that serves one
    /// request at a time on a thread (this chapter's, chapter 6's) answers this way.
    pub fn wait(self) -> Response {
        match self {
            Reply::Ready(response) => response,
            Reply::Later(future) => block_on(future),
        }
    }
}

impl From<Response> for Reply {
    fn from(response: Response) -> Reply {
        Reply::Ready(response)
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Ready(response) => f.debug_tuple("Ready").field(response).finish(),
            Reply::Later(_) => f.write_str("Later(..)"),
        }
    }
}
