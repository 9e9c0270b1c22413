//! Chapter 1, the echo server: every byte sent comes back, in order, as soon as it arrives, and
//! one client's comings and goings never stop the server. No later chapter keeps these: from
//! chapter 2 on the server speaks HTTP.

use std::io::Write;
use std::sync::mpsc;
use std::thread;

use crate::check::{Check, Hint, Target};
use crate::outcome::{Failure, Outcome};
use crate::wire::Wire;

const PART: &str = "Chapter 1 — Sockets: an echo server";
const CODE: Hint = Hint {
    part: PART,
    section: "The code",
};
const IDEA: Hint = Hint {
    part: PART,
    section: "The idea",
};

pub const CHECKS: &[Check] = &[
    Check {
        name: "a line comes back as it was sent",
        chapters: &[1],
        hostile: false,
        hint: CODE,
        run: line_comes_back,
    },
    Check {
        name: "bytes come back as they arrive, before any newline",
        chapters: &[1],
        hostile: false,
        hint: IDEA,
        run: bytes_come_back_before_a_newline,
    },
    Check {
        name: "every byte value comes back, in order",
        chapters: &[1],
        hostile: false,
        hint: CODE,
        run: every_byte_value,
    },
    Check {
        name: "a message sent in pieces comes back whole, then the server closes",
        chapters: &[1],
        hostile: false,
        hint: IDEA,
        run: pieces_then_close,
    },
    Check {
        name: "256 KiB sent while reading comes back intact",
        chapters: &[1],
        hostile: false,
        hint: CODE,
        run: large_message,
    },
    Check {
        name: "a client that connects and leaves at once does not stop the next",
        chapters: &[1],
        hostile: false,
        hint: CODE,
        run: silent_client,
    },
    Check {
        name: "a client that resets its connection does not stop the next",
        chapters: &[1],
        hostile: true,
        hint: CODE,
        run: resetting_client,
    },
];

/// Sends `message` and expects exactly it back on the same connection.
fn echoes(target: &Target, message: &[u8]) -> Outcome {
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    wire.send(message)?;
    let got = wire.exactly(message.len())?;
    same(&wire, message, got)
}

fn same(wire: &Wire, expected: &[u8], got: Vec<u8>) -> Outcome {
    if got == expected {
        return Ok(());
    }
    Err(Failure::new("what came back differs from what was sent")
        .with_sent(wire.sent())
        .with_got(got)
        .expecting_bytes(0, expected))
}

fn line_comes_back(target: &Target) -> Outcome {
    echoes(target, b"hello\n")
}

fn bytes_come_back_before_a_newline(target: &Target) -> Outcome {
    echoes(target, b"no newline yet").map_err(|f| {
        f.with_problem(
            "nothing came back for a message without a newline: an echo server writes back each \
             read's bytes at once, it does not wait for the end of a line",
        )
    })
}

fn every_byte_value(target: &Target) -> Outcome {
    let all: Vec<u8> = (0..=255).collect();
    echoes(target, &all)
}

fn pieces_then_close(target: &Target) -> Outcome {
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    for piece in [&b"he"[..], b"l", b"lo, ", b"wor", b"ld\n"] {
        wire.send(piece)?;
    }
    let got = wire.exactly(13)?;
    same(&wire, b"hello, world\n", got)?;
    // The end of the client's stream is the server's cue to finish: a read of 0 bytes.
    wire.finish_sending();
    wire.expect_close("after the client finished sending (a read of 0 bytes means the end)")
}

fn large_message(target: &Target) -> Outcome {
    // Not one repeated byte: a pattern that shows a piece lost, doubled or out of order.
    let payload: Vec<u8> = (0..256 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    let mut writer = wire
        .writer()
        .map_err(|e| Failure::new(format!("cannot write and read at once: {e}")))?;
    // Written from another thread while this one reads: a server that writes back as it reads
    // would otherwise fill both sockets' buffers and wait on us, and we on it.
    let sending = payload.clone();
    let (done, written) = mpsc::channel();
    let stopper = writer.try_clone();
    thread::spawn(move || {
        let _ = done.send(writer.write_all(&sending));
    });
    let got = wire.exactly(payload.len());
    // The writer has a deadline on each write, and this one on all of them together.
    let written = match written.recv_timeout(target.timeout) {
        Ok(written) => written,
        Err(_) => {
            if let Ok(stream) = stopper {
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
            return Err(Failure::new(format!(
                "the server stopped taking the 256 KiB for {} s after the echo was read",
                target.timeout.as_secs_f32()
            )));
        }
    };
    // 256 KiB of bytes would bury the problem: say what happened, not what came.
    let got = got.map_err(|f| f.with_got(Vec::new()))?;
    written.map_err(|e| Failure::new(format!("sending 256 KiB failed: {e}")))?;
    if got == payload {
        return Ok(());
    }
    let at = crate::outcome::first_difference(&payload, &got).unwrap_or(0);
    Err(Failure::new(format!(
        "the echo of 256 KiB differs from what was sent, first at byte {at}"
    ))
    .with_expected(format!("byte {at} to be {:#04x}", payload[at])))
}

fn silent_client(target: &Target) -> Outcome {
    drop(Wire::connect(target.addr, target.timeout)?);
    echoes(target, b"next\n")
        .map_err(|f| f.within("after a client connected and left without a word, the next"))
}

fn resetting_client(target: &Target) -> Outcome {
    // Closing a socket with unread data makes the kernel send RST instead of FIN: the server
    // sees "connection reset" when it next reads or writes this client.
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    wire.send(&[b'x'; 64 * 1024])?;
    wire.exactly(1)?;
    drop(wire);
    echoes(target, b"still here\n")
        .map_err(|f| f.within("after a client reset its connection, the next"))
}
