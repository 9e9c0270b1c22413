//! The binary as a person runs it: it prints where it listens, serves the demo site with an
//! async `/sleep`, and on `SIGTERM` finishes the request in flight and exits 0.
#![cfg(target_os = "linux")]

use std::process::Command;

use tests::binary::{RunningBinary, run};
use tests::folder::TempFolder;
use tests::raw::ResponseReader;

const BIN: &str = env!("CARGO_BIN_EXE_stage07_async");

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n").into_bytes()
}

#[test]
fn serves_the_site_and_stops_gracefully_on_sigterm() {
    let data = TempFolder::new("stage07-cli");
    let data_arg = data.path().to_str().expect("a UTF-8 temp path");
    let mut server = RunningBinary::start(BIN, &["--addr", "127.0.0.1:0", "--data", data_arg]);
    assert!(
        server
            .first_line
            .starts_with("listening on http://127.0.0.1:"),
        "{}",
        server.first_line
    );
    let mut connection = ResponseReader::connect(server.addr);
    for _ in 0..2 {
        connection.send(&get("/hello"));
        let response = connection.next_response(false);
        assert_eq!(response.text(), "Hello, World!");
        assert_eq!(response.header("Connection"), None, "kept alive");
    }
    // A second connection, accepted (it has had an answer), and a slow request on each: one
    // thread serves both.
    let mut other = ResponseReader::connect(server.addr);
    other.send(&get("/hello"));
    assert_eq!(other.next_response(false).status, 200);
    connection.send(&get("/sleep/300"));
    other.send(&get("/sleep/300"));
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    for client in [&mut connection, &mut other] {
        let response = client.next_response(false);
        assert_eq!(response.status, 200, "the request in flight is answered");
        assert_eq!(response.text(), "slept 300 ms\n");
        assert!(client.rest_until_close().is_empty(), "then closed");
    }
    assert!(server.wait_for_exit().success(), "exit 0");
}

#[test]
fn help_and_bad_arguments() {
    let help = run(BIN, &["--help"], b"");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for option in [
        "Usage:",
        "--addr",
        "--threads",
        "--max-connections",
        "--data",
    ] {
        assert!(text.contains(option), "{option} in {text}");
    }
    for args in [
        &["--threads", "0"][..],
        &["--threads", "many"],
        &["--max-connections", "0"],
        &["--addr", "nowhere"],
        &["--workers", "4"],
        &["serve"],
    ] {
        let output = run(BIN, args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("stage07_async: "), "{stderr}");
    }
}

#[test]
fn holds_no_more_connections_than_it_may_open_files() {
    // With room for 256 open files, 10,000 connections cannot be held: past the limit `accept`
    // fails and a client would get nothing at all. The server says how many it holds instead.
    let data = TempFolder::new("stage07-cli-files");
    let data_arg = data.path().to_str().expect("a UTF-8 temp path");
    let script = format!("ulimit -n 256 && exec {BIN} --addr 127.0.0.1:0 --data {data_arg}");
    let mut server = RunningBinary::start("sh", &["-c", &script]);
    let lines = server.read_stdout_until(|line| line.contains("ulimit -n"));
    let held = lines
        .iter()
        .find(|line| line.contains("at most"))
        .expect("the line that says how many connections");
    assert_eq!(held, "1 thread, at most 84 connections; Ctrl+C stops");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("(not 10000: this process may open 256 files; `ulimit -n` raises that)")
    );
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    assert!(server.wait_for_exit().success(), "exit 0");
}
