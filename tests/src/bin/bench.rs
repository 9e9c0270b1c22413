//! Load on the chapters' servers, measured with `wrk`:
//! `cargo run --release -q -p tests --bin bench` (add `-- --seconds N` for longer rows, and
//! `--peers` to load tiny_http the same way, in the same run).
//!
//! It builds chapter 5's and chapter 6's binaries in release mode, starts each on a free port
//! with its guestbook in a temporary folder and no rate limit, and loads `GET /hello`:
//!
//! - chapter 6 (`stage06_threads`, 8 workers and a queue of 64, its defaults) with keep-alive at
//!   1, 16, 64 and 256 connections, and with one request per connection (`Connection: close`) at
//!   1, 16 and 64;
//! - chapter 5 (`stage05_framework`, one connection at a time) with one request per connection at
//!   1, 16 and 64, the figures chapter 6 is judged against.
//!
//! Each row prints requests per second, the median and 99th-percentile latency, the server's CPU
//! time per request (from `/proc`, so on Linux only), the answers that were not 2xx (chapter 6
//! answers 503 when its queue is full) and wrk's socket errors. Then what is seen halfway through
//! the load: the server's threads; how many of wrk's kept-alive connections were answered within
//! half a second (from `ss`), since wrk times only the requests that were answered and a server
//! with fewer threads than connections may answer only some; and what a newcomer got: one more
//! request, on a connection of its own.
//!
//! Then chapter 6's memory per idle keep-alive connection (its resident memory before and after
//! opening them), and a flood of 10,000 connections at once: how many got 200, 503 or nothing, and
//! whether the server still answers afterwards.
//!
//! With `--peers` it also builds `tests/peers` (a Cargo project of its own, outside the workspace,
//! which needs crates.io the first time) and loads its tiny_http server: keep-alive at 64
//! connections, against chapter 6 with as many workers as connections (tiny_http has a thread per
//! connection) and against `stage06_threads/examples/hello_pool` (the same pool with one route and
//! no middleware, as bare as tiny_http's hello), and one request per connection as above.
//!
//! It is a benchmark, not a test: the figures depend on the machine and what else runs on it, so
//! compare them within one run. `wrk` is a standard HTTP load generator: `apt-get install wrk` on
//! Debian and Ubuntu, `brew install wrk` on macOS.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tests::binary::address_in;
use tests::folder::TempFolder;
use tests::raw::ResponseReader;

const KEEP_ALIVE_LOADS: [u32; 4] = [1, 16, 64, 256];
const CLOSE_LOADS: [u32; 3] = [1, 16, 64];
/// The load at which chapter 6 is compared with tiny_http, kept alive.
const PEER_LOAD: u32 = 64;
const PEER_ROW: (Mode, &[u32]) = (Mode::KeepAlive, &[PEER_LOAD]);
/// Chapter 6's own defaults, passed explicitly so that the labels say what ran.
const WORKERS: usize = 8;
const QUEUE: usize = 64;
/// Idle connections for the memory figure. Each has a worker of its own (the server runs with
/// this many workers), since chapter 6 closes idle connections when others wait for a worker.
const IDLE_CONNECTIONS: usize = 64;
const FLOOD: usize = 10_000;
/// The flood's client needs a file descriptor per connection, and a few for itself.
const FLOOD_FD_LIMIT: usize = FLOOD * 2;
/// How long the flood may take to connect, and then to read every answer: it never hangs.
const FLOOD_CONNECTING: Duration = Duration::from_secs(60);
const FLOOD_READING: Duration = Duration::from_secs(10);
/// Clients connecting at once (a divisor of [`FLOOD`]): when the server's accept queue is full
/// (std listens with a backlog of 128), the kernel drops a handshake and the client's kernel
/// tries again a second later; meanwhile the other connectors go on.
const FLOOD_CONNECTORS: usize = 50;
/// Long enough for two such retries, after 1 s and 3 s.
const FLOOD_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

const KEEP_ALIVE_REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n";
const CLOSE_REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";

/// One server to start: a name for the tables, its binary, its arguments.
struct Subject {
    name: String,
    binary: PathBuf,
    args: Vec<String>,
}

/// How wrk uses its connections.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    KeepAlive,
    Close,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| args.iter().skip_while(|a| *a != flag).nth(1).cloned();
    // The flood's client, run in a child process whose file descriptor limit could be raised.
    if let Some(addr) = value_of("--flood-client") {
        return flood_client(&addr);
    }
    let seconds: u32 = value_of("--seconds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let peers = args.iter().any(|a| a == "--peers");
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("bench: wrk is not installed (apt-get install wrk, or brew install wrk)");
        return ExitCode::from(2);
    }
    match run(seconds, peers) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the servers, then prints the load table, the memory figure and the flood.
fn run(seconds: u32, peers: bool) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    cargo_build(&root, &["-p", "stage05_framework", "-p", "stage06_threads"])?;
    cargo_build(&root, &["-p", "stage06_threads", "--example", "hello_pool"])?;
    let release = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("release");
    let binaries = TempFolder::new("bench-binaries");
    let data = TempFolder::new("bench-guestbook");
    let stage05 = copy_out(&release.join("stage05_framework"), &binaries)?;
    let stage05 = chapter_5(&stage05, data.path());
    let binary = copy_out(&release.join("stage06_threads"), &binaries)?;
    let stage06 = |workers| chapter_6(&binary, data.path(), workers);
    let hello_pool = copy_out(&release.join("examples").join("hello_pool"), &binaries)?;
    let tiny_http = if peers {
        // tests/peers needs crates.io the first time.
        let manifest = root.join("tests").join("peers").join("Cargo.toml");
        cargo_build(&root, &["--manifest-path", &manifest.to_string_lossy()])?;
        let binary = root.join("tests/peers/target/release/tiny_http_hello");
        Some(Subject {
            name: "tiny_http 0.12".into(),
            binary: copy_out(&binary, &binaries)?,
            args: Vec::new(),
        })
    } else {
        None
    };
    print_table_head(seconds);
    let loads = [
        (Mode::KeepAlive, &KEEP_ALIVE_LOADS[..]),
        (Mode::Close, &CLOSE_LOADS[..]),
    ];
    let default = load_rows(&stage06(WORKERS), &loads, seconds)?;
    load_rows(&stage05, &[(Mode::Close, &CLOSE_LOADS)], seconds)?;
    if let Some(tiny_http) = &tiny_http {
        // One right after the other, to be compared: a thread for each connection in both.
        let ours = load_rows(&stage06(PEER_LOAD as usize), &[PEER_ROW], seconds)?;
        let bare = Subject {
            name: format!("hello_pool, {PEER_LOAD} workers"),
            binary: hello_pool.clone(),
            args: vec!["--workers".into(), PEER_LOAD.to_string()],
        };
        let bare = load_rows(&bare, &[PEER_ROW], seconds)?;
        let theirs = load_rows(tiny_http, &[PEER_ROW, (Mode::Close, &CLOSE_LOADS)], seconds)?;
        print_ratio(&ours, &default, &theirs);
        print_bare_ratio(&bare, &theirs);
    }
    println!();
    idle_memory(&stage06(IDLE_CONNECTIONS))?;
    println!();
    flood(&stage06(WORKERS))
}

fn cargo_build(root: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "--release", "-q"])
        .args(args)
        .current_dir(root)
        .status()
        .is_ok_and(|s| s.success());
    built
        .then_some(())
        .ok_or_else(|| format!("cargo build --release {} failed", args.join(" ")))
}

/// A copy of `binary` in `folder`: someone may build again in `target/` while the benchmark
/// runs, and every row should load what was built at its start.
fn copy_out(binary: &Path, folder: &TempFolder) -> Result<PathBuf, String> {
    let name = binary.file_name().ok_or("a binary without a name")?;
    let copy = folder.path().join(name);
    std::fs::copy(binary, &copy).map_err(|e| format!("cannot copy {}: {e}", binary.display()))?;
    Ok(copy)
}

/// Chapter 5's server, its rate limit out of the way: every request comes from 127.0.0.1.
fn chapter_5(binary: &Path, data: &Path) -> Subject {
    let mut args = vec!["--data".into(), data.to_string_lossy().into_owned()];
    args.extend(["--rate-limit".into(), u32::MAX.to_string()]);
    Subject {
        name: "stage05".into(),
        binary: binary.into(),
        args,
    }
}

/// Chapter 6's server with `workers` workers and its default queue, its rate limit (chapter
/// 5's) out of the way too.
fn chapter_6(binary: &Path, data: &Path, workers: usize) -> Subject {
    let mut args = vec!["--data".into(), data.to_string_lossy().into_owned()];
    args.extend(["--rate-limit".into(), u32::MAX.to_string()]);
    args.extend(["--workers".into(), workers.to_string()]);
    args.extend(["--queue".into(), QUEUE.to_string()]);
    Subject {
        name: format!("stage06, {workers} workers"),
        binary: binary.into(),
        args,
    }
}

/// A server started for some rows, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts `subject` and reads the address from its first line.
    fn start(subject: &Subject) -> Result<Server, String> {
        let cannot = |e: &dyn std::fmt::Display| format!("cannot start {}: {e}", subject.name);
        let mut child = Command::new(&subject.binary)
            .args(&subject.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null()) // the access log: a line per request
            .spawn()
            .map_err(|e| cannot(&e))?;
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut first = String::new();
        let read = stdout.read_line(&mut first);
        // It may print more after the address: read on, or it would write into a closed pipe.
        thread::spawn(move || io::copy(&mut stdout, &mut io::sink()));
        let Some(addr) = read.ok().and_then(|_| address_in(first.trim())) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(cannot(&format!("no address in its first line {first:?}")));
        };
        Ok(Server { child, addr })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn print_table_head(seconds: u32) {
    println!(
        "GET /hello, {seconds} s per row, wrk -t2 (-t1 at 1 connection), release builds. Halfway \
         through each row: the server's threads;"
    );
    println!(
        "answered: how many of wrk's kept-alive connections got an answer within half a second \
         (wrk times only those);"
    );
    println!(
        "a newcomer: one more GET /hello on a connection of its own. CPU per request counts \
         every answer, 503s too;"
    );
    println!("socket errors are connect/read/write/timeout, as wrk counts them.");
    println!(
        "{:<22}  {:<10}  {:>5}  {:>10}  {:>11}  {:>11}  {:>11}  {:>7}  {:>13}  {:>7}  {:>8}  \
         a newcomer",
        "server",
        "mode",
        "conns",
        "requests/s",
        "p50 latency",
        "p99 latency",
        "CPU/request",
        "non-2xx",
        "socket errors",
        "threads",
        "answered"
    );
}

/// A row of the table, and the load it was measured under.
struct Measured {
    mode: Mode,
    connections: u32,
    row: Row,
}

/// Starts `subject` once and prints a row for each load as it is measured.
fn load_rows(
    subject: &Subject,
    loads: &[(Mode, &[u32])],
    seconds: u32,
) -> Result<Vec<Measured>, String> {
    let server = Server::start(subject)?;
    let mut rows = Vec::new();
    for &(mode, loads) in loads {
        for &connections in loads {
            let row = measure(&server, mode, connections, seconds).ok_or_else(|| {
                let name = &subject.name;
                format!("wrk failed against {name} at {connections} connections")
            })?;
            print_row(&subject.name, mode, connections, &row);
            rows.push(Measured {
                mode,
                connections,
                row,
            });
        }
    }
    Ok(rows)
}

/// What one row shows.
struct Row {
    run: Run,
    cpu_per_request: Option<Duration>,
    halfway: Halfway,
}

/// What is seen halfway through a load, besides wrk's figures.
struct Halfway {
    /// The server's threads: tiny_http's grow with its connections.
    threads: Option<u64>,
    /// Of wrk's keep-alive connections open throughout half a second, how many were answered
    /// during it, and how many there were: wrk's figures are those of the answered ones only.
    answered: Option<(usize, usize)>,
    /// What one more client, on a connection of its own, got.
    newcomer: Newcomer,
}

/// One wrk run, with the server's CPU time around it and a look at it halfway through.
fn measure(server: &Server, mode: Mode, connections: u32, seconds: u32) -> Option<Row> {
    let pid = server.pid();
    let addr = server.addr;
    let halfway = Duration::from_secs(seconds.into()) / 2;
    let look = thread::spawn(move || {
        thread::sleep(halfway);
        let threads = proc_status(pid, "Threads:");
        // A connection per request changes every time: only kept-alive ones can be followed.
        let answered = match mode {
            Mode::KeepAlive => answered_connections(addr.port()),
            Mode::Close => None,
        };
        // It may wait for the whole rest of the load, and a little after.
        let newcomer = newcomer(addr, halfway + Duration::from_secs(5));
        Halfway {
            threads,
            answered,
            newcomer,
        }
    });
    let before = cpu_time(pid);
    let run = wrk(&format!("http://{addr}/hello"), mode, connections, seconds);
    let after = cpu_time(pid);
    let halfway = look.join().expect("the look halfway does not panic");
    let run = run?;
    let cpu_per_request = match (before, after) {
        (Some(b), Some(a)) if run.requests > 0 => {
            Some(a.saturating_sub(b).div_f64(run.requests as f64))
        }
        _ => None,
    };
    Some(Row {
        run,
        cpu_per_request,
        halfway,
    })
}

fn print_row(name: &str, mode: Mode, connections: u32, row: &Row) {
    let mode = match mode {
        Mode::KeepAlive => "keep-alive",
        Mode::Close => "close",
    };
    let cpu = row
        .cpu_per_request
        .map_or("n/a".into(), |t| format!("{:.1} µs", t.as_secs_f64() * 1e6));
    let Halfway {
        threads,
        answered,
        newcomer,
    } = &row.halfway;
    let threads = threads.map_or("n/a".into(), |n| n.to_string());
    let answered = answered.map_or("-".into(), |(answered, of)| format!("{answered}/{of}"));
    let run = &row.run;
    let [c, r, w, t] = run.socket_errors;
    println!(
        "{name:<22}  {mode:<10}  {connections:>5}  {:>10.0}  {:>11}  {:>11}  {cpu:>11}  \
         {:>7}  {:>13}  {threads:>7}  {answered:>8}  {newcomer}",
        run.per_second,
        run.p50,
        run.p99,
        run.non_2xx,
        format!("{c}/{r}/{w}/{t}"),
    );
}

/// Of wrk's connections to `port` open throughout half a second, how many received something
/// during it, and how many there were; `None` without `ss`.
fn answered_connections(port: u16) -> Option<(usize, usize)> {
    let before = received_by_connection(port)?;
    thread::sleep(Duration::from_millis(500));
    let after = received_by_connection(port)?;
    let grew: Vec<bool> = before
        .iter()
        .filter_map(|(connection, bytes)| Some(after.get(connection)? > bytes))
        .collect();
    Some((grew.iter().filter(|g| **g).count(), grew.len()))
}

/// The bytes each client connection to `port` has received, by the client's own port, as `ss`
/// (Linux's socket statistics) reports them: a line for each connection, then an indented line
/// of figures with `bytes_received:N` (left out while it is 0).
fn received_by_connection(port: u16) -> Option<HashMap<u16, u64>> {
    let filter = format!("( dport = :{port} )");
    let output = Command::new("ss").args(["-tniH", &filter]).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let mut received = HashMap::new();
    let mut connection = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if !line.starts_with(char::is_whitespace) {
            // "ESTAB 0 0 127.0.0.1:33314 127.0.0.1:34559": the client's address is the 4th.
            let local = line
                .split_whitespace()
                .nth(3)
                .and_then(|a| a.rsplit(':').next());
            connection = local.and_then(|p| p.parse().ok());
            received.extend(connection.map(|c| (c, 0)));
        } else if let Some(connection) = connection {
            let bytes = line
                .split_whitespace()
                .find_map(|figure| figure.strip_prefix("bytes_received:"))
                .and_then(|n| n.parse().ok());
            received.insert(connection, bytes.unwrap_or(0));
        }
    }
    Some(received)
}

/// The row measured at [`PEER_ROW`]'s load.
fn at_peer_load(rows: &[Measured]) -> Option<&Row> {
    let row = rows
        .iter()
        .find(|m| m.mode == PEER_ROW.0 && m.connections == PEER_LOAD)?;
    Some(&row.row)
}

/// Chapter 6's requests per second over tiny_http's at [`PEER_LOAD`] keep-alive connections,
/// with a worker per connection and with its default workers.
fn print_ratio(fair: &[Measured], default: &[Measured], tiny_http: &[Measured]) {
    let (Some(fair), Some(default), Some(tiny_http)) = (
        at_peer_load(fair),
        at_peer_load(default),
        at_peer_load(tiny_http),
    ) else {
        return;
    };
    let ratio = |ours: &Row| ours.run.per_second / tiny_http.run.per_second;
    let threads = tiny_http
        .halfway
        .threads
        .map_or("n/a".into(), |n| n.to_string());
    let answered = |row: &Row| {
        let answered = row.halfway.answered;
        answered.map_or("n/a".into(), |(answered, of)| format!("{answered}/{of}"))
    };
    println!();
    println!(
        "stage06 ÷ tiny_http at {PEER_LOAD} keep-alive connections: {:.2}× (the target: 1.5× \
         or more), with stage06 on {PEER_LOAD} workers,",
        ratio(fair)
    );
    println!(
        "  a thread for each connection as tiny_http has (its threads halfway through: \
         {threads})."
    );
    println!(
        "  Connections answered halfway through: stage06 {}, tiny_http {}; wrk's figures count \
         only those.",
        answered(fair),
        answered(tiny_http)
    );
    println!(
        "  With its default {WORKERS} workers stage06 made {:.2}×, answering {}: wrk never \
         leaves a connection idle, so those",
        ratio(default),
        answered(default)
    );
    println!("  that have a worker keep it for a turn (1 s) while the others wait in the queue.");
}

/// The same ratio for chapter 6's pool with a one-route application and no middleware, which is
/// what tiny_http's hello server does per request.
fn print_bare_ratio(bare: &[Measured], tiny_http: &[Measured]) {
    let (Some(bare), Some(tiny_http)) = (at_peer_load(bare), at_peer_load(tiny_http)) else {
        return;
    };
    println!(
        "hello_pool ÷ tiny_http at {PEER_LOAD} keep-alive connections: {:.2}×: chapter 6's pool \
         and chapter 5's connection",
        bare.run.per_second / tiny_http.run.per_second
    );
    println!(
        "  with one route and no middleware (no access log, no rate limit), as bare as \
         tiny_http's hello."
    );
}

struct Run {
    per_second: f64,
    requests: u64,
    p50: String,
    p99: String,
    non_2xx: u64,
    /// connect, read, write, timeout, as wrk counts them.
    socket_errors: [u64; 4],
}

/// One wrk run, read from its report. wrk's threads are fixed at 2 (1 at 1 connection, as wrk
/// wants a connection per thread at least), for every server alike.
fn wrk(url: &str, mode: Mode, connections: u32, seconds: u32) -> Option<Run> {
    let threads = connections.min(2).to_string();
    let mut command = Command::new("wrk");
    command
        .args(["-t", &threads, "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s"), "--latency"]);
    if let Mode::Close = mode {
        command.args(["-H", "Connection: close"]);
    }
    let output = command.arg(url).output().ok()?;
    parse_wrk(&String::from_utf8_lossy(&output.stdout))
}

/// The figures in a report of wrk's. The lines of errors are there only when some happened.
fn parse_wrk(report: &str) -> Option<Run> {
    let field = |prefix: &str| {
        report
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix).map(str::trim))
    };
    let requests = report
        .lines()
        .find_map(|line| line.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())?;
    let non_2xx = field("Non-2xx or 3xx responses:").map_or(Some(0), |n| n.parse().ok())?;
    // "Socket errors: connect 0, read 3, write 0, timeout 12"
    let mut socket_errors = [0; 4];
    if let Some(errors) = field("Socket errors:") {
        for (count, part) in socket_errors.iter_mut().zip(errors.split(',')) {
            *count = part.split_whitespace().nth(1)?.parse().ok()?;
        }
    }
    Some(Run {
        per_second: field("Requests/sec:")?.parse().ok()?,
        requests,
        p50: field("50%")?.to_string(),
        p99: field("99%")?.to_string(),
        non_2xx,
        socket_errors,
    })
}

/// What a newcomer got: an answer's status and how long it took, or the error.
struct Newcomer(Duration, io::Result<u16>);

impl std::fmt::Display for Newcomer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Newcomer(waited, answer) = self;
        let waited = if *waited < Duration::from_secs(1) {
            format!("{:.1} ms", waited.as_secs_f64() * 1e3)
        } else {
            format!("{:.1} s", waited.as_secs_f64())
        };
        match answer {
            Ok(status) => write!(f, "{status} after {waited}"),
            Err(e) => write!(f, "no answer after {waited}: {}", failure(e)),
        }
    }
}

/// A fresh client asks `GET /hello` once, on a connection of its own, and waits at most `within`.
fn newcomer(addr: SocketAddr, within: Duration) -> Newcomer {
    let start = Instant::now();
    let answer = TcpStream::connect_timeout(&addr, within).and_then(|mut stream| {
        stream.write_all(CLOSE_REQUEST)?;
        status_of_answer(&stream, start + within)
    });
    Newcomer(start.elapsed(), answer)
}

/// The status code of the answer arriving on `stream`: only its first line is read, and no read
/// waits past `deadline`.
fn status_of_answer(mut stream: &TcpStream, deadline: Instant) -> io::Result<u16> {
    let mut head = Vec::new();
    let mut chunk = [0; 1024];
    while !head.contains(&b'\n') {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut chunk) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // "HTTP/1.1 200 OK"
    let line = String::from_utf8_lossy(&head);
    let code = line.split(' ').nth(1).and_then(|code| code.parse().ok());
    code.ok_or_else(|| io::Error::other("an answer that is not HTTP"))
}

/// How a request failed, in the words of the tables.
fn failure(e: &io::Error) -> &'static str {
    match e.kind() {
        _ if timed_out(e) => "timed out",
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => "closed",
        io::ErrorKind::ConnectionRefused => "refused",
        _ => "failed",
    }
}

/// Whether a read ran out of time: the kind a read timeout gives differs between platforms.
fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Opens idle keep-alive connections, each after one request, and prints what they cost in the
/// server's resident memory.
fn idle_memory(subject: &Subject) -> Result<(), String> {
    let server = Server::start(subject)?;
    // A first request, so that what the server allocates once (not per connection) is counted
    // before.
    let _ = newcomer(server.addr, Duration::from_secs(5));
    let before = proc_status(server.pid(), "VmRSS:");
    let mut idle = Vec::new();
    for _ in 0..IDLE_CONNECTIONS {
        let mut connection = ResponseReader::connect(server.addr);
        connection.send(KEEP_ALIVE_REQUEST);
        let status = connection.next_response(false).status;
        if status != 200 {
            return Err(format!("an idle connection's request got {status}"));
        }
        idle.push(connection);
    }
    let after = proc_status(server.pid(), "VmRSS:");
    let open = idle
        .iter_mut()
        .map(|c| is_open(c.stream()))
        .filter(|open| *open)
        .count();
    let (Some(before), Some(after)) = (before, after) else {
        return Err("cannot read VmRSS in /proc (Linux only)".into());
    };
    let per_connection = (after as f64 - before as f64) * 1024.0 / IDLE_CONNECTIONS as f64;
    println!(
        "Memory per idle keep-alive connection, {}: {IDLE_CONNECTIONS} connections that each \
         made one request ({open} still open at the end)",
        subject.name
    );
    println!(
        "  VmRSS {before} kB before, {after} kB after: {:.1} kB per connection",
        per_connection / 1024.0
    );
    println!(
        "  It counts what each connection's worker touched for the first time: its 8 KiB read \
         buffer and the connection's"
    );
    println!(
        "  state, the pages of the worker's stack it used, its share of the allocator's memory. \
         A worker's stack (2 MiB)"
    );
    println!(
        "  is reserved when the pool starts, per worker, not per connection, and only pages \
         touched count in RSS; the"
    );
    println!(
        "  kernel's socket buffers are not counted. One worker per connection here: with fewer, \
         chapter 6 closes idle"
    );
    println!("  connections after 100 ms when others wait for a worker.");
    Ok(())
}

/// Whether the server has kept `stream` open: nothing to read, and no end of stream.
fn is_open(stream: &TcpStream) -> bool {
    let _ = stream.set_nonblocking(true);
    let peeked = stream.peek(&mut [0]);
    let _ = stream.set_nonblocking(false);
    matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}

/// Floods a fresh chapter 6 server with connections from a child process, then checks that the
/// server still runs and answers.
fn flood(subject: &Subject) -> Result<(), String> {
    let mut server = Server::start(subject)?;
    println!(
        "Flood: {FLOOD} connections to {}, queue {QUEUE}, all open at once, one keep-alive \
         GET /hello on each",
        subject.name
    );
    // std cannot raise the file descriptor limit, but a shell's `ulimit` can, for the shell and
    // what it runs: this same binary, told to be the flood's client. Where the hard limit is
    // lower, it takes the hard limit, and the client says how far it got.
    let raise = format!(
        "ulimit -n {FLOOD_FD_LIMIT} 2>/dev/null || ulimit -n \"$(ulimit -H -n)\" 2>/dev/null; \
         exec \"$0\" \"$@\""
    );
    let this = std::env::current_exe().map_err(|e| format!("where is this binary? {e}"))?;
    let client = Command::new("sh")
        .args(["-c", &raise])
        .arg(this)
        .args(["--flood-client", &server.addr.to_string()])
        .status();
    if !client.is_ok_and(|s| s.success()) {
        return Err("the flood's client failed".into());
    }
    let alive = server.is_running();
    let fresh = newcomer(server.addr, Duration::from_secs(10));
    println!(
        "  afterwards: the server is {}, and a fresh GET /hello got {fresh}",
        if alive { "still running" } else { "gone" }
    );
    Ok(())
}

/// What the flood's connections got.
#[derive(Default)]
struct Tally {
    ok: usize,
    busy: usize,
    other: usize,
    closed: usize,
    timed_out: usize,
}

/// The flood's client: opens up to [`FLOOD`] connections to `addr`, each sending its request at
/// once, holds them all, then reads the first line of every answer.
fn flood_client(addr: &str) -> ExitCode {
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        eprintln!("bench: --flood-client wants an address, not {addr:?}");
        return ExitCode::from(2);
    };
    let limit = fd_limit().map_or("unknown".into(), |n| n.to_string());
    let start = Instant::now();
    let opened = open_all(addr, start + FLOOD_CONNECTING);
    let connecting = start.elapsed();
    let mut tally = Tally::default();
    let reading = Instant::now() + FLOOD_READING;
    for stream in opened.iter().flat_map(|o| &o.streams) {
        match status_of_answer(stream, reading) {
            Ok(200) => tally.ok += 1,
            Ok(503) => tally.busy += 1,
            Ok(_) => tally.other += 1,
            Err(e) if timed_out(&e) => tally.timed_out += 1,
            Err(_) => tally.closed += 1,
        }
    }
    let sum = |count: fn(&Opened) -> usize| opened.iter().map(count).sum::<usize>();
    println!(
        "  this client's file descriptor limit: {limit}; it opened {} connections in {:.1} s{}",
        sum(|o| o.streams.len()),
        connecting.as_secs_f64(),
        if opened.iter().any(|o| o.out_of_fds) {
            ", and then had no file descriptor left"
        } else {
            ""
        }
    );
    println!(
        "  {} of them waited a second or more for the kernel to try a dropped handshake again \
         (as when the server's accept queue is full)",
        sum(|o| o.retried)
    );
    println!(
        "  answers: 200 {}, 503 {}, other {}; no answer: not connected {}, closed or reset {}, \
         none within {} s {}",
        tally.ok,
        tally.busy,
        tally.other,
        sum(|o| o.not_connected),
        tally.closed + sum(|o| o.not_sent),
        FLOOD_READING.as_secs(),
        tally.timed_out
    );
    ExitCode::SUCCESS
}

/// What one of the flood's connectors opened.
struct Opened {
    streams: Vec<TcpStream>,
    not_connected: usize,
    /// Connected only after the kernel had tried again (a second or more).
    retried: usize,
    /// Connected, but the request could not be sent.
    not_sent: usize,
    /// It stopped for want of file descriptors.
    out_of_fds: bool,
}

/// [`FLOOD`] connections from [`FLOOD_CONNECTORS`] threads at once, until `deadline`.
fn open_all(addr: SocketAddr, deadline: Instant) -> Vec<Opened> {
    thread::scope(|scope| {
        let connectors: Vec<_> = (0..FLOOD_CONNECTORS)
            .map(|_| scope.spawn(|| open_some(addr, FLOOD / FLOOD_CONNECTORS, deadline)))
            .collect();
        let joined = connectors.into_iter().map(|c| c.join());
        joined
            .map(|opened| opened.expect("a connector does not panic"))
            .collect()
    })
}

/// Connects `count` times until `deadline`, sending a request on each connection.
fn open_some(addr: SocketAddr, count: usize, deadline: Instant) -> Opened {
    let mut opened = Opened {
        streams: Vec::with_capacity(count),
        not_connected: 0,
        retried: 0,
        not_sent: 0,
        out_of_fds: false,
    };
    for _ in 0..count {
        if Instant::now() >= deadline {
            break;
        }
        let start = Instant::now();
        let connected = TcpStream::connect_timeout(&addr, FLOOD_CONNECT_TIMEOUT);
        if start.elapsed() >= Duration::from_secs(1) {
            opened.retried += 1;
        }
        match connected {
            Ok(mut stream) => match stream.write_all(KEEP_ALIVE_REQUEST) {
                Ok(()) => opened.streams.push(stream),
                Err(_) => opened.not_sent += 1,
            },
            // EMFILE, "too many open files": the limit is reached.
            Err(e) if e.raw_os_error() == Some(24) => {
                opened.out_of_fds = true;
                break;
            }
            Err(_) => opened.not_connected += 1,
        }
    }
    opened
}

/// This process's soft limit on open files, from `/proc/self/limits` (Linux).
fn fd_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// A number from `/proc/PID/status` (Linux): `Threads:`, or `VmRSS:` in kB.
fn proc_status(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    line.split_whitespace().next()?.parse().ok()
}

/// The CPU time a process has used, user and system, from `/proc/PID/stat` (Linux). The kernel
/// counts it in clock ticks, 100 a second on Linux.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The process name is in parentheses and may hold spaces: count fields after the last `)`.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}
