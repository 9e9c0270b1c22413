//! A handler: what answers one route.

use crate::error::ErrorStyle;
use crate::input::Input;
use std::future::Future;

use crate::into_response::{IntoReply, IntoResponse};
use crate::reply::Reply;

// ANCHOR: handler
/// What answers a route. `Send + Sync` so that a pool of threads (chapter 6) or of tasks (chapter
/// 7) can share one handler, and `'static` so that it can live as long as the server.
pub trait Handler: Send + Sync + 'static {
    /// The answer to `input`.
    fn call(&self, input: Input) -> Reply;
}

/// Any function or closure of an [`Input`] whose result can be a reply is a handler: `fn hello(_:
/// Input) -> &'static str`, or `|input: Input| Html(...)`.
impl<F, R> Handler for F
where
    F: Fn(Input) -> R + Send + Sync + 'static,
    R: IntoReply,
{
    fn call(&self, input: Input) -> Reply {
        // Chosen before the handler takes the request: its errors are rendered for this client.
        let style = ErrorStyle::of(&input.request);
        self(input).into_reply(style)
    }
}
// ANCHOR_END: handler

/// A boxed or shared handler is a handler: middleware for one route, or a route table built at
/// run time, holds handlers this way.
impl Handler for Box<dyn Handler> {
    fn call(&self, input: Input) -> Reply {
        (**self).call(input)
    }
}

impl Handler for std::sync::Arc<dyn Handler> {
    fn call(&self, input: Input) -> Reply {
        (**self).call(input)
    }
}

// ANCHOR: later
/// A handler from an `async` closure: `later(|input: Input| async move { … })`. Its reply is a
/// [`Reply::Later`], which this chapter's server waits for and chapter 7's runs alongside others.
/// This is how chapter 7 adds async handlers without changing [`Handler`] or [`Reply`].
pub fn later<F, Fut, R>(handler: F) -> impl Handler
where
    F: Fn(Input) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoResponse,
{
    move |input: Input| -> Reply {
        let future = handler(input);
        Reply::Later(Box::pin(async move { future.await.into_response() }))
    }
}
// ANCHOR_END: later
