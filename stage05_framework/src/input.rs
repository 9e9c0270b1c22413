//! What a handler is given: the request, by value, and what routing and middleware add to it.

use std::sync::Arc;

use stage03_parser::Request;
use stage04_router::Params;

use crate::extensions::Extensions;

// ANCHOR: input
/// Everything a handler knows about the request it answers.
///
/// The request comes by value: the handler owns it, may take its body without a copy, and can hand
/// it to another thread or task. Nothing here is global, unlike Flask's `request`, which is why the
/// same handler can run on chapter 6's threads and chapter 7's tasks unchanged.
#[derive(Debug)]
pub struct Input {
    /// The request as chapter 3 parsed it.
    pub request: Request,
    /// The values of the route's `{parameters}`, decoded (chapter 4).
    pub params: Params,
    /// What middleware learned about this request, for the handler.
    pub extensions: Extensions,
    /// The application's shared state, the same for every request.
    state: Arc<Extensions>,
}
// ANCHOR_END: input

impl Input {
    /// An input for `request` with `params`, sharing `state`.
    pub fn new(request: Request, params: Params, state: Arc<Extensions>) -> Input {
        Input {
            request,
            params,
            extensions: Extensions::new(),
            state,
        }
    }

    /// The application's shared value of type `T` (given with [`App::with_state`]).
    ///
    /// [`App::with_state`]: crate::App::with_state
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.state.get()
    }

    /// The value of parameter `name`; `None` if the route has no such parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name)
    }
}
