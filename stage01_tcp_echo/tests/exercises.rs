//! Acceptance tests for chapter 1's exercises. Each fails until you solve its exercise;
//! `cargo test -p stage01_tcp_echo --test exercises exercise_1_1 -- --ignored` runs one.

use std::io::Write;
use std::net::{Shutdown, SocketAddr};

use tests::binary::RunningBinary;
use tests::raw::{connect, read_exactly, read_to_close};

const BIN: &str = env!("CARGO_BIN_EXE_stage01_tcp_echo");

/// Sends `message`, says it is done (shuts down the sending half), and returns all that comes
/// back until the server closes, as text. Every read is bounded by the raw-socket read guard, so
/// a server that never closes fails the test, saying so, instead of hanging it.
fn echo_once(addr: SocketAddr, message: &[u8]) -> String {
    let mut stream = connect(addr);
    stream.write_all(message).expect("send the message");
    stream
        .shutdown(Shutdown::Write)
        .expect("shut down the sending half");
    String::from_utf8_lossy(&read_to_close(&mut stream)).into_owned()
}

#[test]
#[ignore = "exercise 1.1: add `server --upper`, which echoes letters in upper case"]
fn exercise_1_1_upper() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0", "--upper"]);
    assert_eq!(echo_once(server.addr, b"Hello, 1!\n"), "HELLO, 1!\n");
}

#[test]
#[ignore = "exercise 1.2: the server hangs up on a line that says `quit`"]
fn exercise_1_2_quit() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    let mut stream = connect(server.addr);
    // Sent in one write, so the server must look inside what it read, not at whole reads.
    stream.write_all(b"first\nquit\nnever echoed\n").unwrap();
    let echoed = read_to_close(&mut stream);
    assert_eq!(
        String::from_utf8_lossy(&echoed),
        "first\n",
        "the echo of the line before `quit`, then the server hangs up"
    );
}

#[test]
#[ignore = "exercise 1.3: serve two clients at once (a thread per client)"]
fn exercise_1_3_two_clients_at_once() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    let mut first = connect(server.addr);
    first.write_all(b"first\n").unwrap();
    let reply = read_exactly(&mut first, 6, "the echo of the first client's line");
    assert_eq!(String::from_utf8_lossy(&reply), "first\n");
    // The first client is still connected. A one-at-a-time server leaves this one waiting
    // (the test then fails when the raw-socket read guard runs out).
    let mut second = connect(server.addr);
    second.write_all(b"second\n").unwrap();
    second.shutdown(Shutdown::Write).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&read_to_close(&mut second)),
        "second\n",
        "the second client's echo, while the first is still connected"
    );
}
