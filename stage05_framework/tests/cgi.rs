//! CGI scripts run by the demo site's `/cgi-bin/` route: the environment they are given, their
//! answers turned into responses, and scripts that fail, hang or print garbage. The scripts are
//! `sh`, which every Unix has; on other systems these tests do not run.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use stage05_framework::cgi::Cgi;
use stage05_framework::site::{SiteOptions, demo_app};
use stage05_framework::{Application, Method, Request, Response, Status};
use tests::folder::TempFolder;

/// A folder with the scripts `(name, body)` in it, each executable.
fn scripts(list: &[(&str, &str)]) -> TempFolder {
    let folder = TempFolder::new("cgi-scripts");
    for (name, body) in list {
        let path = folder.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    folder
}

fn request(method: Method, target: &str, body: &[u8], headers: &[(&str, &str)]) -> Request {
    let mut request = Request::new(method, target).expect("a valid target");
    request.body = body.to_vec();
    for (name, value) in headers {
        request.headers.append(*name, *value);
    }
    request.peer = Some("192.0.2.7:5555".parse().unwrap());
    request
}

fn text(response: &Response) -> String {
    String::from_utf8_lossy(response.body()).into_owned()
}

#[test]
fn a_script_sees_the_request_in_its_environment_and_nothing_of_the_servers() {
    let folder = scripts(&[(
        "env.sh",
        "printf 'Content-Type: text/plain\\n\\n'; env | sort",
    )]);
    let cgi = Cgi::new(folder.path()).unwrap();
    let request = request(
        Method::Post,
        "/cgi-bin/env.sh/extra?a=1&b=2",
        b"body!",
        &[
            ("Host", "example.test:8080"),
            ("Content-Type", "text/plain"),
            ("X-Custom", "yes"),
            ("Proxy", "http://evil.example"),
            ("Authorization", "Basic YWRtaW46YWRtaW4="),
            ("X_Forwarded_For", "spoofed"),
        ],
    );
    let response = cgi.run(&request, "env.sh", "/extra");
    assert_eq!(response.status(), Status::OK, "{}", text(&response));
    let env = text(&response);
    for line in [
        "GATEWAY_INTERFACE=CGI/1.1",
        "REQUEST_METHOD=POST",
        "QUERY_STRING=a=1&b=2",
        "PATH_INFO=/extra",
        "SCRIPT_NAME=/cgi-bin/env.sh",
        "CONTENT_LENGTH=5",
        "CONTENT_TYPE=text/plain",
        "REMOTE_ADDR=192.0.2.7",
        "SERVER_NAME=example.test",
        "SERVER_PORT=8080",
        "SERVER_PROTOCOL=HTTP/1.1",
        "HTTP_X_CUSTOM=yes",
        "HTTP_HOST=example.test:8080",
    ] {
        assert!(env.lines().any(|l| l == line), "missing {line} in\n{env}");
    }
    assert!(!env.contains("HTTP_PROXY"), "httpoxy: {env}");
    assert!(
        !env.contains("HTTP_AUTHORIZATION"),
        "the password is not the script's: {env}"
    );
    assert!(
        !env.contains("spoofed"),
        "a name with _ could pose as one with -: {env}"
    );
    assert!(
        !env.contains("HOME="),
        "the server's own environment leaked:\n{env}"
    );
    assert!(
        !env.contains("CARGO"),
        "the server's own environment leaked:\n{env}"
    );
}

#[test]
fn status_location_and_the_body_on_stdin() {
    let folder = scripts(&[
        (
            "teapot.sh",
            "printf 'Status: 418 I am a teapot\\r\\nContent-Type: text/plain\\r\\nX-Brew: tea\\r\\n\\r\\nshort and stout'",
        ),
        ("moved.sh", "printf 'Location: /elsewhere\\n\\n'"),
        (
            "upper.sh",
            "printf 'Content-Type: text/plain\\n\\n'; tr a-z A-Z",
        ),
    ]);
    let cgi = Cgi::new(folder.path()).unwrap();
    let teapot = cgi.run(&request(Method::Get, "/", b"", &[]), "teapot.sh", "");
    assert_eq!(teapot.status().code(), 418);
    assert_eq!(teapot.headers().get("X-Brew").unwrap(), "tea");
    let spelled: Vec<&str> = teapot.headers().iter().map(|(name, _)| name).collect();
    assert!(
        spelled.contains(&"X-Brew"),
        "as the script spelled it: {spelled:?}"
    );
    assert_eq!(text(&teapot), "short and stout");
    let moved = cgi.run(&request(Method::Get, "/", b"", &[]), "moved.sh", "");
    assert_eq!(moved.status(), Status::FOUND);
    assert_eq!(moved.headers().get("Location").unwrap(), "/elsewhere");
    let upper = cgi.run(&request(Method::Post, "/", b"shout", &[]), "upper.sh", "");
    assert_eq!(text(&upper), "SHOUT");
}

#[test]
fn failing_garbage_and_hanging_scripts_are_gateway_errors() {
    let folder = scripts(&[
        ("fails.sh", "echo 'broken' >&2; exit 3"),
        ("garbage.sh", "echo 'this is not a CGI header'"),
        ("no-type.sh", "printf 'X-Only: this\\n\\nbody'"),
        ("hangs.sh", "sleep 30"),
        (
            "leaves.sh",
            "printf 'Content-Type: text/plain\\n\\nx'; sleep 3 &",
        ),
    ]);
    let cgi = Cgi::new(folder.path())
        .unwrap()
        .with_timeout(Duration::from_millis(500));
    let run = |name| cgi.run(&request(Method::Get, "/", b"", &[]), name, "");
    assert_eq!(run("fails.sh").status(), Status::BAD_GATEWAY);
    assert_eq!(run("garbage.sh").status(), Status::BAD_GATEWAY);
    assert_eq!(run("no-type.sh").status(), Status::BAD_GATEWAY);
    let started = Instant::now();
    assert_eq!(run("hangs.sh").status(), Status::GATEWAY_TIMEOUT);
    // One that answers but leaves a child holding its output: not a timeout, a failure.
    assert_eq!(run("leaves.sh").status(), Status::BAD_GATEWAY);
    // A guard, not a measurement: killed near its time limit, not after its 30 s of sleep.
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// Whether process `pid` is still running: there, and not a zombie waiting to be reaped.
#[cfg(target_os = "linux")]
fn is_running(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command's name in brackets: `123 (sleep) S ...`.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
#[cfg(target_os = "linux")]
fn what_a_script_started_is_killed_with_it() {
    for (name, body) in [
        // Hangs, with a child of its own: the 504 ends both.
        ("hangs.sh", "sleep 30 & echo $! > hangs.pid; wait"),
        // Answers, but leaves a child holding its output: the 502 ends the child.
        (
            "leaves.sh",
            "printf 'Content-Type: text/plain\\n\\nx'; sleep 30 & echo $! > leaves.pid",
        ),
    ] {
        let folder = scripts(&[(name, body)]);
        let cgi = Cgi::new(folder.path())
            .unwrap()
            .with_timeout(Duration::from_millis(300));
        let status = cgi
            .run(&request(Method::Get, "/", b"", &[]), name, "")
            .status();
        assert!(status == Status::GATEWAY_TIMEOUT || status == Status::BAD_GATEWAY);
        let pid_file = folder.path().join(name.replace(".sh", ".pid"));
        let pid = std::fs::read_to_string(pid_file)
            .unwrap()
            .trim()
            .to_string();
        // A signal is delivered at once, but the process takes a moment to end: look again
        // until it has (bounded), rather than sleeping for a guessed time.
        let deadline = Instant::now() + Duration::from_secs(10);
        while is_running(&pid) && Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert!(!is_running(&pid), "{name}'s child {pid} is still running");
    }
}

#[test]
fn only_executables_in_the_folder_can_run() {
    let folder = scripts(&[("ok.sh", "printf 'Content-Type: text/plain\\n\\nok'")]);
    let plain = folder.path().join("plain.sh");
    std::fs::write(&plain, "#!/bin/sh\necho no").unwrap(); // not executable
    let cgi = Cgi::new(folder.path()).unwrap();
    let run = |name| cgi.run(&request(Method::Get, "/", b"", &[]), name, "");
    assert_eq!(text(&run("ok.sh")), "ok");
    for name in ["plain.sh", "../ok.sh", ".hidden", "", "nope.sh", "/bin/sh"] {
        assert_eq!(run(name).status(), Status::NOT_FOUND, "{name:?}");
    }
}

#[test]
fn the_demo_sites_script_says_hello() {
    let data = TempFolder::new("cgi-demo");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        ..SiteOptions::default()
    };
    let app = demo_app(&options).unwrap();
    let response = app
        .call(request(Method::Get, "/cgi-bin/hello.sh?name=Ada", b"", &[]))
        .wait();
    assert_eq!(response.status(), Status::OK, "{}", text(&response));
    assert_eq!(
        text(&response),
        "Hello, Ada! (from a CGI script, run for a GET request)\n"
    );
    let missing = app
        .call(request(Method::Get, "/cgi-bin/nothing.sh", b"", &[]))
        .wait();
    assert_eq!(missing.status(), Status::NOT_FOUND);
}

#[test]
fn a_script_cannot_frame_the_body_or_invent_a_status() {
    let folder = scripts(&[
        (
            "length.sh",
            "printf 'Content-Type: text/plain\nContent-Length: 999\n\nfour'",
        ),
        (
            "odd.sh",
            "printf 'Status: 999 Odd\nContent-Type: text/plain\n\nx'",
        ),
    ]);
    let cgi = Cgi::new(folder.path()).unwrap();
    let run = |name| cgi.run(&request(Method::Get, "/", b"", &[]), name, "");
    let length = run("length.sh");
    assert_eq!(
        (length.status(), text(&length)),
        (Status::OK, "four".to_string())
    );
    assert_eq!(run("odd.sh").status(), Status::BAD_GATEWAY);
}

#[test]
fn a_time_limit_too_long_for_the_clock_is_no_limit_and_no_panic() {
    let folder = scripts(&[("ok.sh", "printf 'Content-Type: text/plain\\n\\nfine'")]);
    let cgi = Cgi::new(folder.path()).unwrap().with_timeout(Duration::MAX);
    let answer = cgi.run(&request(Method::Get, "/", b"", &[]), "ok.sh", "");
    assert_eq!(answer.status(), Status::OK);
    assert_eq!(text(&answer), "fine");
}
