//! The demo site, written with the framework. It starts as chapter 4's routes; the rest of this
//! chapter grows it into the whole site, and chapters 6 and 7 serve it unchanged.

use stage03_parser::mirror::mirror;
use stage03_parser::response::Response;
use stage03_parser::status::Status;

use crate::app::App;
use crate::input::Input;
use crate::into_response::Html;

// ANCHOR: demo_app
/// The demo site's application.
pub fn demo_app() -> App {
    let mut app = App::new();
    app.get("/", home)
        .get("/hello", hello)
        .get("/hello/{name}", hello_name)
        .post("/echo", echo)
        .any("/debug/request", |input: Input| mirror(&input.request));
    app
}
// ANCHOR_END: demo_app

// ANCHOR: handlers
/// `GET /hello`: the line that has run through the book since chapter 2.
fn hello(_: Input) -> &'static str {
    "Hello, World!"
}

/// `GET /hello/{name}`: the name arrives decoded, `Z%C3%BCrich` as `Zürich`.
fn hello_name(input: Input) -> String {
    format!("Hello, {}!", input.param("name").unwrap_or("World"))
}

/// `POST /echo`: the body back, labelled with the type it came with. The handler owns the
/// request, so the body moves into the response without a copy.
fn echo(mut input: Input) -> Response {
    let content_type = match input.request.headers.get("Content-Type") {
        Some(value) => value.clone(),
        None => "application/octet-stream".into(),
    };
    let body = std::mem::take(&mut input.request.body);
    Response::new(Status::OK).with_body(body, content_type)
}
// ANCHOR_END: handlers

/// `GET /`: a page that links to everything else, so a browser is enough to try the chapter.
fn home(_: Input) -> Html<&'static str> {
    Html(HOME_PAGE)
}

const HOME_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Chapter 5: a framework</title></head>
<body>
<h1>From TCP to a web framework: chapter 5</h1>
<ul>
  <li><a href="/hello">/hello</a>: the line that runs through the book</li>
  <li><a href="/hello/Ferris">/hello/Ferris</a> and
      <a href="/hello/Z%C3%BCrich">/hello/Z%C3%BCrich</a>: a parameter, decoded</li>
  <li><a href="/debug/request?lang=en">/debug/request</a>: chapter 3's mirror, any method</li>
  <li><a href="/nowhere">/nowhere</a>: a 404 page; <a href="/hello/">/hello/</a>: a redirect</li>
</ul>
<form method="post" action="/echo" enctype="text/plain">
  <p><label>Send this to <code>POST /echo</code>: <input name="message" value="hi"></label>
  <button>Echo</button></p>
</form>
</body>
</html>
"#;
