//! The binary as a person runs it: it prints where it listens, serves the demo site with
//! keep-alive on, and on `SIGTERM` (what Ctrl+C's `SIGINT` does too) finishes the request in
//! flight and exits 0.

use std::process::Command;

use tests::binary::{RunningBinary, run};
use tests::folder::TempFolder;
use tests::raw::ResponseReader;

const BIN: &str = env!("CARGO_BIN_EXE_stage06_threads");

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n").into_bytes()
}

#[test]
fn serves_with_keep_alive_and_stops_gracefully_on_sigterm() {
    let data = TempFolder::new("stage06-cli");
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
    // The next request is on its way to the worker when the signal comes.
    connection.send(&get("/sleep/300"));
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "freebsd"))]
    {
        let killed = Command::new("kill")
            .args(["-TERM", &server.id().to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success());
        let response = connection.next_response(false);
        assert_eq!(response.status, 200, "the request in flight is answered");
        assert_eq!(response.text(), "slept 300 ms\n");
        assert!(connection.rest_until_close().is_empty(), "then closed");
        assert!(server.wait_for_exit().success(), "exit 0");
    }
}

#[test]
fn help_and_bad_arguments() {
    let help = run(BIN, &["--help"], b"");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for option in ["Usage:", "--addr", "--workers", "--queue", "--data", "chat"] {
        assert!(text.contains(option), "{option} in {text}");
    }
    for args in [
        &["--workers", "0"][..],
        &["--workers", "many"],
        &["--queue", "-1"],
        &["--queue", "0"],
        &["--addr", "nowhere"],
        &["--threads", "4"],
        &["chat", "--workers", "2"],
        &["talk"],
    ] {
        let output = run(BIN, args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("stage06_threads: "), "{stderr}");
    }
}

#[test]
fn chat_welcomes_a_client_that_connects_with_nc() {
    let server = RunningBinary::start(BIN, &["chat", "--addr", "127.0.0.1:0"]);
    assert!(
        server.first_line.starts_with("listening on 127.0.0.1:"),
        "{}",
        server.first_line
    );
    let stream = std::net::TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(tests::raw::READ_GUARD))
        .unwrap();
    let mut welcome = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stream), &mut welcome).unwrap();
    assert_eq!(welcome, "* welcome, guest1: 1 here; /nick NAME, /quit\n");
}

#[test]
fn takes_chapter_5s_site_options() {
    let data = TempFolder::new("stage06-cli-admin");
    let data_arg = data.path().to_str().expect("a UTF-8 temp path");
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--data",
        data_arg,
        "--admin-password",
        "s3cret",
    ];
    let server = RunningBinary::start(BIN, &args);
    let mut connection = ResponseReader::connect(server.addr);
    // admin:s3cret and admin:admin, in Basic authentication's base64.
    for (credentials, status) in [("YWRtaW46czNjcmV0", 200), ("YWRtaW46YWRtaW4=", 401)] {
        let request =
            format!("GET /admin HTTP/1.1\r\nHost: a\r\nAuthorization: Basic {credentials}\r\n\r\n");
        connection.send(request.as_bytes());
        assert_eq!(
            connection.next_response(false).status,
            status,
            "{credentials}"
        );
    }
}

/// At the limit of open files, `accept` fails; the accept loop waits and goes on, and once
/// clients leave the server answers again. Unix only: the limit is set with the shell's `ulimit`.
#[cfg(unix)]
#[test]
fn at_the_file_descriptor_limit_the_accept_loop_waits_and_goes_on() {
    use std::io::{BufRead, BufReader};
    use std::net::TcpStream;
    use std::process::{Command, Stdio};

    let data = TempFolder::new("stage06-cli-fds");
    let log = data.path().join("stderr.txt");
    let data_arg = data.path().join("guestbook");
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -n 16; exec \"$0\" \"$@\"", BIN])
        .args([
            "--addr",
            "127.0.0.1:0",
            "--workers",
            "2",
            // A queue longer than the descriptors left, so that accepting, not the queue, is
            // what runs out first, whatever else the process has open.
            "--queue",
            "64",
            "--data",
        ])
        .arg(&data_arg)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("run sh");
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let addr = tests::binary::address_in(first.trim()).expect("an address in the first line");
    // More connections than the server may have files open: the kernel completes them and
    // queues them, and the server's `accept` fails for want of a descriptor.
    let held: Vec<_> = (0..24)
        .filter_map(|_| TcpStream::connect(addr).ok())
        .collect();
    let mut client = ResponseReader::connect(addr);
    client.send(&get("/hello"));
    drop(held);
    // The last connection in the queue is served once the others have gone.
    let response = client.next_response(false);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(response.text(), "Hello, World!");
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(
        stderr.contains("Too many open files") && stderr.contains("trying again"),
        "the server met its limit and said so: {stderr}"
    );
}
