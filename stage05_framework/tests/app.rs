//! The application, called as a server calls it: a request in, a reply out, no socket.

use std::sync::atomic::{AtomicU64, Ordering};

use stage03_parser::json::{self, Value};
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::{Method, Request};
use stage05_framework::{App, Application, Error, Html, Input, Redirect, Reply};

fn request(method: Method, target: &str, accept: Option<&str>) -> Request {
    let mut request = Request::new(method, target).expect("a valid target");
    if let Some(accept) = accept {
        request.headers.append("Accept", accept);
    }
    request
}

fn get(app: &App, target: &str) -> Response {
    app.call(request(Method::Get, target, None)).wait()
}

/// Status, content type and body, in one line a table can compare.
fn summary(response: &Response) -> String {
    let content_type = response
        .headers()
        .get("Content-Type")
        .map_or("-", |v| v.to_str().unwrap_or("?"));
    format!(
        "{} {content_type} {}",
        response.status().code(),
        String::from_utf8_lossy(response.body())
    )
}

#[test]
fn whatever_a_handler_returns_becomes_a_response() {
    let mut app = App::new();
    app.get("/str", |_: Input| "text")
        .get("/string", |_: Input| String::from("owned"))
        .get("/status", |_: Input| Status::NO_CONTENT)
        .get("/created", |_: Input| (Status::CREATED, "made"))
        .get("/headers", |_: Input| {
            (Status::OK, [("Cache-Control", "no-store")], "fresh")
        })
        .get("/html", |_: Input| Html("<p>hi</p>"))
        .get("/json", |_: Input| Value::object([("id", Value::from(7))]))
        .get("/redirect", |_: Input| Redirect::see_other("/str"))
        .get("/ok", |_: Input| Ok::<_, Error>("fine"));
    let cases = [
        ("/str", "200 text/plain; charset=utf-8 text"),
        ("/string", "200 text/plain; charset=utf-8 owned"),
        ("/status", "204 - "),
        ("/created", "201 text/plain; charset=utf-8 made"),
        ("/headers", "200 text/plain; charset=utf-8 fresh"),
        ("/html", "200 text/html; charset=utf-8 <p>hi</p>"),
        ("/json", r#"200 application/json {"id":7}"#),
        ("/redirect", "303 - "),
        ("/ok", "200 text/plain; charset=utf-8 fine"),
    ];
    for (target, want) in cases {
        assert_eq!(summary(&get(&app, target)), want, "{target}");
    }
    let with_headers = get(&app, "/headers");
    assert_eq!(
        with_headers.headers().get("Cache-Control").unwrap(),
        "no-store"
    );
    assert_eq!(
        get(&app, "/redirect").headers().get("Location").unwrap(),
        "/str"
    );
}

#[test]
fn an_error_is_rendered_for_the_client_that_asked() {
    let mut app = App::new();
    app.get("/messages/{id}", |input: Input| -> Result<String, Error> {
        let id = input.param("id").unwrap_or_default();
        Err(Error::not_found(format!("no message <{id}>")))
    })
    .get("/api/messages/{id}", |_: Input| -> Result<String, Error> {
        Err(Error::not_found("no such message"))
    });
    let answer =
        |target: &str, accept: Option<&str>| app.call(request(Method::Get, target, accept)).wait();

    let text = answer("/messages/7", None);
    assert_eq!(
        summary(&text),
        "404 text/plain; charset=utf-8 no message <7>\n"
    );

    let json = answer("/messages/7", Some("application/json"));
    assert_eq!(
        json.headers().get("Content-Type").unwrap(),
        "application/json"
    );
    let body = json::parse_bytes(json.body()).expect("JSON");
    assert_eq!(
        body.get("error").and_then(Value::as_str),
        Some("no message <7>")
    );

    let html = answer("/messages/7", Some("text/html,application/xhtml+xml"));
    let page = String::from_utf8_lossy(html.body()).into_owned();
    assert!(page.contains("<h1>404 Not Found</h1>"), "{page}");
    assert!(page.contains("no message &lt;7&gt;"), "escaped: {page}");

    let api = answer("/api/messages/7", Some("text/html"));
    assert_eq!(
        api.headers().get("Content-Type").unwrap(),
        "application/json"
    );
}

#[test]
fn the_question_mark_turns_a_bad_body_into_a_400() {
    // ANCHOR: question_mark
    let mut app = App::new();
    app.post("/api/messages", |input: Input| -> Result<String, Error> {
        let value = json::parse_bytes(&input.request.body)?;
        Ok(format!("got {value}"))
    });
    // ANCHOR_END: question_mark
    let mut bad = request(Method::Post, "/api/messages", None);
    bad.body = b"{\"text\": \"hi\",}".to_vec();
    let response = app.call(bad).wait();
    assert_eq!(response.status(), Status::BAD_REQUEST);
    let body = String::from_utf8_lossy(response.body()).into_owned();
    assert!(body.contains("invalid JSON body: trailing comma"), "{body}");
}

#[test]
fn a_panicking_handler_is_a_500_and_the_app_goes_on() {
    let mut app = App::new();
    app.get("/boom", |_: Input| -> &'static str {
        panic!("a bug in a handler")
    })
    .get("/hello", |_: Input| "still here");
    assert_eq!(get(&app, "/boom").status(), Status::INTERNAL_SERVER_ERROR);
    let json = app
        .call(request(Method::Get, "/boom", Some("application/json")))
        .wait();
    assert_eq!(json.body(), br#"{"error":"Internal Server Error"}"#);
    assert_eq!(get(&app, "/hello").body(), b"still here");
}

#[test]
fn state_is_shared_by_every_request() {
    // ANCHOR: shared_state
    struct Visits(AtomicU64);
    let mut app = App::new();
    app.with_state(Visits(AtomicU64::new(0)))
        .get("/count", |input: Input| {
            let visits = input.state::<Visits>().expect("the state was given");
            (visits.0.fetch_add(1, Ordering::Relaxed) + 1).to_string()
        });
    // ANCHOR_END: shared_state
    assert_eq!(get(&app, "/count").body(), b"1");
    assert_eq!(get(&app, "/count").body(), b"2");
}

#[test]
fn the_handler_owns_the_request() {
    let mut app = App::new();
    app.post("/take", |mut input: Input| {
        // Taken, not copied: the body moves into the response.
        let body = std::mem::take(&mut input.request.body);
        Response::new(Status::OK).with_body(body, "application/octet-stream")
    });
    let mut upload = request(Method::Post, "/take", None);
    upload.body = vec![7; 1000];
    assert_eq!(app.call(upload).wait().body(), &[7; 1000][..]);
}

#[test]
fn routing_outcomes_are_chapter_4s() {
    let mut app = App::new();
    app.get("/hello", |_: Input| "hi");
    assert_eq!(get(&app, "/nowhere").status(), Status::NOT_FOUND);
    assert_eq!(get(&app, "/hello/").status(), Status::PERMANENT_REDIRECT);
    let delete = app.call(request(Method::Delete, "/hello", None)).wait();
    assert_eq!(delete.status(), Status::METHOD_NOT_ALLOWED);
    assert_eq!(delete.headers().get("Allow").unwrap(), "GET, HEAD, OPTIONS");
    let api = app
        .call(request(Method::Delete, "/hello", Some("application/json")))
        .wait();
    assert_eq!(api.body(), br#"{"error":"Method Not Allowed"}"#);
    assert_eq!(api.headers().get("Allow").unwrap(), "GET, HEAD, OPTIONS");
    let missing = app.call(request(Method::Get, "/api/nothing", None)).wait();
    assert_eq!(missing.body(), br#"{"error":"Not Found"}"#);
    let head = app.call(request(Method::Head, "/hello", None)).wait();
    assert_eq!(
        head.body(),
        b"hi",
        "the connection, not the app, drops a HEAD's body"
    );
}

#[test]
fn a_reply_to_come_is_waited_for_and_mapped() {
    let mut app = App::new();
    app.get("/later", |_: Input| {
        Reply::Later(Box::pin(async { Response::text(Status::OK, "came later") }))
    });
    let reply = app.call(request(Method::Get, "/later", None));
    assert!(matches!(reply, Reply::Later(_)));
    let marked = reply.map(|response| response.header("X-Seen", "yes"));
    let response = marked.wait();
    assert_eq!(response.body(), b"came later");
    assert_eq!(response.headers().get("X-Seen").unwrap(), "yes");
}

#[test]
fn a_bad_route_says_which_when_the_app_is_built() {
    let mut app = App::new();
    app.get("/users/{id}", |_: Input| "one");
    let conflict = app
        .try_route(Method::Get, "/users/{name}", |_: Input| "two")
        .err()
        .expect("the same paths twice");
    assert_eq!(
        conflict.to_string(),
        "GET /users/{name} conflicts with GET /users/{id}: both match the same paths"
    );
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        App::new().get("/users/{id", |_: Input| "never");
    }))
    .expect_err("an invalid pattern panics when the route is added");
    let message = panicked
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("is never closed"), "{message}");
}

#[test]
fn an_async_handler_replies_later() {
    let mut app = App::new();
    app.get(
        "/async/{name}",
        stage05_framework::later(|input: Input| async move {
            format!("later, {}", input.param("name").unwrap_or_default())
        }),
    );
    let reply = app.call(request(Method::Get, "/async/Ada", None));
    assert!(matches!(reply, Reply::Later(_)));
    assert_eq!(reply.wait().body(), b"later, Ada");
}

#[test]
fn an_error_page_says_it_varies_with_accept() {
    let mut app = App::new();
    app.get("/gone", |_: Input| -> Result<&'static str, Error> {
        Err(Error::not_found("gone"))
    });
    let response = get(&app, "/gone");
    assert_eq!(response.headers().get("Vary").unwrap(), "Accept");
    let shouting = app
        .call(request(Method::Get, "/gone", Some("Application/JSON")))
        .wait();
    assert_eq!(
        shouting.body(),
        br#"{"error":"gone"}"#,
        "media types ignore case"
    );
}

#[test]
fn the_routers_error_pages_say_they_vary_with_accept() {
    let mut app = App::new();
    app.get("/hello", |_: Input| "hi");
    let html = Some("text/html");
    let json = Some("application/json");
    let cases = [
        (Method::Get, "/nowhere", None),
        (Method::Get, "/nowhere", html),
        (Method::Get, "/nowhere", json),
        (Method::Delete, "/hello", None),
        (Method::Delete, "/hello", json),
    ];
    for (method, target, accept) in cases {
        let response = app.call(request(method.clone(), target, accept)).wait();
        let vary: Vec<_> = response
            .headers()
            .get_all("Vary")
            .map(|v| v.to_str().unwrap_or("?"))
            .collect();
        // Once: a cache keeps one copy per Accept, and a second `Vary: Accept` says nothing new.
        assert_eq!(vary, ["Accept"], "{method} {target} {accept:?}");
    }
    // A redirect's page is the same for every client: nothing to vary.
    let redirect = get(&app, "/hello/");
    assert_eq!(redirect.status(), Status::PERMANENT_REDIRECT);
    assert!(!redirect.headers().contains("Vary"));
}
