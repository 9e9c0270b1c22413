//! What the route attributes refuse, each with the message the compiler prints at the token at
//! fault. Each example below is a test that passes only if it fails to compile.
//!
//! A `{name}` in the pattern with no parameter of that name (the message points at the pattern):
//!
//! ```compile_fail
//! # use stage05_framework::get;
//! #[get("/items/{id}")]
//! fn item() -> String { "no id".into() }
//! // error: the pattern names `{id}`, but `item` has no parameter `id`
//! # fn main() {}
//! ```
//!
//! A parameter that is not in the pattern, and is not something the framework gives (at the name):
//!
//! ```compile_fail
//! # use stage05_framework::get;
//! #[get("/hello")]
//! fn hello(name: &str) -> String { format!("Hello, {name}!") }
//! // error: `name` is not in the pattern "/hello": a handler's parameters are the pattern's
//! // {names}, or `Input`, `&Request`, the body as a JSON `Value`, or `&State` …
//! # fn main() {}
//! ```
//!
//! An unknown method (at the method):
//!
//! ```compile_fail
//! # use stage05_framework::route;
//! #[route(FETCH, "/x")]
//! fn fetch() -> &'static str { "x" }
//! // error: unknown method `FETCH`: use GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, PATCH, or
//! // ANY for every method
//! # fn main() {}
//! ```
//!
//! A pattern the router would refuse, checked with the router's own rules (at the pattern):
//!
//! ```compile_fail
//! # use stage05_framework::get;
//! #[get("/users/{id")]
//! fn user(id: u64) -> String { id.to_string() }
//! // error: invalid pattern "/users/{id" at byte 7: this `{` is never closed in its segment
//! # fn main() {}
//! ```
//!
//! An `async fn` is not refused: the same checks apply to it, and its route replies
//! `Reply::Later`, its response to come, which this chapter's server waits for and chapter 7's
//! runs alongside other connections:
//!
//! ```
//! # use stage05_framework::{App, Application, Method, Reply, Request, get, routes};
//! #[get("/a")]
//! async fn later() -> &'static str { "later" }
//! # fn main() {
//! let mut app = App::new();
//! app.mount(routes![later]);
//! let reply = app.call(Request::new(Method::Get, "/a").unwrap());
//! assert!(matches!(reply, Reply::Later(_)));
//! assert_eq!(reply.wait().body(), b"later");
//! # }
//! ```
//!
//! The whole `Input` together with something borrowed from it (at the `Input` parameter):
//!
//! ```compile_fail
//! # use stage05_framework::{get, Input, Request};
//! #[get("/b/{x}")]
//! fn both(x: String, input: Input, request: &Request) -> String { x }
//! // error: a handler that takes the whole `Input` reads the request, the body and the state
//! // from it: it cannot take `&Request`, a JSON `Value` or `&State` as well
//! # fn main() {}
//! ```
//!
//! And the same function written correctly compiles:
//!
//! ```
//! # use stage05_framework::{get, Input};
//! #[get("/b/{x}")]
//! fn both(x: String, input: Input) -> String { format!("{x} {}", input.request.method) }
//! # fn main() { assert_eq!(both("y".into(), stage05_framework::Input::new(
//! #     stage05_framework::Request::new(stage05_framework::Method::Get, "/b/y").unwrap(),
//! #     Default::default(), Default::default())), "y GET"); }
//! ```
