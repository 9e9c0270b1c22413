//! The binary as a person runs it: it prints where it listens and its routes, then answers them.

use tests::binary::{RunningBinary, run};
use tests::raw::{RawResponse, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_stage04_router");

#[test]
fn prints_its_address_and_route_table_then_serves_the_routes() {
    let mut server = RunningBinary::start(BIN, &["--addr", "127.0.0.1:0"]);
    assert!(
        server
            .first_line
            .starts_with("listening on http://127.0.0.1:")
    );
    let table = server.read_stdout_until(|line| line.contains("/debug/request"));
    assert_eq!(
        table,
        [
            "routes:",
            "  GET     /",
            "  GET     /hello",
            "  GET     /hello/{name}",
            "  POST    /echo",
            "  ANY     /debug/request",
        ]
    );
    let cases = [
        ("GET /hello/Z%C3%BCrich HTTP/1.1", 200, "Hello, Zürich!"),
        ("GET /hello HTTP/1.1", 200, "Hello, World!"),
        ("DELETE /hello HTTP/1.1", 405, ""),
        ("GET /missing HTTP/1.1", 404, ""),
    ];
    for (request_line, status, body) in cases {
        let bytes = exchange(
            server.addr,
            format!("{request_line}\r\nHost: a\r\n\r\n").as_bytes(),
        );
        let response = RawResponse::parse(&bytes);
        assert_eq!(response.status, status, "{request_line}");
        if !body.is_empty() {
            assert_eq!(response.text(), body, "{request_line}");
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
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("stage04_router: "), "{stderr}");
    }
}
