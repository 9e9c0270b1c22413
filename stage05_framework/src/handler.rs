//! A handler: what answers one route.

use crate::error::ErrorStyle;
use crate::input::Input;
use crate::into_response::IntoReply;
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
