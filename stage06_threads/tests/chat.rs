//! The chat room as `nc` users meet it: lines reach everyone else, names, notices, bad bytes,
//! and a client that never reads, which must not hold anyone back.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver};
use std::thread;

use stage01_tcp_echo::stop::RunningServer;
use stage06_threads::chat::{Chat, ChatConfig};
use tests::raw::READ_GUARD;

/// A chat client: it writes lines, and a thread reads every line the room sends it.
struct Client {
    stream: TcpStream,
    lines: Receiver<String>,
}

impl Client {
    fn connect(room: &RunningServer) -> Client {
        let stream = TcpStream::connect(room.addr()).expect("connect");
        let reader = BufReader::new(stream.try_clone().unwrap());
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let client = Client { stream, lines };
        let welcome = client.next_line();
        assert!(welcome.starts_with("* welcome, guest"), "{welcome}");
        client
    }

    fn say(&mut self, line: &str) {
        self.stream
            .write_all(format!("{line}\n").as_bytes())
            .unwrap();
    }

    /// The next line the room sends, within the read guard.
    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(READ_GUARD)
            .expect("a line from the room")
    }

    /// Lines until one that `wanted` accepts, which is returned.
    fn line_where(&self, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            let line = self.next_line();
            if wanted(&line) {
                return line;
            }
        }
    }
}

impl Drop for Client {
    /// Leaves as `nc` does when it ends: the reading thread's copy of the socket would keep it
    /// open otherwise.
    fn drop(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

fn room(config: ChatConfig) -> RunningServer {
    Chat::bind("127.0.0.1:0")
        .expect("bind a free port")
        .with_config(config)
        .spawn()
        .expect("a bound room has an address")
}

/// Connects a client and names it, and lets the ones already there see it join.
fn named(room: &RunningServer, name: &str, others: &[&Client]) -> Client {
    let mut client = Client::connect(room);
    for other in others {
        other.line_where(|l| l.ends_with(" joined"));
    }
    client.say(&format!("/nick {name}"));
    let renamed = client.next_line();
    assert!(renamed.ends_with(&format!(" is now {name}")), "{renamed}");
    for other in others {
        other.line_where(|l| l.ends_with(&format!(" is now {name}")));
    }
    client
}

#[test]
fn a_line_reaches_everyone_else_with_its_sender_s_name() {
    let room = room(ChatConfig::default());
    let mut ada = named(&room, "ada", &[]);
    let bob = named(&room, "bob", &[&ada]);
    let cy = named(&room, "cy", &[&ada, &bob]);
    ada.say("hello, all");
    assert_eq!(bob.next_line(), "ada: hello, all");
    assert_eq!(cy.next_line(), "ada: hello, all");
    drop(cy);
    assert_eq!(ada.next_line(), "* cy left");
    assert_eq!(bob.next_line(), "* cy left");
}

#[test]
fn names_must_be_free_and_plain() {
    let room = room(ChatConfig::default());
    let ada = named(&room, "ada", &[]);
    let mut other = Client::connect(&room);
    ada.line_where(|l| l.ends_with(" joined"));
    other.say("/dance");
    assert!(other.next_line().starts_with("* commands:"));
    for (name, answer) in [
        ("ada", "* ada is taken"),
        ("guest1", "* a name is"),
        ("two words", "* a name is"),
        ("", "* a name is"),
    ] {
        other.say(&format!("/nick {name}"));
        let line = other.next_line();
        assert!(line.starts_with(answer), "/nick {name:?}: {line}");
    }
}

#[test]
fn long_lines_are_cut_and_bad_bytes_replaced() {
    let room = room(ChatConfig {
        max_line: 16,
        ..ChatConfig::default()
    });
    let mut ada = named(&room, "ada", &[]);
    let bob = named(&room, "bob", &[&ada]);
    ada.stream
        .write_all(b"caf\xe9 \x1b[31m!\nabcdefghijklmnopqrstuvwxyz\nnext\n")
        .unwrap();
    assert_eq!(bob.next_line(), "ada: caf\u{fffd} [31m!");
    assert_eq!(bob.next_line(), "ada: abcdefghijklmnop");
    assert_eq!(bob.next_line(), "ada: next");
    ada.say("still here");
    assert_eq!(bob.next_line(), "ada: still here");
}

#[test]
fn a_client_that_never_reads_is_disconnected_and_holds_nobody_back() {
    let room = room(ChatConfig {
        outbox: 8,
        ..ChatConfig::default()
    });
    let mut ada = named(&room, "ada", &[]);
    let bob = named(&room, "bob", &[&ada]);
    // Never reads: what the room sends it fills its socket, then its outbox.
    let mut deaf = TcpStream::connect(room.addr()).unwrap();
    ada.line_where(|l| l.ends_with(" joined"));
    bob.line_where(|l| l.ends_with(" joined"));
    deaf.write_all(b"/nick deaf\n").unwrap();
    ada.line_where(|l| l.ends_with(" is now deaf"));
    bob.line_where(|l| l.ends_with(" is now deaf"));
    // Ada talks until the room gives the deaf client up; bob hears every line meanwhile.
    let line = "x".repeat(1000);
    let mut sent = 0;
    let notice = loop {
        ada.say(&line);
        sent += 1;
        let heard = bob.next_line();
        if heard.starts_with("* deaf ") {
            break heard;
        }
        assert_eq!(heard, format!("ada: {line}"), "line {sent}");
        assert!(
            sent < 100_000,
            "100 MB sent and the deaf client still in the room"
        );
    };
    assert_eq!(notice, "* deaf fell too far behind and was disconnected");
    ada.say("after");
    assert_eq!(bob.line_where(|l| !l.starts_with("ada: x")), "ada: after");
}

#[test]
fn a_full_room_says_so() {
    let room = room(ChatConfig {
        max_clients: 1,
        ..ChatConfig::default()
    });
    let _ada = named(&room, "ada", &[]);
    let stream = TcpStream::connect(room.addr()).unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).unwrap();
    assert_eq!(line, "* the room is full (1 at most); try later\n");
}

#[test]
fn a_thousand_lines_pasted_at_once_reach_a_client_that_reads() {
    let room = room(ChatConfig::default());
    let mut ada = named(&room, "ada", &[]);
    let bob = named(&room, "bob", &[&ada]);
    // Far more than an outbox holds (256), in one write: bob reads, so he must get them all.
    let paste: String = (1..=1000).map(|n| format!("line {n}\n")).collect();
    ada.stream.write_all(paste.as_bytes()).unwrap();
    for n in 1..=1000 {
        assert_eq!(bob.next_line(), format!("ada: line {n}"));
    }
}

#[test]
fn quit_leaves_and_frees_a_place_in_a_full_room() {
    let room = room(ChatConfig {
        max_clients: 2,
        ..ChatConfig::default()
    });
    let ada = named(&room, "ada", &[]);
    let mut bob = named(&room, "bob", &[&ada]);
    bob.say("/quit");
    assert_eq!(ada.next_line(), "* bob left");
    // Bob's place is free again.
    let cy = Client::connect(&room);
    assert_eq!(ada.next_line(), "* guest3 joined");
    drop(cy);
}

#[test]
fn stopping_tells_everyone_and_closes_their_connections() {
    let room = room(ChatConfig::default());
    let ada = named(&room, "ada", &[]);
    let bob = named(&room, "bob", &[&ada]);
    room.stop(); // returns once every client's threads have ended
    for client in [&ada, &bob] {
        assert_eq!(client.next_line(), "* the server is stopping");
        // Then the end of the stream: the reading thread ends and the channel closes.
        assert!(client.lines.recv_timeout(READ_GUARD).is_err());
    }
}
