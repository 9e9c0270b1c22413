//! Middleware, called as a server calls the application: the order of the layers, answering
//! early, passing what was learned to the handler, and the four layers the demo site uses.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stage05_framework::middleware::{AccessLog, BasicAuth, Blocklist, RateLimit, User};
use stage05_framework::{
    App, Application, Inner, Input, Method, Middleware, Reply, Request, Response, Status,
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
