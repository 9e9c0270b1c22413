//! The demo site, written with the framework. It starts as chapter 4's routes; the rest of this
//! chapter grows it into the whole site, and chapters 6 and 7 serve it unchanged.

use stage03_parser::mirror::mirror;
use stage03_parser::response::Response;
use stage03_parser::status::Status;

use std::net::IpAddr;
use std::time::Duration;

use crate::app::App;
use crate::input::Input;
use crate::into_response::Html;
use crate::middleware::{AccessLog, BasicAuth, Blocklist, RateLimit, User};
use crate::{get, routes};

/// What a deployment of the demo site chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteOptions {
    /// The password of the user `admin`, for `/admin`.
    pub admin_password: String,
    /// Addresses refused with 403.
    pub blocked: Vec<IpAddr>,
    /// Requests each address may make per `rate_window`.
    pub rate_limit: u32,
    pub rate_window: Duration,
}

/// The password used when none is given: fine on your own machine, and the binary says so.
pub const DEMO_PASSWORD: &str = "admin";

impl Default for SiteOptions {
    fn default() -> SiteOptions {
        SiteOptions {
            admin_password: DEMO_PASSWORD.to_string(),
            blocked: Vec::new(),
            rate_limit: 600,
            rate_window: Duration::from_secs(60),
        }
    }
}

// ANCHOR: demo_app
/// The demo site's application, with `options` for what a deployment changes.
pub fn demo_app(options: &SiteOptions) -> App {
    let mut app = App::new();
    app.wrap(AccessLog)
        .wrap(Blocklist::new(options.blocked.iter().copied()))
        .wrap(RateLimit::new(options.rate_limit, options.rate_window))
        .wrap(
            BasicAuth::new("demo site admin", "admin", &options.admin_password)
                .protect(None, "/admin"),
        );
    app.get("/", home)
        .get("/hello", hello)
        .get("/hello/{name}", hello_name)
        .post("/echo", echo)
        .any("/debug/request", |input: Input| mirror(&input.request))
        .mount(routes![admin]);
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

/// `GET /admin`: only for the admin, whom the authentication layer let through.
#[get("/admin")]
fn admin(input: Input) -> Html<String> {
    let name = input
        .extensions
        .get::<User>()
        .map_or("?", |user| user.0.as_str());
    Html(format!(
        "<!doctype html>\n<title>Admin</title>\n<h1>Admin</h1>\n<p>Signed in as {}.</p>\n",
        stage04_router::dispatch::escape_html(name)
    ))
}

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
  <li><a href="/admin">/admin</a>: behind a password (user <code>admin</code>)</li>
</ul>
<form method="post" action="/echo" enctype="text/plain">
  <p><label>Send this to <code>POST /echo</code>: <input name="message" value="hi"></label>
  <button>Echo</button></p>
</form>
</body>
</html>
"#;
