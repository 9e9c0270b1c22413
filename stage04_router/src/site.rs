//! The demo site's first routes. Chapter 5 grows this table into the whole site; each later chapter
//! serves it unchanged.
//!
//! Handlers are plain functions of the request and the route's parameters. Boxing them as
//! [`Handler`] lets a route be a closure too (chapter 5's guestbook captures its shared store), at
//! the price of one pointer call per request.

use stage03_parser::mirror::mirror;
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::{Method, Request};

use crate::params::Params;
use crate::router::Router;

/// What the chapter's server stores in its router: any function of a request and its parameters.
pub type Handler = Box<dyn Fn(&Request, &Params) -> Response + Send + Sync>;

// ANCHOR: demo_router
/// The routes of the demo site so far.
///
/// # Examples
///
/// ```
/// use stage04_router::site::demo_router;
/// use stage04_router::{Lookup, Method};
/// use stage03_parser::Request;
///
/// let router = demo_router();
/// let request = Request::new(Method::Get, "/hello/Ferris").unwrap();
/// let Lookup::Found { handler, params } = router.lookup(&request) else {
///     panic!("no route");
/// };
/// assert_eq!(handler(&request, &params).body(), b"Hello, Ferris!");
/// ```
pub fn demo_router() -> Router<Handler> {
    let routes: [(Option<Method>, &str, Handler); 5] = [
        (Some(Method::Get), "/", Box::new(home)),
        (Some(Method::Get), "/hello", Box::new(hello)),
        (Some(Method::Get), "/hello/{name}", Box::new(hello_name)),
        (Some(Method::Post), "/echo", Box::new(echo)),
        (None, "/debug/request", Box::new(debug_request)),
    ];
    let mut router = Router::new();
    for (method, pattern, handler) in routes {
        let added = match method {
            Some(method) => router.route(method, pattern, handler),
            None => router.any(pattern, handler),
        };
        // Fixed patterns, checked by this module's tests: an error here is a typo in this file.
        added.expect("the demo routes are valid and distinct");
    }
    router
}
// ANCHOR_END: demo_router

/// `GET /`: a page that links to everything else, so a browser is enough to try the chapter.
fn home(_: &Request, _: &Params) -> Response {
    Response::html(Status::OK, HOME_PAGE)
}

const HOME_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Chapter 4: routing</title></head>
<body>
<h1>From TCP to a web framework: chapter 4</h1>
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

// ANCHOR: handlers
/// `GET /hello`: the line that has run through the book since chapter 2.
fn hello(_: &Request, _: &Params) -> Response {
    Response::text(Status::OK, "Hello, World!")
}

/// `GET /hello/{name}`: the name arrives decoded, `Z%C3%BCrich` as `Zürich`.
fn hello_name(_: &Request, params: &Params) -> Response {
    let name = params.get("name").unwrap_or("World");
    Response::text(Status::OK, format!("Hello, {name}!"))
}
// ANCHOR_END: handlers

/// `POST /echo`: the body back, labelled with the type it came with.
fn echo(request: &Request, _: &Params) -> Response {
    // The type's bytes as they came: the parser has refused control characters in it already.
    let content_type = match request.headers.get("Content-Type") {
        Some(value) => value.clone(),
        None => "application/octet-stream".into(),
    };
    Response::new(Status::OK).with_body(request.body.clone(), content_type)
}

/// `ANY /debug/request`: chapter 3's whole server, now one route among others.
fn debug_request(request: &Request, _: &Params) -> Response {
    mirror(request)
}

#[cfg(test)]
mod tests {
    use super::demo_router;
    use crate::router::Lookup;
    use stage03_parser::{Method, Request};

    /// The response a request gets from the demo route it reaches, as status, type and body.
    fn answer(method: Method, target: &str, body: &[u8], content_type: Option<&str>) -> String {
        let mut request = Request::new(method, target).unwrap();
        request.body = body.to_vec();
        if let Some(t) = content_type {
            request.headers.append("Content-Type", t);
        }
        let router = demo_router();
        let Lookup::Found { handler, params } = router.lookup(&request) else {
            return "no route".to_string();
        };
        let response = handler(&request, &params);
        let body = String::from_utf8_lossy(response.body()).into_owned();
        let content_type = response.headers().get("Content-Type");
        let content_type = content_type.map_or("none", |v| v.to_str().unwrap());
        format!("{} {content_type} {body}", response.status().code())
    }

    #[test]
    fn demo_routes_answer() {
        type Case = (
            Method,
            &'static str,
            &'static [u8],
            Option<&'static str>,
            &'static str,
        );
        let cases: &[Case] = &[
            (
                Method::Get,
                "/hello",
                b"",
                None,
                "200 text/plain; charset=utf-8 Hello, World!",
            ),
            (
                Method::Get,
                "/hello/Ferris",
                b"",
                None,
                "200 text/plain; charset=utf-8 Hello, Ferris!",
            ),
            (
                Method::Get,
                "/hello/Z%C3%BCrich",
                b"",
                None,
                "200 text/plain; charset=utf-8 Hello, Zürich!",
            ),
            (
                Method::Post,
                "/echo",
                b"{}",
                Some("application/json"),
                "200 application/json {}",
            ),
            (
                Method::Post,
                "/echo",
                b"raw",
                None,
                "200 application/octet-stream raw",
            ),
            (Method::Get, "/nowhere", b"", None, "no route"),
        ];
        for (method, target, body, content_type, want) in cases {
            let got = answer(method.clone(), target, body, *content_type);
            assert_eq!(got, *want, "{method} {target}");
        }
    }

    #[test]
    fn the_home_page_links_to_every_route() {
        let got = answer(Method::Get, "/", b"", None);
        assert!(got.starts_with("200 text/html; charset=utf-8 <!doctype html>"));
        for link in [
            "href=\"/hello\"",
            "href=\"/hello/Ferris\"",
            "href=\"/debug/request",
            "action=\"/echo\"",
        ] {
            assert!(got.contains(link), "{link}");
        }
    }

    #[test]
    fn debug_request_mirrors_any_method() {
        for method in [Method::Get, Method::Put, Method::Other("BREW".into())] {
            let got = answer(method.clone(), "/debug/request?x=1", b"", None);
            assert!(got.starts_with("200 application/json"), "{method}: {got}");
            assert!(got.contains(&format!("\"{method}\"")), "{method}: {got}");
        }
    }
}
