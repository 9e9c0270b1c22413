//! The route attributes, used as a site uses them: parameters by name, typed ones parsed, the
//! request, the JSON body and shared state as arguments, and the function still callable.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use stage05_framework::block_on::block_on;
use stage05_framework::json::Value;
use stage05_framework::{
    App, Application, Error, Html, Input, Method, Reply, Request, Response, Status, get, post,
    route, routes,
};

// ANCHOR: attribute_example
#[get("/hello/{name}")]
fn hello(name: &str) -> String {
    format!("Hello, {name}!")
}

#[get("/items/{id}")]
fn item(id: u64) -> String {
    format!("item {id}")
}
// ANCHOR_END: attribute_example

#[route(PUT, "/items/{id}/{label}")]
fn relabel(id: u32, label: String, request: &Request) -> Result<String, Error> {
    if request.body.is_empty() {
        return Err(Error::bad_request("an empty body"));
    }
    Ok(format!("{id} is now {label}"))
}

struct Notes(Mutex<Vec<String>>);

#[post("/notes")]
fn add_note(body: Value, notes: &Notes) -> Result<(Status, String), Error> {
    let text = body
        .get("text")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::bad_request("a note needs a \"text\""))?;
    let mut notes = notes.0.lock().unwrap_or_else(|e| e.into_inner());
    notes.push(text.to_string());
    Ok((Status::CREATED, format!("note {}", notes.len())))
}

#[route(ANY, "/whole/{part}")]
fn whole(part: String, input: Input) -> Html<String> {
    Html(format!("<p>{part} {}</p>", input.request.method))
}

fn app() -> App {
    let mut app = App::new();
    app.with_state(Notes(Mutex::new(Vec::new())))
        .mount(routes![hello, item, relabel, add_note, whole]);
    app
}

fn call(app: &App, method: Method, target: &str, body: &[u8]) -> Response {
    let mut request = Request::new(method, target).expect("a valid target");
    request.body = body.to_vec();
    request.headers.append("Content-Type", "application/json");
    app.call(request).wait()
}

fn text(response: &Response) -> String {
    String::from_utf8_lossy(response.body()).into_owned()
}

#[test]
fn path_parameters_arrive_by_name_and_typed_ones_are_parsed() {
    let app = app();
    let hello = call(&app, Method::Get, "/hello/Z%C3%BCrich", b"");
    assert_eq!(text(&hello), "Hello, Zürich!");
    assert_eq!(text(&call(&app, Method::Get, "/items/42", b"")), "item 42");
    let bad = call(&app, Method::Get, "/items/forty-two", b"");
    assert_eq!(bad.status(), Status::BAD_REQUEST);
    assert_eq!(
        text(&bad),
        "invalid value \"forty-two\" for id: invalid digit found in string\n"
    );
}

#[test]
fn the_request_the_json_body_and_the_state_are_arguments_too() {
    let app = app();
    let relabel = call(&app, Method::Put, "/items/7/blue", b"x");
    assert_eq!(text(&relabel), "7 is now blue");
    assert_eq!(
        call(&app, Method::Put, "/items/7/blue", b"").status(),
        Status::BAD_REQUEST
    );
    let first = call(&app, Method::Post, "/notes", br#"{"text": "hi"}"#);
    assert_eq!(
        (first.status(), text(&first)),
        (Status::CREATED, "note 1".into())
    );
    let second = call(&app, Method::Post, "/notes", br#"{"text": "again"}"#);
    assert_eq!(text(&second), "note 2", "the state is shared");
    let not_json = call(&app, Method::Post, "/notes", b"{oops");
    assert_eq!(not_json.status(), Status::BAD_REQUEST);
    assert!(
        text(&not_json).starts_with("invalid JSON body:"),
        "{}",
        text(&not_json)
    );
}

#[test]
fn a_route_for_any_method_and_the_whole_input() {
    let app = app();
    let answer = call(&app, Method::Delete, "/whole/x", b"");
    assert_eq!(text(&answer), "<p>x DELETE</p>");
    assert_eq!(
        answer.headers().get("Content-Type").unwrap(),
        "text/html; charset=utf-8"
    );
}

#[test]
fn the_function_is_still_a_function() {
    assert_eq!(hello("you"), "Hello, you!");
    assert_eq!(item(3), "item 3");
}

#[test]
fn the_method_is_the_attributes() {
    let app = app();
    let wrong = call(&app, Method::Post, "/hello/you", b"");
    assert_eq!(wrong.status(), Status::METHOD_NOT_ALLOWED);
    let routes: Vec<String> = app
        .routes()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.method.as_ref().map_or("ANY", |m| m.as_str()),
                r.pattern
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            "GET /hello/{name}",
            "GET /items/{id}",
            "PUT /items/{id}/{label}",
            "POST /notes",
            "ANY /whole/{part}"
        ]
    );
}

#[test]
fn a_json_body_must_say_it_is_json() {
    // A form on another site can post text/plain here without asking; JSON it cannot.
    let app = app();
    let mut request = Request::new(Method::Post, "/notes").expect("a valid target");
    request.body = br#"{"text": "from a form"}"#.to_vec();
    request.headers.append("Content-Type", "text/plain");
    let response = app.call(request).wait();
    assert_eq!(response.status(), Status::UNSUPPORTED_MEDIA_TYPE);
}

// ANCHOR: unused_and_hygiene
/// A parameter the handler does not read, `_id`, still stands for `{id}`; and a handler may be
/// called `input`, a name the expansion uses too.
#[get("/unused/{id}")]
fn input(_id: u64) -> &'static str {
    "fine"
}
// ANCHOR_END: unused_and_hygiene

#[test]
fn an_unused_parameter_and_a_handler_called_input() {
    let mut app = App::new();
    app.mount(routes![input]);
    assert_eq!(text(&call(&app, Method::Get, "/unused/7", b"")), "fine");
    assert_eq!(
        call(&app, Method::Get, "/unused/x", b"").status(),
        Status::BAD_REQUEST,
        "still parsed"
    );
}

#[test]
#[should_panic(expected = "takes the state")]
fn mounting_a_route_without_its_state_fails_at_start_up() {
    App::new().mount(routes![add_note]);
}

/// Pending once before it is ready, as a timer or a socket would be: the handler's future is
/// really put aside and polled again after its waker is called, not run to its end at once.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn yield_once() -> YieldOnce {
    YieldOnce(false)
}

#[get("/later/double/{n}")]
async fn double(n: u64) -> String {
    yield_once().await;
    format!("{}", n * 2)
}

/// The async twin of `item`, with the same parameter name, so that their refusals can be compared.
#[get("/later/items/{id}")]
async fn later_item(id: u64) -> String {
    yield_once().await;
    format!("item {id}")
}

#[post("/later/notes")]
async fn count_notes(notes: &Notes, request: &Request) -> String {
    yield_once().await;
    // The lock is taken after the await, and not held across one: the future stays `Send`.
    let count = notes.0.lock().unwrap_or_else(|e| e.into_inner()).len();
    format!(
        "{count} notes; this request has {} bytes",
        request.body.len()
    )
}

#[get("/later/missing/{name}")]
async fn missing(name: String) -> Result<String, Error> {
    yield_once().await;
    Err(Error::not_found(format!("no {name} here")))
}

fn async_app() -> App {
    let mut app = App::new();
    app.with_state(Notes(Mutex::new(vec!["one".into(), "two".into()])))
        .mount(routes![double, later_item, count_notes, missing]);
    app
}

#[test]
fn an_async_fn_route_replies_later() {
    let app = async_app();
    let reply = app.call(Request::new(Method::Get, "/later/double/21").expect("a valid target"));
    assert!(matches!(reply, Reply::Later(_)), "{reply:?}");
    let response = reply.wait();
    assert_eq!(
        (response.status(), text(&response)),
        (Status::OK, "42".into())
    );
    assert_eq!(block_on(double(4)), "8", "the function is still a function");
}

#[test]
fn an_async_fn_route_refuses_a_bad_parameter_as_the_plain_one_does() {
    let plain = call(&app(), Method::Get, "/items/abc", b"");
    let reply = async_app().call(Request::new(Method::Get, "/later/items/abc").unwrap());
    assert!(
        matches!(reply, Reply::Later(_)),
        "refused inside the future"
    );
    let refused = reply.wait();
    assert_eq!(refused.status(), Status::BAD_REQUEST);
    assert_eq!(
        (refused.status(), text(&refused)),
        (plain.status(), text(&plain))
    );
    assert_eq!(
        text(&refused),
        "invalid value \"abc\" for id: invalid digit found in string\n"
    );
}

#[test]
fn an_async_fn_route_takes_the_state_and_the_request() {
    let answer = call(&async_app(), Method::Post, "/later/notes", b"12345");
    assert_eq!(text(&answer), "2 notes; this request has 5 bytes");
}

#[test]
fn an_async_fn_routes_error_is_rendered_in_the_clients_style() {
    let app = async_app();
    let mut request = Request::new(Method::Get, "/later/missing/cat").unwrap();
    request.headers.append("Accept", "application/json");
    let json = app.call(request).wait();
    assert_eq!(json.status(), Status::NOT_FOUND);
    assert_eq!(
        json.headers().get("Content-Type").unwrap(),
        "application/json"
    );
    assert_eq!(json.body(), br#"{"error":"no cat here"}"#);
    let plain = call(&app, Method::Get, "/later/missing/cat", b"");
    assert_eq!(
        (plain.status(), text(&plain)),
        (Status::NOT_FOUND, "no cat here\n".into())
    );
}
