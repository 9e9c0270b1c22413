//! Chapter 7's exercises. Each test fails until its exercise is solved;
//! `cargo test -p stage07_async --test exercises exercise_7_1 -- --ignored` runs one.
#![cfg(target_os = "linux")]

use tests::binary::RunningBinary;
use tests::raw::ResponseReader;

const BIN: &str = env!("CARGO_BIN_EXE_stage07_async");

fn ask(client: &mut ResponseReader, target: &str) -> tests::raw::RawResponse {
    client.send(format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes());
    client.next_response(false)
}

/// Exercise 7.1: `GET /debug/runtime` says what the runtime serving it holds, as JSON.
#[test]
#[ignore = "exercise 7.1: /debug/runtime shows the runtime's tasks, timers and sockets"]
fn exercise_7_1_the_runtime_shows_what_it_holds() {
    let server = RunningBinary::start(BIN, &["--addr", "127.0.0.1:0"]);
    let mut others: Vec<_> = (0..3)
        .map(|_| ResponseReader::connect(server.addr))
        .collect();
    for other in &mut others {
        assert_eq!(ask(other, "/hello").status, 200);
    }
    let mut client = ResponseReader::connect(server.addr);
    let response = ask(&mut client, "/debug/runtime");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Content-Type"), Some("application/json"));
    let value = stage03_parser::json::parse(&response.text()).expect("JSON");
    let count = |name: &str| {
        value
            .get(name)
            .and_then(|n| n.as_f64())
            .unwrap_or_else(|| panic!("a number {name:?} in {}", response.text()))
    };
    // Four connections are open, each a task with a socket, and the listener is a socket too.
    assert!(count("tasks") >= 4.0, "{}", response.text());
    assert!(count("sockets") >= 5.0, "{}", response.text());
    assert!(count("timers") >= 0.0, "{}", response.text());
}

/// Exercise 7.2: `--handler-timeout MS` answers `503` for a handler that takes longer, and
/// drops (so cancels) its future.
#[test]
#[ignore = "exercise 7.2: --handler-timeout MS gives a slow handler 503"]
fn exercise_7_2_a_slow_handler_times_out() {
    let server = RunningBinary::start(BIN, &["--addr", "127.0.0.1:0", "--handler-timeout", "100"]);
    let mut client = ResponseReader::connect(server.addr);
    let slow = ask(&mut client, "/sleep/3000");
    assert_eq!(slow.status, 503);
    assert_eq!(slow.text(), "the handler took longer than 100 ms\n");
    let mut other = ResponseReader::connect(server.addr);
    assert_eq!(
        ask(&mut other, "/sleep/10").status,
        200,
        "a quick one is answered"
    );
}

/// Exercise 7.3: a `poll(2)` backend in `src/sys.rs`, chosen with `--backend poll`, which other
/// Unix systems (macOS, the BSDs) have too.
#[test]
#[ignore = "exercise 7.3: --backend poll serves on poll(2) instead of epoll"]
fn exercise_7_3_a_poll_backend() {
    let mut server = RunningBinary::start(BIN, &["--addr", "127.0.0.1:0", "--backend", "poll"]);
    let lines = server.read_stdout_until(|line| line.contains("backend"));
    assert!(
        lines.iter().any(|line| line.contains("backend: poll")),
        "a line naming the backend after the address: {lines:?}"
    );
    // Several clients at once, each waiting as a task: what the reactor is for.
    let addr = server.addr;
    let askers: Vec<_> = (0..10)
        .map(|_| {
            std::thread::spawn(move || ask(&mut ResponseReader::connect(addr), "/sleep/200").text())
        })
        .collect();
    for asker in askers {
        assert_eq!(asker.join().unwrap(), "slept 200 ms\n");
    }
}
