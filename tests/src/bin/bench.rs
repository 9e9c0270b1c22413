//! Load on a chapter's server, measured with `wrk`:
//! `cargo run --release -q -p tests --bin bench` (add `-- --seconds N` for longer runs).
//!
//! It builds chapter 5's binary in release mode, starts it on a free port with its guestbook in a
//! temporary folder and no rate limit, and loads `GET /hello` at 1, 16 and 64 connections, one
//! request per connection (`Connection: close`, as the server closes after every response). For
//! each it prints requests per second, the median and 99th-percentile latency, and the server's
//! CPU time per request (from `/proc`, so on Linux only). It is a benchmark, not a test: the
//! figures depend on the machine and what else runs on it, so compare them within one run.
//!
//! `wrk` is a standard HTTP load generator: `apt-get install wrk` on Debian and Ubuntu,
//! `brew install wrk` on macOS.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};

use tests::binary::address_in;
use tests::folder::TempFolder;

const CONCURRENCY: [u32; 3] = [1, 16, 64];

fn main() -> ExitCode {
    let seconds: u32 = std::env::args()
        .skip_while(|a| a != "--seconds")
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("bench: wrk is not installed (apt-get install wrk, or brew install wrk)");
        return ExitCode::from(2);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(&cargo)
        .args(["build", "--release", "-q", "-p", "stage05_framework"])
        .current_dir(&root)
        .status();
    if !built.is_ok_and(|s| s.success()) {
        eprintln!("bench: cargo build --release -p stage05_framework failed");
        return ExitCode::FAILURE;
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), Into::into);
    let binary = target.join("release").join("stage05_framework");
    let data = TempFolder::new("bench-guestbook");
    let mut server = match start(&binary, data.path()) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("bench: cannot start {}: {e}", binary.display());
            return ExitCode::FAILURE;
        }
    };
    println!(
        "stage05_framework, GET /hello, one request per connection, {seconds} s per row \
         (wrk, release build)"
    );
    println!("connections  requests/s   p50 latency   p99 latency   server CPU per request");
    for connections in CONCURRENCY {
        let before = cpu_seconds(server.child.id());
        let Some(run) = wrk(&server.url, connections, seconds) else {
            eprintln!("bench: wrk failed at {connections} connections");
            continue;
        };
        let after = cpu_seconds(server.child.id());
        let cpu = match (before, after) {
            (Some(b), Some(a)) if run.requests > 0 => {
                format!("{:.1} µs", (a - b) / run.requests as f64 * 1e6)
            }
            _ => "n/a".to_string(),
        };
        println!(
            "{connections:>11}  {:>10.0}   {:>11}   {:>11}   {cpu:>22}",
            run.per_second, run.p50, run.p99
        );
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    ExitCode::SUCCESS
}

struct Server {
    child: Child,
    url: String,
}

/// The release binary on a free port, its first line read for the address.
fn start(binary: &Path, data: &Path) -> std::io::Result<Server> {
    let mut child = Command::new(binary)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--rate-limit",
            "4000000000",
            "--data",
        ])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null()) // the access log: a line per request
        .spawn()?;
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut first = String::new();
    stdout.read_line(&mut first)?;
    // It prints its routes after the address: read on, or it would write into a closed pipe.
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
