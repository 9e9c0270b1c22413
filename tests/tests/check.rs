//! The chapter checker (`src/bin/check/`), run as a teacher runs it: as a program, against a
//! server, reading what it prints.
//!
//! - For every chapter N, the checker passes the repository's own stage N, and against stage
//!   N-1 fails on exactly chapter N's new checks: the ones chapter N-1 does not have.
//! - A chapter 2 server written the way Python tutorials write it is graded, and what the
//!   checker tells its student is what they need to fix it.
//! - `--run` says why a server that will not start did not, and stops the one it started.
//! - A server that never answers is reported as such, and does not hang the checker.
//!
//! Each stage's server is started in-process from its library, configured as its binary
//! configures it (`src/main.rs`), on port 0: `cargo test -p tests` builds the stages as libraries
//! only, so their binaries may not exist, or be stale. The `check` binary is this crate's own, so
//! Cargo builds it for these tests.

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};

use stage01_tcp_echo::stop::RunningServer;
use stage03_parser::json::{self, Value};
use stage05_framework::site::SiteOptions;
use tests::folder::TempFolder;

const CHECK: &str = env!("CARGO_BIN_EXE_check");

/// Each step's deadline: long enough for a loaded machine to answer anything a passing server
/// is asked, and what a failing run waits on where a server never answers (chapter 3's bare
/// `\n` against chapter 2, which waits for `\r\n\r\n`; chapter 6's slow client against chapter
/// 5, which serves one connection at a time). No assertion depends on how fast anything is.
const TIMEOUT: &str = "3";

/// A stage's server, and the folder its guestbook lives in, both gone when this is dropped.
struct Stage {
    server: RunningServer,
    _data: Option<TempFolder>,
}

fn site_options(data: &TempFolder) -> SiteOptions {
    SiteOptions {
        data: data.path().to_path_buf(),
        ..SiteOptions::default()
    }
}

/// Stage `n`'s server as its binary runs it.
fn start(n: u8) -> Stage {
    const ADDR: &str = "127.0.0.1:0";
    let bare = |server| Stage {
        server,
        _data: None,
    };
    match n {
        1 => bare(
            stage01_tcp_echo::server::EchoServer::bind(ADDR)
                .unwrap()
                .spawn(),
        ),
        2 => bare(
            stage02_raw_http::server::Server::bind(ADDR)
                .unwrap()
                .spawn(),
        ),
        3 => {
            let server = stage03_parser::Server::bind(ADDR).unwrap();
            bare(server.spawn(stage03_parser::mirror::mirror).unwrap())
        }
        4 => {
            let router = stage04_router::site::demo_router();
            let server = stage03_parser::Server::bind(ADDR).unwrap();
            let handler = move |request: &stage03_parser::Request| {
                stage04_router::dispatch::respond(&router, request)
            };
            bare(server.spawn(handler).unwrap())
        }
        5 => {
            let data = TempFolder::new("check-stage05");
            let app = stage05_framework::site::demo_app(&site_options(&data)).unwrap();
            let server = stage05_framework::Server::bind(ADDR).unwrap();
            Stage {
                server: server.spawn(app).unwrap(),
                _data: Some(data),
            }
        }
        6 => {
            use stage06_threads::server::{DEFAULT_QUEUE, DEFAULT_WORKERS};
            let data = TempFolder::new("check-stage06");
            let app = stage05_framework::site::demo_app(&site_options(&data)).unwrap();
            let server = stage06_threads::Server::bind(ADDR)
                .unwrap()
                .with_pool(DEFAULT_WORKERS, DEFAULT_QUEUE);
            Stage {
                server: server.spawn(app).unwrap(),
                _data: Some(data),
            }
        }
        #[cfg(target_os = "linux")]
        7 => {
            let data = TempFolder::new("check-stage07");
            let app = stage07_async::site::demo_app(&site_options(&data)).unwrap();
            let server = stage07_async::Server::bind(ADDR).unwrap();
            Stage {
                server: server.spawn(app).unwrap(),
                _data: Some(data),
            }
        }
        other => panic!("no stage {other} here"),
    }
}

/// What one run of the checker said: its exit code and the JSON report.
struct Graded {
    success: bool,
    report: Value,
    stdout: String,
}

impl Graded {
    fn checks(&self) -> &[Value] {
        match self.report.get("checks") {
            Some(Value::Array(checks)) => checks,
            other => panic!("no checks in the report: {other:?}"),
        }
    }

    fn names(&self, keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
        self.checks()
            .iter()
            .filter(|check| keep(check))
            .filter_map(|check| check.get("name").and_then(Value::as_str))
            .map(String::from)
            .collect()
    }

    fn failed(&self) -> BTreeSet<String> {
        self.names(|check| check.get("result").and_then(Value::as_str) == Some("fail"))
    }

    fn new_in_this_chapter(&self) -> BTreeSet<String> {
        self.names(|check| check.get("new") == Some(&Value::Bool(true)))
    }
}

fn run_check(args: &[&str]) -> Output {
    Command::new(CHECK)
        .args(args)
        .output()
        .expect("run the checker")
}

/// How many checks chapter `chapter` runs, and how many of them are hostile, as `--list --json`
/// says: counts in assertions follow the checks as they are added.
fn check_counts(chapter: u8) -> (usize, usize) {
    let output = run_check(&["--chapter", &chapter.to_string(), "--list", "--json"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let list = json::parse(stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    let Some(Value::Array(checks)) = list.get("checks") else {
        panic!("no checks in {stdout}");
    };
    let hostile = checks
        .iter()
        .filter(|c| c.get("hostile") == Some(&Value::Bool(true)))
        .count();
    (checks.len(), hostile)
}

/// Writes a throwaway Python server into `folder`: `None` (and a message) without python3.
fn python_server(folder: &TempFolder, source: &str) -> Option<String> {
    if !python3_runs() {
        eprintln!("skipped: python3 is not installed, so the test's server cannot run");
        return None;
    }
    let script = folder.path().join("server.py");
    std::fs::write(&script, source).expect("write the server");
    Some(format!("python3 {} --port {{port}}", script.display()))
}

fn grade_json(chapter: u8, addr: SocketAddr) -> Graded {
    let (chapter, addr) = (chapter.to_string(), addr.to_string());
    let args = [
        "--chapter",
        &chapter,
        "--addr",
        &addr,
        "--json",
        "--timeout",
        TIMEOUT,
    ];
    let output = run_check(&args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let report = json::parse(stdout.trim())
        .unwrap_or_else(|e| panic!("the report is not JSON ({e}): {stdout}"));
    Graded {
        success: output.status.success(),
        report,
        stdout,
    }
}

/// Chapter `n`'s checks pass against stage `n`, and against stage `n - 1` fail on exactly the
/// checks new in chapter `n`.
fn chapter_holds(n: u8) {
    let own = start(n);
    let graded = grade_json(n, own.server.addr());
    assert!(
        graded.failed().is_empty() && graded.success,
        "chapter {n}'s checks failed against stage {n}: {:?}\n{}",
        graded.failed(),
        graded.stdout
    );
    drop(own);
    if n == 1 {
        return;
    }
    let previous = start(n - 1);
    let graded = grade_json(n, previous.server.addr());
    let new = graded.new_in_this_chapter();
    assert!(!new.is_empty(), "chapter {n} has no new checks");
    assert_eq!(
        graded.failed(),
        new,
        "against stage {}, chapter {n}'s run should fail on exactly its new checks",
        n - 1
    );
    assert!(!graded.success, "the exit code said the chapter passed");
}

#[test]
fn chapter_1_holds() {
    chapter_holds(1);
}

/// Chapter 1 has no chapter before it to fail against: a server that is not an echo (it says
/// one line to whoever connects, and closes) fails every one of its checks.
#[test]
fn chapter_1_fails_against_what_is_not_an_echo() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.write_all(b"not an echo\n");
        }
    });
    let graded = grade_json(1, addr);
    let (checks, _) = check_counts(1);
    assert_eq!(graded.failed().len(), checks, "{}", graded.stdout);
    assert!(!graded.success);
}

#[test]
fn chapter_2_holds_and_an_echo_server_fails_all_of_it() {
    chapter_holds(2);
}

#[test]
fn chapter_3_holds() {
    chapter_holds(3);
}

#[test]
fn chapter_4_holds() {
    chapter_holds(4);
}

#[test]
fn chapter_5_holds() {
    chapter_holds(5);
}

#[test]
fn chapter_6_holds() {
    chapter_holds(6);
}

#[cfg(target_os = "linux")]
#[test]
fn chapter_7_holds() {
    chapter_holds(7);
}

/// A first chapter 2 server, the way Python tutorials write one: one `recv(1024)`, a fixed
/// answer with no `Content-Length` nor `Content-Type`, then close.
const TUTORIAL_SERVER: &str = r#"import socket, sys

port = int(sys.argv[sys.argv.index("--port") + 1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(5)
while True:
    conn, addr = server.accept()
    request = conn.recv(1024)
    conn.sendall(b"HTTP/1.1 200 OK\r\n\r\nHello, World!")
    conn.close()
"#;

fn python3_runs() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn a_tutorial_python_server_is_told_what_to_fix() {
    if !python3_runs() {
        eprintln!("skipped: python3 is not installed, so the tutorial server cannot run");
        return;
    }
    let folder = TempFolder::new("check-python");
    let script = folder.path().join("server.py");
    std::fs::write(&script, TUTORIAL_SERVER).expect("write the server");
    let command = format!("python3 {} --port {{port}}", script.display());
    let output = run_check(&["--chapter", "2", "--run", &command, "--timeout", TIMEOUT]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    // Each of these fails whatever the timing: the answer never has a Content-Length, and a
    // request sent a byte at a time is answered after its first read, which the checker sees
    // (an answer, or the close) before it sends the last byte, or as the answer without a
    // Content-Length if the server's one read came late.
    for said in [
        // What is wrong, in the student's terms, and where the book explains it.
        "FAIL  [ch2] GET / gets a 200 with a Content-Type and a Content-Length that matches its body",
        "the answer has no Content-Length: without it a client can only read to the close",
        "expected: Content-Length: 13",
        "read BOOK.md, \"Chapter 2 — HTTP is text over TCP\" › \"Answering\"",
        // The bytes, with the line ends visible and a caret where the field should have been.
        "got:      HTTP/1.1 200 OK\\r\\n\n                \\r\\n\n                ^\n",
        "sent:     GET / HTTP/1.1\\r\\n",
        // The same mistake in the next check is told in a line, not again in full.
        "FAIL  [ch2] GET /hello says Hello, World! in text/plain; charset=utf-8\n      problem:  \
         same problem as «GET / gets a 200 with a Content-Type and a Content-Length that matches \
         its body»: the answer has no Content-Length field",
        // The one recv(1024) of a 3 KiB head: the rest is unread when the server closes.
        "FAIL  [ch2] a head longer than 1024 bytes is read whole before the answer",
        "one recv(1024), or one read of 1024 bytes, takes a third of it",
        "read BOOK.md, \"Chapter 2 — HTTP is text over TCP\" › \"Reading a whole head\"",
        "FAIL  [ch2] a request sent one byte at a time is answered as if sent whole",
        "the answer has no Connection field",
        "FAIL  [ch2] what is not HTTP still gets a whole answer, and the next client is served",
        "FAIL  [ch2] the connection closes after each answer and says Connection: close",
        "FAIL  [ch2] [hostile] a head over the size limit gets 431",
    ] {
        assert!(text.contains(said), "no {said:?} in:\n{text}");
    }
    let (checks, _) = check_counts(2);
    let summary = text.lines().last().unwrap_or_default();
    assert_eq!(summary, format!("0 passed, {checks} failed"), "{text}");
}

#[test]
fn the_server_started_with_run_is_stopped_after() {
    if !python3_runs() {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let folder = TempFolder::new("check-python-stop");
    let script = folder.path().join("server.py");
    std::fs::write(&script, TUTORIAL_SERVER).expect("write the server");
    // Through a shell line that starts python as a child, which the stop must reach too.
    let command = format!("true && python3 {} --port {{port}}", script.display());
    let output = run_check(&["--chapter", "2", "--run", &command, "--json"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = json::parse(stdout.trim()).expect("JSON");
    // It was there to be stopped: the first check's failure shows the answer it gave.
    let first = match report.get("checks") {
        Some(Value::Array(checks)) => checks.first().cloned(),
        _ => None,
    };
    let got = first
        .as_ref()
        .and_then(|check| check.get("got"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(got.starts_with("HTTP/1.1 200 OK"), "{stdout}");
    let server = report.get("server").and_then(Value::as_str).unwrap_or("");
    let addr: SocketAddr = server.parse().expect("the report names the server");
    assert!(
        TcpStream::connect(addr).is_err(),
        "the server at {addr} still accepts after the checker finished"
    );
}

/// A server that holds every connection without a word, and keeps a FIFO open for writing for
/// as long as it lives: its reader sees the end of it when the server is gone.
const HOLDS_AND_SIGNALS: &str = r#"import socket, sys

port = int(sys.argv[sys.argv.index("--port") + 1])
alive = open(sys.argv[sys.argv.index("--fifo") + 1], "w")
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(5)
held = []
while True:
    conn, addr = server.accept()
    held.append(conn)
"#;

/// The checker killed mid-run (as Ctrl-C or a closed terminal would) does not leave the server
/// it started running: the wrapper it runs the command under sees its lifeline end.
#[cfg(unix)]
#[test]
fn a_killed_checker_leaves_no_server_behind() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;

    let folder = TempFolder::new("check-python-killed");
    let Some(command) = python_server(&folder, HOLDS_AND_SIGNALS) else {
        return;
    };
    let fifo = folder.path().join("alive");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        eprintln!("skipped: mkfifo did not make a FIFO");
        return;
    }
    let command = format!("{command} --fifo {}", fifo.display());
    let mut checker = Command::new(CHECK)
        .args(["--chapter", "2", "--timeout", "60", "--run", &command])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the checker");
    // Opened once the server opens it for writing: the server is running.
    let mut alive = std::fs::File::open(&fifo).expect("open the FIFO");
    // The checker's first line comes once the server accepts: the checks are running.
    let mut first = String::new();
    let stdout = checker.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("the first line");
    assert!(first.starts_with("chapter 2 at"), "{first}");
    checker.kill().expect("kill the checker");
    let _ = checker.wait();
    // The end of the FIFO: no process holds it open any more, so the server has exited. A
    // bound, so that a server left running fails the test rather than hangs it.
    let (done, ended) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut rest = Vec::new();
        let _ = done.send(alive.read_to_end(&mut rest).is_ok());
    });
    let ended = ended.recv_timeout(std::time::Duration::from_secs(30));
    assert_eq!(
        ended,
        Ok(true),
        "the server outlived the checker that started it"
    );
}

#[test]
fn a_server_that_exits_at_once_is_reported_with_what_it_printed() {
    let output = run_check(&[
        "--chapter",
        "2",
        "--run",
        "echo cannot bind port {port} >&2; exit 3",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("the server exited"), "{text}");
    assert!(text.contains("cannot bind port"), "{text}");
    let (checks, _) = check_counts(2);
    assert!(
        text.contains(&format!("0 passed, {checks} failed")),
        "{text}"
    );
}

/// A listener that never accepts: the kernel completes each connection, and no answer ever
/// comes. Every check must end at its deadline, saying so.
#[test]
fn a_server_that_never_answers_is_reported_not_waited_for() {
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = silent.local_addr().expect("an address").to_string();
    let output = run_check(&[
        "--chapter",
        "2",
        "--addr",
        &addr,
        "--timeout",
        "0.5",
        "--no-hostile",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("no answer within 0.5 s"), "{text}");
    assert!(text.contains("skip  [ch2] [hostile]"), "{text}");
    let (checks, hostile) = check_counts(2);
    let summary = format!(
        "0 passed, {} failed, {hostile} skipped (--no-hostile)",
        checks - hostile
    );
    assert!(text.contains(&summary), "{text}");
}

/// A chapter 2 server that does all the chapter asks, in ways the RFCs allow and a hasty checker
/// would refuse: a `103 Early Hints` before each answer, `Connection: Close` with a capital,
/// `text/plain;charset=UTF-8` without a space and with the charset in capitals.
const A_LAWFUL_ODD_SERVER: &str = r#"import socket, sys

port = int(sys.argv[sys.argv.index("--port") + 1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(5)

def answer(status, kind, body):
    return (b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
            + b"HTTP/1.1 " + status + b"\r\nContent-Type: " + kind
            + b"\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\nConnection: Close\r\n\r\n" + body)

while True:
    conn, addr = server.accept()
    conn.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) <= 8192:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        if b"\r\n\r\n" not in data and len(data) <= 8192:
            conn.close()
            continue
        parts = data.split(b"\r\n", 1)[0].split(b" ")
        if len(data.split(b"\r\n\r\n")[0]) > 8192:
            reply = answer(b"431 Request Header Fields Too Large", b"text/plain", b"too large")
        elif len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            reply = answer(b"400 Bad Request", b"text/plain", b"not HTTP")
        elif parts[1] == b"/hello":
            reply = answer(b"200 OK", b"text/plain;charset=UTF-8", b"Hello, World!")
        else:
            reply = answer(b"200 OK", b"text/html", b"<a href=\"/hello\">hello</a>")
        conn.sendall(reply)
        # A lingering close: what the client still sends is read, so the close is no reset.
        conn.shutdown(socket.SHUT_WR)
        while conn.recv(65536):
            pass
    except OSError:
        pass
    conn.close()
"#;

#[test]
fn interim_answers_and_lawful_spellings_pass() {
    let folder = TempFolder::new("check-python-lawful");
    let Some(command) = python_server(&folder, A_LAWFUL_ODD_SERVER) else {
        return;
    };
    let output = run_check(&["--chapter", "2", "--run", &command, "--timeout", TIMEOUT]);
    let text = String::from_utf8_lossy(&output.stdout);
    let (checks, _) = check_counts(2);
    assert!(
        text.ends_with(&format!("{checks} passed, 0 failed\n")),
        "{text}"
    );
    assert_eq!(output.status.code(), Some(0), "{text}");
}

/// A server that answers its first request well, then dies on the second.
const DIES_ON_THE_SECOND_REQUEST: &str = r#"import socket, sys

port = int(sys.argv[sys.argv.index("--port") + 1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(5)
answered = 0
while True:
    conn, addr = server.accept()
    request = conn.recv(65536)
    if not request:
        conn.close()
        continue
    if answered == 1:
        print("boom: the second request killed me", flush=True)
        sys.exit(3)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
                 b"Connection: close\r\n\r\nok")
    conn.close()
    answered += 1
"#;

#[test]
fn a_server_that_dies_mid_run_is_reported_and_the_rest_not_run() {
    let folder = TempFolder::new("check-python-dies");
    let Some(command) = python_server(&folder, DIES_ON_THE_SECOND_REQUEST) else {
        return;
    };
    let output = run_check(&["--chapter", "2", "--run", &command, "--timeout", TIMEOUT]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    // The second check is where it died: said, with what it printed last.
    assert!(
        text.contains(
            "the server exited (exit status 3) during «GET /hello says Hello, World! in \
             text/plain; charset=utf-8»"
        ),
        "{text}"
    );
    assert!(
        text.contains("boom: the second request killed me"),
        "{text}"
    );
    let (checks, _) = check_counts(2);
    let not_run = text.matches("not run: the server is not running").count();
    assert_eq!(not_run, checks - 2, "{text}");
    assert!(
        text.ends_with(&format!("1 passed, {} failed\n", checks - 1)),
        "{text}"
    );
}

#[test]
fn nothing_listening_at_addr_is_one_error_not_a_failure_per_check() {
    // A port that was free a moment ago, and is let go: nothing listens there.
    let addr = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .to_string();
    let output = run_check(&["--chapter", "2", "--addr", &addr]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("nothing accepted connections at --addr"),
        "{text}"
    );
    assert!(!text.contains("FAIL"), "{text}");
    assert!(!text.contains("cannot connect"), "{text}");
}

/// `localhost` may resolve to `[::1]` first, where a server listening on 127.0.0.1 is not: every
/// address it resolves to is tried.
#[test]
fn addr_tries_every_address_a_name_resolves_to() {
    let echo = start(1);
    let port = echo.server.addr().port().to_string();
    let output = run_check(&["--chapter", "1", "--addr", &format!("localhost:{port}")]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("at 127.0.0.1:"), "{text}");
}

/// Chapter 4 brings back chapter 2's `/hello`, which chapter 3 left out: listed as such.
#[test]
fn a_check_that_comes_back_says_so() {
    let output = run_check(&["--chapter", "4", "--list"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(
            "back: from chapter 2, left out of chapter 3, back in chapter 4 GET /hello says \
             Hello, World!"
        ),
        "{text}"
    );
}

#[test]
fn help_and_mistakes_on_the_command_line() {
    let help = run_check(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--chapter N --addr HOST:PORT"), "{text}");
    let wrong = run_check(&["--chapter", "8", "--addr", "127.0.0.1:1"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("1 to 7"));
}
