//! Load on a chapter's server, measured with `wrk`:
//! `cargo run --release -q -p tests --bin bench` (add `-- --seconds N` for longer runs, and
//! `--peers` to load tiny_http the same way, in the same run).
//!
//! It builds chapter 5's binary in release mode, starts it on a free port with its guestbook in a
//! temporary folder and no rate limit, and loads `GET /hello` at 1, 16 and 64 connections, one
//! request per connection (`Connection: close`, as the server closes after every response). For
//! each it prints requests per second, the median and 99th-percentile latency, and the server's
//! CPU time per request (from `/proc`, so on Linux only). It is a benchmark, not a test: the
//! figures depend on the machine and what else runs on it, so compare them within one run.
//!
//! With `--peers` it also builds `tests/peers` (a Cargo project of its own, outside the workspace,
//! which needs crates.io the first time) and loads its tiny_http server the same way.
//!
//! `wrk` is a standard HTTP load generator: `apt-get install wrk` on Debian and Ubuntu,
//! `brew install wrk` on macOS.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};

use tests::binary::address_in;
use tests::folder::TempFolder;

const CONCURRENCY: [u32; 3] = [1, 16, 64];

/// One server to load: a name for the table, its binary, its arguments.
struct Subject {
    name: &'static str,
    binary: PathBuf,
    args: Vec<String>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u32 = args
        .iter()
        .skip_while(|a| *a != "--seconds")
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("bench: wrk is not installed (apt-get install wrk, or brew install wrk)");
        return ExitCode::from(2);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let build = |extra: &[&str]| {
        Command::new(&cargo)
            .args(["build", "--release", "-q"])
            .args(extra)
            .current_dir(&root)
            .status()
            .is_ok_and(|s| s.success())
    };
    if !build(&["-p", "stage05_framework"]) {
        eprintln!("bench: cargo build --release -p stage05_framework failed");
        return ExitCode::FAILURE;
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), Into::into);
    let data = TempFolder::new("bench-guestbook");
    let mut subjects = vec![Subject {
        name: "stage05_framework",
        binary: target.join("release").join("stage05_framework"),
        args: vec![
            "--addr".into(),
            "127.0.0.1:0".into(),
            "--rate-limit".into(),
            "4000000000".into(),
            "--data".into(),
            data.path().to_string_lossy().into_owned(),
        ],
    }];
    if args.iter().any(|a| a == "--peers") {
        let peers = root.join("tests").join("peers");
        let manifest = peers.join("Cargo.toml").to_string_lossy().into_owned();
        if !build(&["--manifest-path", &manifest]) {
            eprintln!("bench: cannot build tests/peers (it needs crates.io the first time)");
            return ExitCode::FAILURE;
        }
        subjects.push(Subject {
            name: "tiny_http 0.12",
            binary: peers.join("target").join("release").join("tiny_http_hello"),
            args: Vec::new(),
        });
    }
    println!(
        "GET /hello, one request per connection (Connection: close), {seconds} s per row, \
         wrk, release builds"
    );
    println!(
        "server              connections  requests/s   p50 latency   p99 latency   CPU per request"
    );
    for subject in &subjects {
        let mut server = match start(&subject.binary, &subject.args) {
            Ok(server) => server,
            Err(e) => {
                eprintln!("bench: cannot start {}: {e}", subject.binary.display());
                return ExitCode::FAILURE;
            }
        };
        for connections in CONCURRENCY {
            measure(subject.name, &server, connections, seconds);
        }
        let _ = server.child.kill();
        let _ = server.child.wait();
    }
    ExitCode::SUCCESS
}

/// One row of the table.
fn measure(name: &str, server: &Server, connections: u32, seconds: u32) {
    let before = cpu_seconds(server.child.id());
    let Some(run) = wrk(&server.url, connections, seconds) else {
        eprintln!("bench: wrk failed against {name} at {connections} connections");
        return;
    };
    let after = cpu_seconds(server.child.id());
    let cpu = match (before, after) {
        (Some(b), Some(a)) if run.requests > 0 => {
            format!("{:.1} µs", (a - b) / run.requests as f64 * 1e6)
        }
        _ => "n/a".to_string(),
    };
    println!(
        "{name:<18}  {connections:>11}  {:>10.0}   {:>11}   {:>11}   {cpu:>15}",
        run.per_second, run.p50, run.p99
    );
}

struct Server {
    child: Child,
    url: String,
}

/// A release binary started with `args`, its first line read for the address.
fn start(binary: &Path, args: &[String]) -> std::io::Result<Server> {
    let mut child = Command::new(binary)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null()) // chapter 5's access log: a line per request
        .spawn()?;
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut first = String::new();
    stdout.read_line(&mut first)?;
    // It may print more after the address: read on, or it would write into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let addr = address_in(first.trim())
        .ok_or_else(|| std::io::Error::other(format!("no address in its first line {first:?}")))?;
    Ok(Server {
        child,
        url: format!("http://{addr}/hello"),
    })
}

struct Run {
    per_second: f64,
    requests: u64,
    p50: String,
    p99: String,
}

/// One wrk run, read from its report.
fn wrk(url: &str, connections: u32, seconds: u32) -> Option<Run> {
    let threads = connections.min(2).to_string();
    let output = Command::new("wrk")
        .args(["-t", &threads, "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s"), "--latency"])
        .args(["-H", "Connection: close", url])
        .output()
        .ok()?;
    let report = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        report
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix).map(str::trim))
            .map(str::to_string)
    };
    let per_second = field("Requests/sec:")?.parse().ok()?;
    let requests = report
        .lines()
        .find_map(|line| line.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())?;
    Some(Run {
        per_second,
        requests,
        p50: field("50%")?,
        p99: field("99%")?,
    })
}

/// The CPU time a process has used, user and system, from `/proc/PID/stat` (Linux), in seconds.
/// The kernel counts it in clock ticks, 100 a second on Linux.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The process name is in parentheses and may hold spaces: count fields after the last `)`.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
