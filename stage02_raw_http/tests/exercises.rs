//! Acceptance tests for chapter 2's exercises. Each fails until you solve its exercise;
//! `cargo test -p stage02_raw_http --test exercises exercise_2_1 -- --ignored` runs one.

use std::io::Write;
use std::net::TcpListener;
use std::process::Output;
use std::thread;

use tests::binary::{RunningBinary, run};
use tests::raw::{RawResponse, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_stage02_raw_http");

/// What a finished client run did, for a message: its standard error first, where it says why.
fn said(out: &Output) -> String {
    format!(
        "the client exited ({}); on standard error it said {:?}, and on standard output {:?}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    )
}

#[test]
#[ignore = "exercise 2.1: the server answers HEAD with the headers and no body"]
fn exercise_2_1_head_has_no_body() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    let answer = exchange(server.addr, b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
    let response = RawResponse::parse(&answer);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Content-Length"),
        Some("13"),
        "the length a GET would get"
    );
    assert!(response.body.is_empty(), "a HEAD response has no body");
}

#[test]
#[ignore = "exercise 2.2: `client --head URL` sends HEAD and does not wait for a body"]
fn exercise_2_2_client_head() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    let url = format!("http://{}/", server.addr);
    let out = run(BIN, &["client", "--head", &url], b"");
    assert!(out.status.success(), "{}", said(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("Content-Length: 13"), "{printed}");
    assert!(printed.contains("body (0 bytes)"), "{printed}");
}

#[test]
#[ignore = "exercise 2.3: `client --location URL` follows redirects (at most 5)"]
fn exercise_2_3_follow_redirects() {
    // A tiny server that sends /start to /next, and /next to /end, which says where it is.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(3) {
            let mut stream = stream.unwrap();
            let (head, _) = stage02_raw_http::head::read_head(
                &mut stream,
                8192,
                std::time::Duration::from_secs(30),
            )
            .unwrap_or_else(|e| panic!("the test's server got no request from the client: {e}"));
            let head = String::from_utf8_lossy(&head).into_owned();
            let answer = if head.starts_with("GET /start ") {
                "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n".to_string()
            } else if head.starts_with("GET /next ") {
                format!(
                    "HTTP/1.1 301 Moved Permanently\r\nLocation: http://{addr}/end\r\nContent-Length: 0\r\n\r\n"
                )
            } else {
                "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nthe end".to_string()
            };
            stream.write_all(answer.as_bytes()).unwrap();
        }
    });
    let out = run(
        BIN,
        &["client", "--location", &format!("http://{addr}/start")],
        b"",
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with("the end\n"),
        "the body of /end, printed last; {}",
        said(&out)
    );
}
