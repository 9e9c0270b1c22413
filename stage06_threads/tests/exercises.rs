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

/// Exercise 6.2: once the server is stopping, an answer says `Connection: close`.
#[test]
#[ignore = "exercise 6.2: Connection: close on answers given while the server stops"]
fn exercise_6_2_answers_while_stopping_say_close() {
    let (started_tx, started) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let (started_tx, released) = (Mutex::new(started_tx), Mutex::new(released));
    let mut app = App::new();
    app.get("/hold", move |_: Input| {
        started_tx.lock().unwrap().send(()).unwrap();
        let _ = released.lock().unwrap().recv_timeout(READ_GUARD);
        "released"
    });
    let server = Server::bind("127.0.0.1:0").unwrap().spawn(app).unwrap();
    let mut client = ResponseReader::connect(server.addr());
    client.send(b"GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    started.recv().expect("the request is with a worker");
    server.stop_signal().stop();
    release.send(()).unwrap();
    let response = client.next_response(false);
    assert_eq!(response.text(), "released");
    assert_eq!(
        response.header("Connection"),
        Some("close"),
        "the client should learn from the answer that the connection will not be kept"
    );
}

/// Exercise 6.3: `/who` lists the room, in the order people joined, to the asker only.
#[test]
#[ignore = "exercise 6.3: /who lists everyone in the room"]
fn exercise_6_3_who_is_here() {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpStream;

    use stage06_threads::chat::Chat;

    let room = Chat::bind("127.0.0.1:0").unwrap().spawn().unwrap();
    let mut clients: Vec<(TcpStream, BufReader<TcpStream>)> = Vec::new();
    fn next_line(reader: &mut BufReader<TcpStream>) -> String {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a line from the room");
        line
    }
    for name in ["ada", "bob", "cy"] {
        let stream = TcpStream::connect(room.addr()).unwrap();
        stream.set_read_timeout(Some(READ_GUARD)).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        assert!(next_line(&mut reader).starts_with("* welcome"));
        for (_, other) in &mut clients {
            assert!(next_line(other).ends_with(" joined\n"));
        }
        let mut writer = stream;
        writer
            .write_all(format!("/nick {name}\n").as_bytes())
            .unwrap();
        clients.push((writer, reader));
        for (_, reader) in &mut clients {
            assert!(next_line(reader).ends_with(&format!(" is now {name}\n")));
        }
    }
    let (writer, reader) = &mut clients[1];
    writer.write_all(b"/who\n").unwrap();
    assert_eq!(next_line(reader), "* here: ada, bob, cy\n");
}
