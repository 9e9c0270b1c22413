//! Chapter 1's behaviour: every byte sent comes back, in order, whatever the sizes and timings,
//! and one client's misbehaviour never stops the server.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};

use stage01_tcp_echo::client::echo_once;
use tests::raw::{connect, read_to_close};

use super::Case;

pub const CASES: &[Case] = &[
    ("a line comes back as it was sent", line_comes_back),
    ("every byte value survives", every_byte_value_survives),
    ("one MiB comes back intact", one_mebibyte_comes_back),
    (
        "a message written in pieces comes back whole",
        pieces_come_back_whole,
    ),
    (
        "a client that sends nothing and closes is survived",
        silent_client_is_survived,
    ),
    (
        "a client that resets is survived",
        resetting_client_is_survived,
    ),
    (
        "a hundred clients in a row are served",
        hundred_clients_in_a_row,
    ),
];

fn line_comes_back(addr: SocketAddr) {
    assert_eq!(echo_once(addr, b"hello\n").unwrap(), b"hello\n");
}

fn every_byte_value_survives(addr: SocketAddr) {
    let all: Vec<u8> = (0..=255).collect();
    assert_eq!(echo_once(addr, &all).unwrap(), all);
}

fn one_mebibyte_comes_back(addr: SocketAddr) {
    // Not one repeated byte: a pattern that would show a chunk lost, doubled or out of order.
    let payload: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let echoed = echo_once(addr, &payload).unwrap();
    assert_eq!(echoed.len(), payload.len());
    assert!(echoed == payload, "the echo differs from what was sent");
}

fn pieces_come_back_whole(addr: SocketAddr) {
    let mut stream = connect(addr);
    for piece in [&b"he"[..], b"l", b"lo, ", b"wor", b"ld\n"] {
        stream.write_all(piece).unwrap();
        stream.flush().unwrap();
    }
    stream.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_close(&mut stream), b"hello, world\n");
}

fn silent_client_is_survived(addr: SocketAddr) {
    drop(connect(addr));
    assert_eq!(echo_once(addr, b"next\n").unwrap(), b"next\n");
}

fn resetting_client_is_survived(addr: SocketAddr) {
    // Closing a socket that still has unread data makes the kernel send RST instead of FIN:
    // the server sees "connection reset" on its next read or write of this client.
    let mut stream = connect(addr);
    stream.write_all(&[b'x'; 64 * 1024]).unwrap();
    let mut first = [0u8; 1];
    stream.read_exact(&mut first).expect(
        "no byte of the echo came back: an echo server must write bytes back as they arrive, \
         not wait for the end of a line (there is no newline in what this client sent)",
    );
    drop(stream);
    assert_eq!(echo_once(addr, b"still here\n").unwrap(), b"still here\n");
}

fn hundred_clients_in_a_row(addr: SocketAddr) {
    for i in 0..100 {
        let message = format!("client {i}\n");
        assert_eq!(
            echo_once(addr, message.as_bytes()).unwrap(),
            message.as_bytes()
        );
    }
}
