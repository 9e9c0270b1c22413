//! Chapter 5's exercises. Each test fails until its exercise is solved;
//! `cargo test -p stage05_framework --test exercises exercise_5_1 -- --ignored` runs one.

use std::time::Instant;

use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::{Method, Request};
use stage05_framework::{Config, Connection, ErrorStyle, Next, Now};

/// Drives `connection` until it wants to read or closes, answering `200 OK` to every request;
/// returns what it wrote and whether it closed.
fn drive(connection: &mut Connection, now: Now) -> (String, usize, bool) {
    let (mut written, mut answered) = (Vec::new(), 0);
    loop {
        match connection.next(now) {
            Next::Read => {
                return (
                    String::from_utf8_lossy(&written).into_owned(),
                    answered,
                    false,
                );
            }
            Next::Close { .. } => {
                return (
                    String::from_utf8_lossy(&written).into_owned(),
                    answered,
                    true,
                );
            }
            Next::Request(_) => {
                answered += 1;
                connection.respond(Response::text(Status::OK, "ok"), now);
            }
            Next::Write => {
                written.extend_from_slice(connection.output());
                let n = connection.output().len();
                connection.wrote(n, now);
            }
            Next::Refused(_) | Next::Busy => {}
        }
    }
}

fn now() -> Now {
    Now {
        instant: Instant::now(),
        date: std::time::SystemTime::UNIX_EPOCH,
    }
}

/// Exercise 5.1: a response on a connection kept open says how long it may stay idle.
#[test]
#[ignore = "exercise 5.1: Keep-Alive: timeout=N on every response that keeps the connection"]
fn exercise_5_1_keep_alive_says_the_idle_time() {
    let now = now();
    let mut kept = Connection::new(Config::default(), None, now);
    kept.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", now);
    let (written, _, _) = drive(&mut kept, now);
    assert!(
        written.contains("\r\nKeep-Alive: timeout=5\r\n"),
        "the default idle time is 5 s: {written}"
    );
    let mut closing = Connection::new(Config::default(), None, now);
    closing.receive(
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        now,
    );
    let (written, _, _) = drive(&mut closing, now);
    assert!(
        !written.contains("Keep-Alive"),
        "not when it closes: {written}"
    );
}

/// Exercise 5.2: one connection answers at most 100 requests, then closes (nginx's
/// `keepalive_requests` does the same, with 1000), so no client keeps one for ever.
#[test]
#[ignore = "exercise 5.2: at most 100 requests per connection"]
fn exercise_5_2_a_connection_answers_at_most_100_requests() {
    let now = now();
    let mut connection = Connection::new(Config::default(), None, now);
    let request = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    connection.receive(&request.repeat(101), now);
    let (written, answered, closed) = drive(&mut connection, now);
    assert_eq!(answered, 100, "the 101st request is not answered");
    assert!(closed, "then the connection closes");
    let last = written.rsplit("HTTP/1.1 200 OK").next().unwrap_or_default();
    assert!(
        last.contains("Connection: close"),
        "the 100th answer says it is the last: {last}"
    );
    assert_eq!(written.matches("Connection: close").count(), 1);
}

fn style_for(accept: &str) -> ErrorStyle {
    let mut request = Request::new(Method::Get, "/messages/7").expect("a valid target");
    request.headers.append("Accept", accept);
    ErrorStyle::of(&request)
}

/// Exercise 5.3: RFC 9457's problem details are JSON too.
#[test]
#[ignore = "exercise 5.3: application/problem+json asks for JSON errors"]
fn exercise_5_3_problem_json_is_json() {
    assert_eq!(style_for("application/problem+json"), ErrorStyle::Json);
    assert_eq!(style_for("application/json"), ErrorStyle::Json);
    assert_eq!(style_for("text/plain"), ErrorStyle::Text);
}

/// Exercise 5.4: `Accept` lists types with weights, `q=0` to `q=1` (RFC 9110 §12.5.1); the
/// heaviest of HTML and JSON wins, the first listed on a tie, and a type the client weighs 0 is
/// one it refuses.
#[test]
#[ignore = "exercise 5.4: Accept's q-values decide between HTML and JSON"]
fn exercise_5_4_the_heaviest_accepted_type_wins() {
    let cases = [
        ("text/html;q=0.5, application/json", ErrorStyle::Json),
        ("application/json;q=0.1, text/html", ErrorStyle::Html),
        ("application/json, text/html", ErrorStyle::Json),
        ("text/html, application/json", ErrorStyle::Html),
        ("application/json;q=0, text/html;q=0.2", ErrorStyle::Html),
        ("text/html;q=0", ErrorStyle::Text),
    ];
    for (accept, style) in cases {
        assert_eq!(style_for(accept), style, "{accept}");
    }
}

/// Exercise 5.5: a path parameter that does not parse says which type it should have been.
#[test]
#[ignore = "exercise 5.5: the 400 for a typed path parameter names the type"]
fn exercise_5_5_a_bad_path_parameter_names_its_type() {
    use stage05_framework::{App, Application, get, routes};

    #[get("/items/{id}")]
    fn item(id: u64) -> String {
        format!("item {id}")
    }

    let mut app = App::new();
    app.mount(routes![item]);
    let request = Request::new(Method::Get, "/items/forty-two").expect("a valid target");
    let response = app.call(request).wait();
    assert_eq!(response.status(), Status::BAD_REQUEST);
    assert_eq!(
        String::from_utf8_lossy(response.body()),
        "invalid value \"forty-two\" for id (a u64): invalid digit found in string\n"
    );
}

/// Exercise 5.6: an IPv4 client seen through an IPv6 socket is the same address.
#[test]
#[ignore = "exercise 5.6: the blocklist sees through IPv4-mapped IPv6 addresses"]
fn exercise_5_6_a_mapped_address_is_the_same_address() {
    use stage05_framework::middleware::Blocklist;
    use stage05_framework::{App, Application, Input};

    let mut app = App::new();
    app.wrap(Blocklist::new(["192.0.2.7".parse().expect("an address")]))
        .get("/", |_: Input| "hi");
    let mut request = Request::new(Method::Get, "/").expect("a valid target");
    request.peer = Some("[::ffff:192.0.2.7]:5555".parse().expect("an address"));
    assert_eq!(app.call(request).wait().status(), Status::FORBIDDEN);

    let mut app = App::new();
    app.wrap(Blocklist::new(["::ffff:192.0.2.7"
        .parse()
        .expect("an address")]))
        .get("/", |_: Input| "hi");
    let mut request = Request::new(Method::Get, "/").expect("a valid target");
    request.peer = Some("192.0.2.7:5555".parse().expect("an address"));
    assert_eq!(app.call(request).wait().status(), Status::FORBIDDEN);
}

/// Exercise 5.7: a damaged line that is not the last is corruption, not a crash.
#[test]
#[ignore = "exercise 5.7: a damaged line before the last one stops the guestbook from opening"]
fn exercise_5_7_damage_before_the_last_line_is_refused() {
    use stage05_framework::guestbook::Guestbook;
    use tests::folder::TempFolder;

    let folder = TempFolder::new("exercise-5-7");
    let log = concat!(
        r#"{"id":1,"name":"Ada","text":"one","at":0}"#,
        "\n",
        "this line was damaged\n",
        r#"{"id":2,"name":"Grace","text":"two","at":0}"#,
        "\n",
    );
    std::fs::write(folder.path().join("guestbook.log"), log).expect("write the log");
    let error = Guestbook::open(folder.path()).expect_err("a damaged log is refused");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    assert!(error.to_string().contains("line 2"), "{error}");

    // A torn *last* line is still what a crash leaves, and is still skipped.
    let torn = concat!(
        r#"{"id":1,"name":"Ada","text":"one","at":0}"#,
        "\n",
        r#"{"id":2,"na"#
    );
    std::fs::write(folder.path().join("guestbook.log"), torn).expect("write the log");
    let book = Guestbook::open(folder.path()).expect("a torn last line is a crash, not damage");
    assert_eq!(book.list().len(), 1);
}

/// Exercise 5.8: a folder is at its path with a trailing slash, so its page's relative links work.
#[test]
#[ignore = "exercise 5.8: a folder without its trailing slash is redirected to it"]
fn exercise_5_8_a_folder_redirects_to_its_slash() {
    use stage05_framework::Application;
    use stage05_framework::site::{SiteOptions, demo_app};
    use tests::folder::TempFolder;

    let files = TempFolder::new("exercise-5-8");
    std::fs::create_dir_all(files.path().join("docs")).expect("a folder");
    std::fs::write(files.path().join("docs").join("index.html"), "<p>docs</p>").expect("a page");
    let data = TempFolder::new("exercise-5-8-data");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        static_dir: files.path().to_path_buf(),
        ..SiteOptions::default()
    };
    let app = demo_app(&options).expect("the site opens");
    let call = |target: &str| {
        let request = Request::new(Method::Get, target).expect("a valid target");
        app.call(request).wait()
    };
    let redirect = call("/static/docs");
    assert_eq!(redirect.status(), Status::PERMANENT_REDIRECT);
    assert_eq!(redirect.headers().get("Location").unwrap(), "/static/docs/");
    let page = call("/static/docs/");
    assert_eq!(page.status(), Status::OK);
    assert_eq!(
        page.stream().map(|s| s.len()),
        Some(11),
        "docs/index.html, 11 bytes"
    );
}

/// Exercise 5.9: a CGI script's bad header line is named in the 502 it causes.
#[cfg(unix)]
#[test]
#[ignore = "exercise 5.9: the 502 for a bad CGI header names the line"]
fn exercise_5_9_a_bad_cgi_header_is_named() {
    use stage05_framework::cgi::Cgi;
    use std::os::unix::fs::PermissionsExt;
    use tests::folder::TempFolder;

    let folder = TempFolder::new("exercise-5-9");
    let cases = [
        (
            "no-colon.sh",
            "Content-Type text/plain",
            "bad CGI header line \"Content-Type text/plain\"",
        ),
        (
            "bad-name.sh",
            "X Custom: yes",
            "bad CGI header line \"X Custom: yes\"",
        ),
    ];
    for (name, line, _) in cases {
        let path = folder.path().join(name);
        let script = format!("#!/bin/sh\nprintf '{line}\\nContent-Type: text/plain\\n\\nbody'\n");
        std::fs::write(&path, script).expect("write the script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let cgi = Cgi::new(folder.path()).expect("the folder");
    for (name, _, expected) in cases {
        let request = Request::new(Method::Get, "/").expect("a valid target");
        let response = cgi.run(&request, name, "");
        assert_eq!(response.status(), Status::BAD_GATEWAY, "{name}");
        let body = String::from_utf8_lossy(response.body()).into_owned();
        assert!(body.contains(expected), "{name}: {body}");
    }
}
