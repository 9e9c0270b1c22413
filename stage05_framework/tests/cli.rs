//! The binary as a person runs it: it prints where it listens, then serves the demo site.

use tests::binary::{RunningBinary, run};
use tests::folder::TempFolder;
use tests::raw::{RawResponse, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_stage05_framework");

#[test]
fn prints_its_address_then_serves_the_demo_site() {
    let server = RunningBinary::start(BIN, &["--addr", "127.0.0.1:0"]);
    assert!(
        server
            .first_line
            .starts_with("listening on http://127.0.0.1:"),
        "{}",
        server.first_line
    );
    let cases = [
        ("GET /hello/Ada HTTP/1.1", 200, "Hello, Ada!"),
        ("HEAD /hello HTTP/1.1", 200, ""),
        ("DELETE /hello HTTP/1.1", 405, "<!doctype html>"),
        (
            "GET / HTTP/2.0",
            505,
            "HTTP version \"HTTP/2.0\" is not supported (only HTTP/1.0 and HTTP/1.1)\n",
        ),
    ];
    for (request_line, status, body) in cases {
        let bytes = exchange(
            server.addr,
            format!("{request_line}\r\nHost: a\r\n\r\n").as_bytes(),
        );
        let response = RawResponse::parse(&bytes);
        assert_eq!(response.status, status, "{request_line}");
        assert_eq!(
            response.header("Connection"),
            Some("close"),
            "{request_line}"
        );
        assert!(response.text().starts_with(body), "{request_line}");
        if body.is_empty() {
            assert_eq!(response.text(), "", "{request_line}: no body after a HEAD");
        }
    }
}

#[test]
fn help_and_bad_arguments() {
    let help = run(BIN, &["--help"], b"");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Usage:") && text.contains("--addr"), "{text}");
    for args in [&["--addr", "nowhere"][..], &["--port", "1"], &["--addr"]] {
        let output = run(BIN, args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("stage05_framework: "), "{stderr}");
    }
}

#[test]
fn a_message_survives_the_server_being_killed_and_started_again() {
    let data = TempFolder::new("stage05-cli");
    let folder = data.path().to_str().expect("a UTF-8 temporary path");
    let args = ["--addr", "127.0.0.1:0", "--data", folder];
    let server = RunningBinary::start(BIN, &args);
    let body = r#"{"name": "Ada", "text": "still here"}"#;
    let post = format!(
        "POST /api/messages HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let created = RawResponse::parse(&exchange(server.addr, post.as_bytes()));
    assert_eq!(created.status, 201, "{}", created.text());
    // Killed, not stopped: the 201 promised the message was on the disk already.
    drop(server);
    let again = RunningBinary::start(BIN, &args);
    let listed = RawResponse::parse(&exchange(
        again.addr,
        b"GET /api/messages HTTP/1.1\r\nHost: a\r\n\r\n",
    ));
    assert!(listed.text().contains("still here"), "{}", listed.text());
}
