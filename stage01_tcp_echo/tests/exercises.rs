//! Acceptance tests for chapter 1's exercises. Each fails until you solve its exercise;
//! `cargo test -p stage01_tcp_echo --test exercises exercise_1_1 -- --ignored` runs one.

use std::io::{Read, Write};
use std::net::Shutdown;

use tests::binary::RunningBinary;
use tests::raw::{connect, read_to_close};

const BIN: &str = env!("CARGO_BIN_EXE_stage01_tcp_echo");

#[test]
#[ignore = "exercise 1.1: add `server --upper`, which echoes letters in upper case"]
fn exercise_1_1_upper() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0", "--upper"]);
    let echoed = stage01_tcp_echo::client::echo_once(server.addr, b"Hello, 1!\n").unwrap();
    assert_eq!(echoed, b"HELLO, 1!\n");
}

#[test]
#[ignore = "exercise 1.2: the server hangs up on a line that says `quit`"]
fn exercise_1_2_quit() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    let mut stream = connect(server.addr);
    // Sent in one write, so the server must look inside what it read, not at whole reads.
    stream.write_all(b"first\nquit\nnever echoed\n").unwrap();
    assert_eq!(read_to_close(&mut stream), b"first\n");
}

#[test]
#[ignore = "exercise 1.3: serve two clients at once (a thread per client)"]
fn exercise_1_3_two_clients_at_once() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    let mut first = connect(server.addr);
    first.write_all(b"first\n").unwrap();
    let mut reply = [0u8; 6];
    first
        .read_exact(&mut reply)
        .expect("the first client's line was not echoed");
    // The first client is still connected. A one-at-a-time server leaves this one waiting
    // (the test then fails when the raw-socket read guard runs out).
    let mut second = connect(server.addr);
    second.write_all(b"second\n").unwrap();
    second.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_close(&mut second), b"second\n");
}
