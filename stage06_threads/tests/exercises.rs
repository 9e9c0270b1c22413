//! Chapter 6's exercises. Each test fails until its exercise is solved;
//! `cargo test -p stage06_threads --test exercises exercise_6_1 -- --ignored` runs one.

use std::sync::Mutex;
use std::sync::mpsc;

use stage05_framework::{App, Input};
use stage06_threads::Server;
use tests::binary::RunningBinary;
use tests::raw::{READ_GUARD, ResponseReader};

const BIN: &str = env!("CARGO_BIN_EXE_stage06_threads");

/// Exercise 6.1: `--workers auto` starts one worker per core the machine offers.
#[test]
#[ignore = "exercise 6.1: --workers auto, one worker per core"]
fn exercise_6_1_workers_auto() {
    let mut server = RunningBinary::start(BIN, &["--addr", "127.0.0.1:0", "--workers", "auto"]);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let lines = server.read_stdout_until(|line| line.contains("workers"));
    let expected = format!("{cores} workers");
    assert!(
        lines.iter().any(|line| line.starts_with(&expected)),
        "after the address, a line that starts {expected:?}; got {lines:?}"
    );
}

/// Exercise 6.2: the 503 says how big the pool is.
#[test]
#[ignore = "exercise 6.2: the 503 names the pool's workers and queue"]
fn exercise_6_2_the_503_says_how_big_the_pool_is() {
    let (started_tx, started) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let (started_tx, released) = (Mutex::new(started_tx), Mutex::new(released));
    let mut app = App::new();
    app.get("/hold", move |_: Input| {
        started_tx.lock().unwrap().send(()).unwrap();
        let _ = released.lock().unwrap().recv_timeout(READ_GUARD);
        "released"
    });
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_pool(1, 1)
        .spawn(app)
        .unwrap();
    let mut held = ResponseReader::connect(server.addr());
    held.send(b"GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    started.recv_timeout(READ_GUARD).unwrap_or_else(|_| {
        panic!(
            "the one worker has not started /hold within {} s",
            READ_GUARD.as_secs()
        )
    });
    let _queued = ResponseReader::connect(server.addr());
    let mut refused = ResponseReader::connect(server.addr());
    refused.send(b"GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    let response = refused.next_response(false);
    release.send(()).unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(
        response.text(),
        "every worker is busy (workers: 1, queue: 1); try again\n"
    );
}

/// Exercise 6.3: `/who` lists the room, in the order people joined, to the asker only.
#[test]
#[ignore = "exercise 6.3: /who lists everyone in the room"]
fn exercise_6_3_who_is_here() {
    use std::io::{BufReader, Write};
    use std::net::TcpStream;

    use stage06_threads::chat::Chat;
    use tests::raw::{connect, read_line};

    let room = Chat::bind("127.0.0.1:0").unwrap().spawn().unwrap();
    let mut clients: Vec<(TcpStream, BufReader<TcpStream>)> = Vec::new();
    /// Each read waits at most the raw-socket read guard, and says so in words when it runs out.
    #[track_caller]
    fn next_line(reader: &mut BufReader<TcpStream>) -> String {
        read_line(reader, "a line from the room")
    }
    for name in ["ada", "bob", "cy"] {
        let stream = connect(room.addr());
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let welcome = next_line(&mut reader);
        assert!(welcome.starts_with("* welcome"), "{welcome:?}");
        for (_, other) in &mut clients {
            let joined = next_line(other);
            assert!(joined.ends_with(" joined\n"), "{joined:?}");
        }
        let mut writer = stream;
        writer
            .write_all(format!("/nick {name}\n").as_bytes())
            .unwrap();
        clients.push((writer, reader));
        for (_, reader) in &mut clients {
            let renamed = next_line(reader);
            assert!(
                renamed.ends_with(&format!(" is now {name}\n")),
                "{renamed:?}"
            );
        }
    }
    let (writer, reader) = &mut clients[1];
    writer.write_all(b"/who\n").unwrap();
    assert_eq!(next_line(reader), "* here: ada, bob, cy\n");
}
