//! What the route attributes' expansion calls. Not for handlers to use directly: the functions
//! here are the small steps `#[get("/hello/{name}")]` writes into its expansion, kept in the
//! framework so the generated code stays short.

use std::any::TypeId;
use std::fmt::Display;
use std::str::FromStr;

use stage01_tcp_echo::log;
use stage03_parser::Method;
use stage03_parser::json::{self, Value};
use stage03_parser::response::Response;
use stage03_parser::status::Status;

use crate::error::{Error, ErrorStyle};
use crate::handler::Handler;
use crate::input::Input;
use crate::reply::Reply;

/// What `routes![…]` collects: one route, described by the attribute on its function.
pub trait RouteDef {
    fn route() -> RouteSpec;
}

/// A route ready for [`App::mount`](crate::App::mount): its method (`None`: any), its pattern,
/// and the handler the attribute wrote.
pub struct RouteSpec {
    pub method: Option<Method>,
    pub pattern: &'static str,
    pub handler: Box<dyn Handler>,
    /// The state types its parameters take, checked when the route is mounted.
    pub needs: Vec<(TypeId, &'static str)>,
}

impl RouteSpec {
    pub fn new(method: Option<Method>, pattern: &'static str, handler: impl Handler) -> RouteSpec {
        RouteSpec {
            method,
            pattern,
            handler: Box::new(handler),
            needs: Vec::new(),
        }
    }

    /// Notes that the handler takes the state `T`.
    pub fn needs<T: 'static>(mut self) -> RouteSpec {
        self.needs
            .push((TypeId::of::<T>(), std::any::type_name::<T>()));
        self
    }
}

impl std::fmt::Debug for RouteSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let method = self.method.as_ref().map_or("ANY", |m| m.as_str());
        write!(f, "RouteSpec({method} {})", self.pattern)
    }
}

/// The value of `{name}`, parsed as `T`. A value that does not parse is the client's mistake:
/// the path reached a route, but with something that route cannot take, so `400`, saying what.
pub fn path_param<T>(input: &Input, name: &str) -> Result<T, Error>
where
    T: FromStr,
    T::Err: Display,
{
    // The attribute checked at compile time that the pattern names every parameter it reads.
    let text = input.param(name).unwrap_or_default();
    text.parse()
        .map_err(|e| Error::bad_request(format!("invalid value {text:?} for {name}: {e}")))
}

/// The application's state of type `T`. Missing state is a bug in the program, not the client's:
/// `500`, and the log says which type.
pub fn state<T: Send + Sync + 'static>(input: &Input) -> Result<&T, Error> {
    input.state::<T>().ok_or_else(|| {
        let name = std::any::type_name::<T>();
        log!("a handler asked for state {name}, which the application was not given");
        Error::new(Status::INTERNAL_SERVER_ERROR, "Internal Server Error")
    })
}

/// The body, parsed as JSON; a body that is not JSON is a `400` that says where.
///
/// The request must say it is JSON (`application/json`, or a `+json` type). A form on another
/// site can post `text/plain` or a urlencoded body to this one without the browser asking
/// anything first; a JSON content type it cannot send without the browser's permission
/// (CORS). So a body of another type is refused with `415`, and a JSON API cannot be driven by a
/// form on someone else's page.
pub fn json_body(input: &Input) -> Result<Value, Error> {
    let media_type = input.request.media_type().unwrap_or_default();
    if media_type != "application/json" && !media_type.ends_with("+json") {
        return Err(Error::new(
            Status::UNSUPPORTED_MEDIA_TYPE,
            "this route takes a JSON body, with Content-Type: application/json",
        ));
    }
    Ok(json::parse_bytes(&input.request.body)?)
}

/// The reply for an argument that could not be given.
pub fn refuse(error: Error, style: ErrorStyle) -> Reply {
    Reply::Ready(refusal(error, style))
}

/// The response for an argument that could not be given: what an `async fn` route's future
/// answers, since it takes its arguments inside the future, where the answer is a `Response`.
pub fn refusal(error: Error, style: ErrorStyle) -> Response {
    error.render(style)
}

/// The response a reply stands for, inside a future: a ready one at once, one to come awaited.
/// An `async fn` route's output becomes a reply like any handler's (`IntoReply`), and this turns
/// it into the future's `Response` without blocking, as [`Reply::wait`] would.
pub async fn settle(reply: Reply) -> Response {
    match reply {
        Reply::Ready(response) => response,
        Reply::Later(future) => future.await,
    }
}
