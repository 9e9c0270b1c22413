//! Middleware, called as a server calls the application: the order of the layers, answering
//! early, passing what was learned to the handler, and the four layers the demo site uses.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stage05_framework::middleware::rate_limit::MAX_CLIENTS;
use stage05_framework::middleware::{AccessLog, BasicAuth, Blocklist, RateLimit, User};
use stage05_framework::{
    App, Application, Inner, Input, Method, Middleware, Reply, Request, Response, Status, get,
    routes,
};

const PEER: &str = "192.0.2.7:5555";

fn request(method: Method, target: &str, headers: &[(&str, &str)]) -> Request {
    let mut request = Request::new(method, target).expect("a valid target");
    for (name, value) in headers {
        request.headers.append(*name, *value);
    }
    request.peer = Some(PEER.parse().expect("an address"));
    request
}

fn get(app: &App, target: &str, headers: &[(&str, &str)]) -> Response {
    app.call(request(Method::Get, target, headers)).wait()
}

/// Notes its name on the way in and on the way out.
struct Trace {
    name: &'static str,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Middleware for Trace {
    fn call(&self, input: Input, inner: Inner<'_>) -> Reply {
        self.seen.lock().unwrap().push(format!("{} in", self.name));
        let seen = Arc::clone(&self.seen);
        let name = self.name;
        inner.run(input).map(move |response| {
            seen.lock().unwrap().push(format!("{name} out"));
            response
        })
    }
}

#[test]
fn layers_run_in_the_order_they_were_added_like_an_onion() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut app = App::new();
    let handler_seen = Arc::clone(&seen);
    app.wrap(Trace {
        name: "outer",
        seen: Arc::clone(&seen),
    })
    .wrap(Trace {
        name: "inner",
        seen: Arc::clone(&seen),
    })
    .get("/", move |_: Input| {
        handler_seen.lock().unwrap().push("handler".into());
        "ok"
    });
    get(&app, "/", &[]);
    assert_eq!(
        *seen.lock().unwrap(),
        ["outer in", "inner in", "handler", "inner out", "outer out"]
    );
    // A 404 goes through the layers too: they wrap the router, not only the routes.
    seen.lock().unwrap().clear();
    assert_eq!(get(&app, "/nowhere", &[]).status(), Status::NOT_FOUND);
    assert_eq!(seen.lock().unwrap().len(), 4);
}

#[test]
fn a_layer_that_panics_is_a_500_like_a_handler_that_does() {
    struct Broken;
    impl Middleware for Broken {
        fn call(&self, _: Input, _: Inner<'_>) -> Reply {
            panic!("a bug in a layer")
        }
    }
    let mut app = App::new();
    app.wrap(Broken).get("/", |_: Input| "never");
    assert_eq!(get(&app, "/", &[]).status(), Status::INTERNAL_SERVER_ERROR);
}

#[test]
fn a_blocked_address_gets_403_for_everything() {
    let blocked: SocketAddr = PEER.parse().unwrap();
    let mut app = App::new();
    app.wrap(Blocklist::new([blocked.ip()]))
        .get("/", |_: Input| "hi");
    assert_eq!(get(&app, "/", &[]).status(), Status::FORBIDDEN);
    assert_eq!(get(&app, "/nowhere", &[]).status(), Status::FORBIDDEN);
    let mut other = request(Method::Get, "/", &[]);
    other.peer = Some("198.51.100.1:1".parse().unwrap());
    assert_eq!(app.call(other).wait().status(), Status::OK);
}

#[test]
fn past_the_rate_limit_a_client_is_told_when_to_come_back() {
    let mut app = App::new();
    app.wrap(RateLimit::new(3, Duration::from_secs(60)))
        .get("/", |_: Input| "hi");
    for _ in 0..3 {
        assert_eq!(get(&app, "/", &[]).status(), Status::OK);
    }
    let limited = get(&app, "/", &[("Accept", "application/json")]);
    assert_eq!(limited.status(), Status::TOO_MANY_REQUESTS);
    let retry: u64 = limited
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        limited.body(),
        br#"{"error":"too many requests; slow down"}"#
    );
    // Another address has its own count.
    let mut other = request(Method::Get, "/", &[]);
    other.peer = Some("198.51.100.1:1".parse().unwrap());
    assert_eq!(app.call(other).wait().status(), Status::OK);
}

fn protected_app() -> App {
    let mut app = App::new();
    app.wrap(BasicAuth::new("test", "admin", "s3cret").protect(None, "/admin"))
        .get("/admin", |input: Input| {
            let user = input
                .extensions
                .get::<User>()
                .expect("the layer left the user");
            format!("hello {}", user.0)
        })
        .get("/administrator", |_: Input| "not protected")
        .get("/open", |_: Input| "open");
    app
}

#[test]
fn basic_auth_asks_then_lets_the_right_user_in() {
    let app = protected_app();
    let asked = get(&app, "/admin", &[]);
    assert_eq!(asked.status(), Status::UNAUTHORIZED);
    assert_eq!(
        asked.headers().get("WWW-Authenticate").unwrap(),
        "Basic realm=\"test\", charset=\"UTF-8\""
    );
    // admin:s3cret, base64-encoded, as curl -u admin:s3cret sends it.
    let right = get(
        &app,
        "/admin",
        &[("Authorization", "Basic YWRtaW46czNjcmV0")],
    );
    assert_eq!(right.body(), b"hello admin");
    // admin:wrong
    let wrong = get(
        &app,
        "/admin",
        &[("Authorization", "Basic YWRtaW46d3Jvbmc=")],
    );
    assert_eq!(wrong.status(), Status::UNAUTHORIZED);
    let garbage = get(&app, "/admin", &[("Authorization", "Basic !!!")]);
    assert_eq!(garbage.status(), Status::UNAUTHORIZED);
    assert_eq!(get(&app, "/open", &[]).body(), b"open");
}

#[test]
fn an_escaped_path_does_not_slip_past_the_password() {
    let app = protected_app();
    // The router decodes `%61` to `a`, so `/%61dmin` reaches `/admin`: the layer decodes too.
    for path in ["/%61dmin", "/admin/", "/%61dmin/x", "/admin/users"] {
        assert_eq!(
            get(&app, path, &[]).status(),
            Status::UNAUTHORIZED,
            "{path}"
        );
    }
    assert_eq!(get(&app, "/administrator", &[]).body(), b"not protected");
}

#[test]
fn the_access_log_passes_the_reply_through() {
    let mut app = App::new();
    app.wrap(AccessLog).get("/", |_: Input| "logged");
    assert_eq!(get(&app, "/", &[]).body(), b"logged");
}

#[test]
fn an_escaped_slash_head_and_a_whole_site_prefix_are_guarded() {
    let mut app = App::new();
    app.wrap(
        BasicAuth::new("test", "admin", "s3cret")
            .protect(Some(Method::Get), "/files/private")
            .protect(None, "/everything"),
    )
    .get("/files/{*path}", |input: Input| {
        input.param("path").unwrap_or_default().to_string()
    })
    .get("/everything/{*rest}", |_: Input| "all");
    // A catch-all reads `private%2Fkey.txt` as `private/key.txt`: so does the layer.
    assert_eq!(
        get(&app, "/files/private%2Fkey.txt", &[]).status(),
        Status::UNAUTHORIZED
    );
    assert_eq!(get(&app, "/files/public.txt", &[]).status(), Status::OK);
    // HEAD runs GET's handler: protecting GET protects it.
    let head = app
        .call(request(Method::Head, "/files/private/key.txt", &[]))
        .wait();
    assert_eq!(head.status(), Status::UNAUTHORIZED);
    // The scheme's name is case-insensitive.
    let lower = get(
        &app,
        "/files/private/x",
        &[("Authorization", "basic YWRtaW46czNjcmV0")],
    );
    assert_eq!(lower.status(), Status::OK);

    let mut whole = App::new();
    whole
        .wrap(BasicAuth::new("test", "admin", "s3cret").protect(None, "/"))
        .get("/secret", |_: Input| "hidden");
    assert_eq!(
        get(&whole, "/secret", &[]).status(),
        Status::UNAUTHORIZED,
        "/ covers all"
    );
}

/// Notes the status of every reply that passes through it, as the access log reads it.
struct Statuses(Arc<Mutex<Vec<u16>>>);

impl Middleware for Statuses {
    fn call(&self, input: Input, inner: Inner<'_>) -> Reply {
        let seen = Arc::clone(&self.0);
        inner.run(input).map(move |response| {
            seen.lock().unwrap().push(response.status().code());
            response
        })
    }
}

#[get("/later/boom")]
async fn later_boom() -> String {
    panic!("on purpose, in a test of an async handler")
}

/// An app whose `/boom` and `/later/boom` panic, plainly and inside their future.
fn panicking_app(layer: impl Middleware) -> App {
    let mut app = App::new();
    app.wrap(layer)
        .get("/boom", |_: Input| -> &'static str {
            panic!("on purpose, in a test of a handler")
        })
        .mount(routes![later_boom]);
    app
}

#[test]
fn a_handler_that_panics_is_a_500_every_layer_sees() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = panicking_app(Statuses(Arc::clone(&seen)));
    assert_eq!(
        get(&app, "/boom", &[]).status(),
        Status::INTERNAL_SERVER_ERROR
    );
    // The layer saw the 500 go out, as it sees any answer: a log line, a metric, a header added.
    assert_eq!(*seen.lock().unwrap(), [500]);
}

#[test]
fn an_async_handler_that_panics_is_a_500_every_layer_sees() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = panicking_app(Statuses(Arc::clone(&seen)));
    let reply = app.call(request(Method::Get, "/later/boom", &[]));
    assert!(
        matches!(reply, Reply::Later(_)),
        "the panic is still to come"
    );
    // Waiting for it, as this chapter's server and chapter 6's do, gets the 500, not the panic.
    assert_eq!(reply.wait().status(), Status::INTERNAL_SERVER_ERROR);
    assert_eq!(*seen.lock().unwrap(), [500]);
}

/// Set in the copy of this test program that [`stderr_of`] runs, so the test there does its part.
const CHILD: &str = "STAGE05_MIDDLEWARE_LOG_CHILD";

/// What `test` writes to standard error when it runs alone in a copy of this test program. The
/// access log writes to the process's own standard error, which the test harness does not
/// capture: the only place to read its lines is outside the process, as an operator does.
fn stderr_of(test: &str) -> String {
    let output = Command::new(std::env::current_exe().expect("this test program"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("this test program runs again");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "the copy failed:\n{stderr}");
    stderr
}

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// The access log's lines for `target` in `log`, each without its date (the line's first 29
/// characters, as `Date` headers write it).
fn lines_for<'a>(log: &'a str, target: &str) -> Vec<&'a str> {
    let what = format!(" {target} ");
    log.lines()
        .filter(|line| line.contains(&what) && line.ends_with(" ms"))
        .map(|line| line.get(30..).unwrap_or(line))
        .collect()
}

#[test]
fn the_access_log_writes_a_500_line_for_a_handler_that_panics() {
    if in_child() {
        let app = panicking_app(AccessLog);
        get(&app, "/boom", &[]);
        app.call(request(Method::Get, "/later/boom", &[])).wait();
        return;
    }
    let log = stderr_of("the_access_log_writes_a_500_line_for_a_handler_that_panics");
    for target in ["/boom", "/later/boom"] {
        let lines = lines_for(&log, target);
        assert_eq!(lines.len(), 1, "{target}:\n{log}");
        assert!(
            lines[0].starts_with(&format!("{PEER} GET {target} 500 ")),
            "{target}:\n{log}"
        );
        // Said once, by whoever caught it: not again by a catcher further out.
        let said = format!("GET {target}: the handler panicked");
        assert_eq!(log.lines().filter(|l| *l == said).count(), 1, "{log}");
    }
}

#[test]
fn the_access_log_counts_the_bytes_sent_not_the_body_a_head_is_sent_without() {
    if in_child() {
        let mut app = App::new();
        app.wrap(AccessLog)
            .get("/page", |_: Input| "twelve bytes")
            .get("/nothing", |_: Input| (Status::NO_CONTENT, "dropped"));
        for method in [Method::Head, Method::Get] {
            app.call(request(method, "/page", &[])).wait();
        }
        get(&app, "/nothing", &[]);
        return;
    }
    let log = stderr_of("the_access_log_counts_the_bytes_sent_not_the_body_a_head_is_sent_without");
    let page = lines_for(&log, "/page");
    assert_eq!(page.len(), 2, "{log}");
    assert!(
        page[0].starts_with(&format!("{PEER} HEAD /page 200 0 B ")),
        "{log}"
    );
    assert!(
        page[1].starts_with(&format!("{PEER} GET /page 200 12 B ")),
        "{log}"
    );
    // A 204 never has a body on the wire, whatever the handler gave it.
    let nothing = lines_for(&log, "/nothing");
    assert!(
        nothing[0].starts_with(&format!("{PEER} GET /nothing 204 0 B ")),
        "{log}"
    );
}

#[test]
fn a_full_rate_table_forgets_its_oldest_address_and_only_that() {
    let mut app = App::new();
    app.wrap(RateLimit::new(1, Duration::from_secs(3600)))
        .get("/", |_: Input| "hi");
    let from = |ip: IpAddr| {
        let mut request = request(Method::Get, "/", &[]);
        request.peer = Some(SocketAddr::new(ip, 1));
        app.call(request).wait().status()
    };
    let (oldest, second) = (
        IpAddr::from([198, 51, 100, 1]),
        IpAddr::from([198, 51, 100, 2]),
    );
    for ip in [oldest, second] {
        assert_eq!(from(ip), Status::OK);
        assert_eq!(from(ip), Status::TOO_MANY_REQUESTS);
    }
    // Others until the table holds as many as it may: each is let in.
    for i in 0..MAX_CLIENTS - 2 {
        let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i as u32));
        assert_eq!(from(ip), Status::OK, "{ip}");
    }
    // Full, and nobody forgotten yet.
    assert_eq!(from(oldest), Status::TOO_MANY_REQUESTS);
    assert_eq!(from(second), Status::TOO_MANY_REQUESTS);
    // One more: let in all the same, and the oldest address makes room for it.
    assert_eq!(from(IpAddr::from([203, 0, 113, 9])), Status::OK);
    assert_eq!(
        from(second),
        Status::TOO_MANY_REQUESTS,
        "only the oldest was forgotten"
    );
    assert_eq!(from(oldest), Status::OK, "forgotten, with its count");
}
