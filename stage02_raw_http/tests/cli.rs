//! The binary, run the way the book runs it.

use tests::binary::{RunningBinary, run};

const BIN: &str = env!("CARGO_BIN_EXE_stage02_raw_http");

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_client_fetches_from_the_server_and_the_server_shows_the_request() {
    let mut server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    assert!(
        server
            .first_line
            .starts_with("listening on http://127.0.0.1:")
    );
    let url = format!("http://{}/path?q=1", server.addr);

    let out = run(BIN, &["client", &url], b"");
    assert!(out.status.success(), "{out:?}");
    let printed = stdout(&out);
    assert!(
        printed.starts_with("status line: HTTP/1.1 200 OK\nheaders:\n"),
        "{printed}"
    );
    assert!(printed.contains("  Content-Length: 13\n"), "{printed}");
    assert!(
        printed.ends_with("body (13 bytes):\nHello, World!\n"),
        "{printed}"
    );

    let shown = server.read_stdout_until(|line| line == "\\r\\n");
    assert!(
        shown.contains(&"GET /path?q=1 HTTP/1.1\\r\\n".to_string()),
        "{shown:?}"
    );

    let out = run(BIN, &["client", &url, "--data", "a=1"], b"");
    assert!(out.status.success(), "{out:?}");
    let shown = server.read_stdout_until(|line| line == "\\r\\n");
    assert!(
        shown.contains(&"Content-Length: 3\\r\\n".to_string()),
        "{shown:?}"
    );
}

#[test]
fn client_errors_are_one_line_and_exit_1() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let cases = [
        ("https://127.0.0.1/".to_string(), "needs TLS"),
        ("127.0.0.1/".to_string(), "must start with http://"),
        (format!("http://{free}/"), "cannot connect"),
    ];
    for (url, says) in cases {
        let out = run(BIN, &["client", &url], b"");
        assert_eq!(out.status.code(), Some(1), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(says) && err.lines().count() == 1,
            "{url}: {err}"
        );
    }
}

#[test]
fn help_and_bad_arguments() {
    let help = run(BIN, &["--help"], b"");
    assert!(help.status.success());
    assert!(stdout(&help).contains("--pitfall"));
    for argv in [
        &["server", "--pitfall", "typo"][..],
        &["server", "--addr"],
        &["client"],
        &["fetch"],
    ] {
        let out = run(BIN, argv, b"");
        assert_eq!(out.status.code(), Some(2), "{argv:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
}
