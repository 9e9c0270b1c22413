//! The binary, run the way the book runs it.

use tests::binary::{RunningBinary, run};

const BIN: &str = env!("CARGO_BIN_EXE_stage01_tcp_echo");

#[test]
fn server_prints_its_address_and_the_client_gets_its_echo() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    assert!(server.first_line.starts_with("listening on 127.0.0.1:"));
    let addr = server.addr.to_string();

    let out = run(BIN, &["client", "--addr", &addr, "hello, echo"], b"");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, b"hello, echo\n");

    // Without a message the client sends its standard input, line by line.
    let out = run(BIN, &["client", "--addr", &addr], b"one\ntwo\n");
    assert_eq!(out.stdout, b"one\ntwo\n");
}

#[test]
fn help_and_bad_arguments() {
    let help = run(BIN, &["--help"], b"");
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--addr HOST:PORT"));

    for argv in [
        &["server", "--addr", "nowhere"][..],
        &["dance"],
        &[],
        &["server", "extra"],
    ] {
        let out = run(BIN, argv, b"");
        assert_eq!(out.status.code(), Some(2), "{argv:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{argv:?}: {err}");
    }
}

#[test]
fn client_without_a_server_says_so_and_fails() {
    // Bind a port, learn its number, free it: nothing listens there now.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let out = run(BIN, &["client", "--addr", &addr, "hi"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused"));
}
