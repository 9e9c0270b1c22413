//! The demo site, written with the framework. It starts as chapter 4's routes; the rest of this
//! chapter grows it into the whole site, and chapters 6 and 7 serve it unchanged.

use stage01_tcp_echo::log;
use stage03_parser::mirror::mirror;
use stage03_parser::response::Response;
use stage03_parser::status::Status;

use std::io;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use stage03_parser::Method;
use stage03_parser::json::Value;
use stage04_router::dispatch::escape_html;

use crate::app::App;
use crate::cgi::Cgi;
use crate::error::Error;
use crate::guestbook::{AddError, Guestbook, Message};
use crate::input::Input;
use crate::into_response::{Html, Redirect};
use crate::macro_support::RouteSpec;
use crate::middleware::{AccessLog, BasicAuth, Blocklist, RateLimit, User};
use crate::static_files::StaticFiles;
use crate::{Request, get, post, route, routes};

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
    /// The folder the guestbook keeps its log in.
    pub data: PathBuf,
    /// The folder `/static/…` serves.
    pub static_dir: PathBuf,
    /// The folder of scripts `/cgi-bin/…` runs.
    pub cgi_dir: PathBuf,
}

/// Where the guestbook lives unless `--data` says otherwise: a folder in the system's temporary
/// directory, so that running the demo writes nothing into the repository.
pub fn default_data_folder() -> PathBuf {
    std::env::temp_dir().join("stage05-guestbook")
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
            data: default_data_folder(),
            static_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static")),
            cgi_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/cgi-bin")),
        }
    }
}

// ANCHOR: demo_app
/// The demo site's application, with `options` for what a deployment changes. It fails only if
/// the guestbook's data folder, the static folder or the CGI folder cannot be opened.
pub fn demo_app(options: &SiteOptions) -> io::Result<App> {
    demo_app_with(options, routes![sleep])
}

/// The demo site with `slow` as its `/sleep/{ms}` route: chapter 7 gives it an `async` one,
/// which waits without holding a thread.
pub fn demo_app_with(options: &SiteOptions, slow: Vec<RouteSpec>) -> io::Result<App> {
    let guestbook = Guestbook::open(&options.data)?;
    let files = StaticFiles::new(&options.static_dir)?;
    let cgi = Cgi::new(&options.cgi_dir)?;
    let mut app = App::new();
    app.wrap(AccessLog)
        .wrap(Blocklist::new(options.blocked.iter().copied()))
        .wrap(RateLimit::new(options.rate_limit, options.rate_window))
        .wrap(
            BasicAuth::new("demo site admin", "admin", &options.admin_password)
                .protect(None, "/admin")
                .protect(Some(Method::Delete), "/api/messages"),
        );
    app.with_state(guestbook);
    app.get("/", home)
        .get("/hello", hello)
        .get("/hello/{name}", hello_name)
        .post("/echo", echo)
        .any("/debug/request", |input: Input| mirror(&input.request))
        .get("/static/{*path}", move |input: Input| {
            files.serve(&input.request, input.param("path").unwrap_or_default())
        })
        .any("/cgi-bin/{*path}", move |input: Input| {
            // `hello.sh/extra` runs `hello.sh` with `PATH_INFO=/extra`.
            let path = input.param("path").unwrap_or_default();
            let (script, rest) = path.split_once('/').unwrap_or((path, ""));
            let path_info = if rest.is_empty() {
                String::new()
            } else {
                format!("/{rest}")
            };
            cgi.run(&input.request, script, &path_info)
        })
        .mount(routes![
            admin,
            guestbook_page,
            guestbook_post,
            api_list,
            api_add,
            api_get,
            api_delete,
        ])
        .mount(slow)
        .mount(routes![fail]);
    Ok(app)
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
        escape_html(name)
    ))
}

// ANCHOR: guestbook_routes
/// `GET /guestbook`: the messages, and a form to write one.
#[get("/guestbook")]
fn guestbook_page(guestbook: &Guestbook) -> Html<String> {
    let mut items = String::new();
    // The newest first, and no more than a page: ten thousand messages would be a 20 MB page.
    for message in guestbook.latest(PAGE).iter().rev() {
        items.push_str(&format!(
            "<li><strong>{}</strong>: {}</li>\n",
            escape_html(&message.name),
            escape_html(&message.text)
        ));
    }
    Html(format!(
        "{GUESTBOOK_HEAD}<ul>\n{items}</ul>\n{GUESTBOOK_FORM}"
    ))
}

/// `POST /guestbook`: a form's message, then `303 See Other` back to the list, so that reloading
/// the page does not post it again.
#[post("/guestbook")]
fn guestbook_post(request: &Request, guestbook: &Guestbook) -> Result<Redirect, Error> {
    same_origin(request)?;
    let form = request.form()?;
    let (name, text) = (form.get("name"), form.get("message"));
    let message = guestbook.add(name.unwrap_or_default(), text.unwrap_or_default());
    message.map_err(refusal)?;
    Ok(Redirect::see_other("/guestbook"))
}

/// `POST /api/messages`: `{"name": …, "text": …}`, answered `201 Created` with the message.
#[post("/api/messages")]
fn api_add(body: Value, guestbook: &Guestbook) -> Result<Response, Error> {
    let field = |key| body.get(key).and_then(Value::as_str).unwrap_or_default();
    let message = guestbook
        .add(field("name"), field("text"))
        .map_err(refusal)?;
    Ok(Response::json(Status::CREATED, &message.to_json())
        .header("Location", format!("/api/messages/{}", message.id)))
}
// ANCHOR_END: guestbook_routes

/// `GET /api/messages`: the latest messages, at most [`PAGE`], oldest first.
#[get("/api/messages")]
fn api_list(guestbook: &Guestbook) -> Value {
    guestbook
        .latest(PAGE)
        .iter()
        .map(Message::to_json)
        .collect()
}

/// How many messages a page or the API's list shows.
pub const PAGE: usize = 100;

/// `GET /api/messages/{id}`.
#[get("/api/messages/{id}")]
fn api_get(id: u64, guestbook: &Guestbook) -> Result<Value, Error> {
    let message = guestbook.get(id);
    message
        .map(|m| m.to_json())
        .ok_or_else(|| Error::not_found(format!("no message {id}")))
}

/// `DELETE /api/messages/{id}`: for the admin only (the authentication layer asks first).
#[route(DELETE, "/api/messages/{id}")]
fn api_delete(id: u64, guestbook: &Guestbook) -> Result<Status, Error> {
    match guestbook.delete(id) {
        Ok(true) => Ok(Status::NO_CONTENT),
        Ok(false) => Err(Error::not_found(format!("no message {id}"))),
        Err(e) => Err(disk_error(&e)),
    }
}

/// Refuses a form posted from another site. A browser says where a form came from in `Origin`;
/// a page on another site could otherwise make its visitors sign this guestbook without knowing
/// it (cross-site request forgery). No `Origin` at all is a client that is not a browser (curl),
/// which no other site can steer. Real sites add a secret token to each form as well.
fn same_origin(request: &Request) -> Result<(), Error> {
    let Some(origin) = request.header("origin") else {
        return Ok(());
    };
    let host = request.host().unwrap_or_default();
    let ours = ["http://", "https://"]
        .iter()
        .any(|scheme| origin.strip_prefix(scheme) == Some(host));
    if ours {
        Ok(())
    } else {
        Err(Error::new(
            Status::FORBIDDEN,
            "a form posted from another site",
        ))
    }
}

/// What a refused message tells the client.
fn refusal(error: AddError) -> Error {
    match error {
        AddError::Invalid(why) => Error::bad_request(why),
        AddError::Full => Error::new(Status::SERVICE_UNAVAILABLE, "the guestbook is full"),
        AddError::Io(e) => disk_error(&e),
    }
}

fn disk_error(error: &io::Error) -> Error {
    log!("guestbook: the disk refused a write: {error}");
    Error::new(
        Status::INTERNAL_SERVER_ERROR,
        "the message could not be stored",
    )
}

/// The longest `/sleep/{ms}` may sleep.
pub const MAX_SLEEP_MS: u64 = 10_000;

/// `GET /sleep/{ms}`: answers after `ms` milliseconds (at most 10 s), to show what one slow
/// request does to each server: here, every other client waits.
#[get("/sleep/{ms}")]
fn sleep(ms: u64) -> Result<String, Error> {
    if ms > MAX_SLEEP_MS {
        return Err(Error::bad_request(format!(
            "at most {MAX_SLEEP_MS} ms, not {ms}"
        )));
    }
    std::thread::sleep(Duration::from_millis(ms));
    Ok(format!("slept {ms} ms\n"))
}

/// `GET /panic`: a handler with a bug, on purpose: the client gets a 500 and the server goes on.
#[get("/panic")]
fn fail() -> &'static str {
    panic!("this route fails on purpose, to show a panic becoming a 500")
}

const GUESTBOOK_HEAD: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Guestbook</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body>
<h1>Guestbook</h1>
"#;

const GUESTBOOK_FORM: &str = r#"<form method="post" action="/guestbook">
  <p><label>Name <input name="name" maxlength="100" required></label></p>
  <p><label>Message <textarea name="message" maxlength="2000" required></textarea></label></p>
  <p><button>Sign</button> <a href="/">Home</a></p>
</form>
</body>
</html>
"#;

/// `GET /`: a page that links to everything else, so a browser is enough to try the chapter.
fn home(_: Input) -> Html<&'static str> {
    Html(HOME_PAGE)
}

const HOME_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Chapter 5: a framework</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body>
<h1>From TCP to a web framework: chapter 5</h1>
<p><img src="/static/banner.png" alt="An orange and teal banner, served from /static/" width="160" height="96"></p>
<ul>
  <li><a href="/hello">/hello</a>: the line that runs through the book</li>
  <li><a href="/hello/Ferris">/hello/Ferris</a> and
      <a href="/hello/Z%C3%BCrich">/hello/Z%C3%BCrich</a>: a parameter, decoded</li>
  <li><a href="/debug/request?lang=en">/debug/request</a>: chapter 3's mirror, any method</li>
  <li><a href="/nowhere">/nowhere</a>: a 404 page; <a href="/hello/">/hello/</a>: a redirect</li>
  <li><a href="/admin">/admin</a>: behind a password (user <code>admin</code>)</li>
  <li><a href="/guestbook">/guestbook</a>: sign it; <a href="/api/messages">/api/messages</a>: the same, as JSON</li>
  <li><a href="/sleep/2000">/sleep/2000</a>: a slow answer; <a href="/panic">/panic</a>: a handler that fails</li>
  <li><a href="/static/banner.png">/static/banner.png</a>: a file, sent in pieces</li>
  <li><a href="/cgi-bin/hello.sh?name=Ada">/cgi-bin/hello.sh?name=Ada</a>: the same hello, from a CGI script</li>
</ul>
<form method="post" action="/echo" enctype="text/plain">
  <p><label>Send this to <code>POST /echo</code>: <input name="message" value="hi"></label>
  <button>Echo</button></p>
</form>
</body>
</html>
"#;
