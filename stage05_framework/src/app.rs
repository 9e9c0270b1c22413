//! The application: one value that turns a request into a reply.
//!
//! This is WSGI's lesson. A Python web application is one callable,
//! `application(environ, start_response)`; a server is anything that accepts connections and calls
//! it, and any WSGI server runs any WSGI application. Here the callable is [`Application::call`],
//! and this chapter's blocking server, chapter 6's thread pool and chapter 7's async runtime all run
//! the same [`App`].

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use stage01_tcp_echo::log;
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::{Method, Request};
use stage04_router::dispatch::{Routed, route};
use stage04_router::{Params, RouteError, Router};

use crate::error::{Error, ErrorStyle};
use crate::extensions::Extensions;
use crate::handler::Handler;
use crate::input::Input;
use crate::macro_support::RouteSpec;
use crate::middleware::{Inner, Middleware};
use crate::reply::{Reply, ResponseFuture};

// ANCHOR: application
/// What a server runs: anything that answers a request. `Send + Sync + 'static`, so that a server
/// may share it between threads and keep it as long as it runs.
pub trait Application: Send + Sync + 'static {
    /// The reply to `request`.
    fn call(&self, request: Request) -> Reply;
}
// ANCHOR_END: application

/// Routes, their handlers, and the state they share.
///
/// # Examples
///
/// ```
/// use stage03_parser::{Method, Request};
/// use stage05_framework::{App, Application, Input};
///
/// let mut app = App::new();
/// app.get("/hello/{name}", |input: Input| format!("Hello, {}!", input.param("name").unwrap()));
/// let response = app.call(Request::new(Method::Get, "/hello/Ada").unwrap()).wait();
/// assert_eq!(response.body(), b"Hello, Ada!");
/// ```
#[derive(Default)]
pub struct App {
    router: Router<Box<dyn Handler>>,
    layers: Vec<Box<dyn Middleware>>,
    state: Arc<Extensions>,
}

impl App {
    /// An application with no routes.
    pub fn new() -> App {
        App::default()
    }

    /// Adds a route, or says why it cannot be added (a bad pattern, or one that conflicts).
    pub fn try_route(
        &mut self,
        method: Method,
        pattern: &str,
        handler: impl Handler,
    ) -> Result<&mut App, RouteError> {
        self.router.route(method, pattern, Box::new(handler))?;
        Ok(self)
    }

    /// Adds a route for any method.
    pub fn try_any(
        &mut self,
        pattern: &str,
        handler: impl Handler,
    ) -> Result<&mut App, RouteError> {
        self.router.any(pattern, Box::new(handler))?;
        Ok(self)
    }

    /// Adds a route.
    ///
    /// # Panics
    ///
    /// If the pattern is invalid or conflicts with a route already there: routes are fixed when
    /// the program is written, so that is a bug to fix before the server starts, and the message
    /// says which route. [`App::try_route`] returns the error instead.
    pub fn route(&mut self, method: Method, pattern: &str, handler: impl Handler) -> &mut App {
        if let Err(error) = self.router.route(method, pattern, Box::new(handler)) {
            panic!("{error}");
        }
        self
    }

    /// `GET` (and so `HEAD`) `pattern`.
    pub fn get(&mut self, pattern: &str, handler: impl Handler) -> &mut App {
        self.route(Method::Get, pattern, handler)
    }

    /// `POST` `pattern`.
    pub fn post(&mut self, pattern: &str, handler: impl Handler) -> &mut App {
        self.route(Method::Post, pattern, handler)
    }

    /// `PUT` `pattern`.
    pub fn put(&mut self, pattern: &str, handler: impl Handler) -> &mut App {
        self.route(Method::Put, pattern, handler)
    }

    /// `DELETE` `pattern`.
    pub fn delete(&mut self, pattern: &str, handler: impl Handler) -> &mut App {
        self.route(Method::Delete, pattern, handler)
    }

    /// `PATCH` `pattern`.
    pub fn patch(&mut self, pattern: &str, handler: impl Handler) -> &mut App {
        self.route(Method::Patch, pattern, handler)
    }

    /// Any method on `pattern`.
    ///
    /// # Panics
    ///
    /// As [`App::route`].
    pub fn any(&mut self, pattern: &str, handler: impl Handler) -> &mut App {
        if let Err(error) = self.router.any(pattern, Box::new(handler)) {
            panic!("{error}");
        }
        self
    }

    /// Shares `value` with every handler, which reads it with [`Input::state`]. One value per
    /// type; it must be safe to share between threads (`Sync`), so a value that changes is behind
    /// a `Mutex` or made of atomics.
    ///
    /// Give it before the routes that use it are mounted: [`App::mount`] checks that each route
    /// has the state it takes.
    ///
    /// # Panics
    ///
    /// If a reply still in progress holds the state: it cannot while the application is being
    /// built, before a server has it.
    pub fn with_state<T: Send + Sync + 'static>(&mut self, value: T) -> &mut App {
        Arc::get_mut(&mut self.state)
            .expect("state is added before the application is shared")
            .insert(value);
        self
    }

    /// Adds the routes that `#[get("…")]` and the other attributes describe, collected by
    /// [`routes!`](crate::routes).
    ///
    /// # Panics
    ///
    /// As [`App::route`], for a route that conflicts with one already there (the attribute has
    /// checked each pattern while the program compiled), and for a route whose handler takes a
    /// state the application was not given.
    pub fn mount(&mut self, routes: Vec<RouteSpec>) -> &mut App {
        for RouteSpec {
            method,
            pattern,
            handler,
            needs,
        } in routes
        {
            // A missing state would make every request to the route a 500: say so at start-up.
            if let Some((_, name)) = needs.iter().find(|(id, _)| !self.state.contains_type(*id)) {
                panic!(
                    "the route {pattern} takes the state {name}, which the app was not given: \
                     call with_state({name} {{ … }}) before mount"
                );
            }
            let added = match method {
                Some(method) => self.router.route(method, pattern, handler),
                None => self.router.any(pattern, handler),
            };
            if let Err(error) = added {
                panic!("{error}");
            }
        }
        self
    }

    /// Wraps the application in `layer`. Layers run in the order they are added, the first
    /// outermost: it sees each request first and each reply last.
    pub fn wrap(&mut self, layer: impl Middleware) -> &mut App {
        self.layers.push(Box::new(layer));
        self
    }

    // ANCHOR: dispatch
    /// The innermost step, after every layer: the router, then the handler. A handler's panic,
    /// now or while its future is polled, becomes its 500 here, inside every layer: the layers see
    /// that answer as they see any other, and the access log writes its line.
    pub(crate) fn dispatch(&self, mut input: Input) -> Reply {
        let style = ErrorStyle::of(&input.request);
        match route(&self.router, &input.request) {
            Routed::To(handler, params) => {
                input.params = params;
                let culprit = Culprit::new(&input.request, "the handler");
                caught(culprit, style, || handler.call(input))
            }
            Routed::Answered(response) => Reply::Ready(in_style(response, style)),
        }
    }
    // ANCHOR_END: dispatch

    /// The routes, in the order they were added.
    pub fn routes(&self) -> &[stage04_router::Route] {
        self.router.routes()
    }
}

// ANCHOR: app_call
impl Application for App {
    fn call(&self, request: Request) -> Reply {
        let style = ErrorStyle::of(&request);
        let culprit = Culprit::new(&request, "a layer");
        let input = Input::new(request, Params::default(), Arc::clone(&self.state));
        let layers = Inner {
            app: self,
            layers: &self.layers,
        };
        // The outermost layer, always there. A handler's panic is its 500 already (in
        // `dispatch`); this catches a layer's, on the way in or in a change to a reply, so that
        // one layer's bug does not stop the server either.
        caught(culprit, style, || layers.run(input))
    }
}
// ANCHOR_END: app_call

/// The router's own answers are HTML pages (chapter 4); an API client gets its errors as JSON,
/// with the same status and headers (`Allow`, `Location`). Either way an error's body depends on
/// `Accept`, so it says `Vary: Accept`, as [`Error::render`] does: a cache must not hand one
/// client's page to another.
fn in_style(response: Response, style: ErrorStyle) -> Response {
    let status = response.status();
    if status.code() < 400 {
        return response;
    }
    let mut answer = if style == ErrorStyle::Json {
        let mut json = Error::new(status, status.reason()).render(style);
        // Said once below, with whatever `Vary` the router's answer had.
        json.remove_header("Vary");
        for (name, value) in response.headers().iter() {
            if !name.eq_ignore_ascii_case("Content-Type") && !name.eq_ignore_ascii_case("Date") {
                json.append_header(name, value);
            }
        }
        json
    } else {
        response
    };
    let said = answer.headers().get_all("Vary").any(|value| {
        value.to_str().is_ok_and(|list| {
            list.split(',')
                .any(|name| name.trim() == "*" || name.trim().eq_ignore_ascii_case("Accept"))
        })
    });
    if !said {
        answer.append_header("Vary", "Accept");
    }
    answer
}

// ANCHOR: caught
/// The reply `run` gives, or a 500 in `style` if it panics: now, or later, while the future of
/// an async reply is polled. The catch around `run` has returned long before such a future runs,
/// so the future is wrapped in one that catches each poll.
fn caught(culprit: Culprit, style: ErrorStyle, run: impl FnOnce() -> Reply) -> Reply {
    match panic::catch_unwind(AssertUnwindSafe(run)) {
        Ok(Reply::Ready(response)) => Reply::Ready(response),
        Ok(Reply::Later(future)) => Reply::Later(Box::pin(CatchPanic {
            future,
            culprit,
            style,
        })),
        Err(_) => Reply::Ready(culprit.panicked(style)),
    }
}

/// A future whose panic, while it is polled, becomes its response: a 500.
struct CatchPanic {
    future: ResponseFuture,
    culprit: Culprit,
    style: ErrorStyle,
}

impl Future for CatchPanic {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        match panic::catch_unwind(AssertUnwindSafe(|| self.future.as_mut().poll(cx))) {
            Ok(poll) => poll,
            // Ready: a future is not polled again once it has given its output, so the one that
            // panicked, in whatever state it was left, never is.
            Err(_) => Poll::Ready(self.culprit.panicked(self.style)),
        }
    }
}

/// Which request a panic was in, and what panicked, for its log line: written down before the
/// request is handed on, since it is gone by the time the panic is caught.
struct Culprit {
    what: String,
    who: &'static str,
}

impl Culprit {
    fn new(request: &Request, who: &'static str) -> Culprit {
        Culprit {
            what: format!("{} {}", request.method, request.target),
            who,
        }
    }

    /// Logs the panic and gives the 500 that answers it.
    fn panicked(&self, style: ErrorStyle) -> Response {
        // The panic hook has printed the message already.
        log!("{}: {} panicked", self.what, self.who);
        Error::new(Status::INTERNAL_SERVER_ERROR, "Internal Server Error").render(style)
    }
}
// ANCHOR_END: caught
