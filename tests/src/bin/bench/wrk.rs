//! One run of `wrk`, the HTTP load generator, and the figures read from its report.

use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::procfs::with_fd_limit;

/// How long wrk may run past its own duration before it is killed: it never hangs a row.
const WRK_GRACE: Duration = Duration::from_secs(30);

/// How wrk uses its connections.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    KeepAlive,
    Close,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::KeepAlive => "keep-alive",
            Mode::Close => "close",
        }
    }
}

pub struct Run {
    pub per_second: f64,
    pub requests: u64,
    pub p50: String,
    pub p99: String,
    pub non_2xx: u64,
    /// connect, read, write, timeout, as wrk counts them.
    pub socket_errors: [u64; 4],
}

/// Why a run has no figures.
pub enum WrkFailed {
    /// It did not finish within its duration and [`WRK_GRACE`], and was killed.
    Killed,
    /// It could not start, or its report had no figures; what it said.
    Report(String),
}

impl std::fmt::Display for WrkFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WrkFailed::Killed => write!(
                f,
                "wrk ran {} s too long and was killed",
                WRK_GRACE.as_secs()
            ),
            WrkFailed::Report(said) => write!(f, "wrk gave no figures: {said:?}"),
        }
    }
}

/// One wrk run, read from its report. wrk's threads are fixed at 2 (1 at 1 connection, as wrk
/// wants a connection per thread at least), for every server alike. Its file descriptor limit is
/// raised to hold its connections.
pub fn wrk(url: &str, mode: Mode, connections: u32, seconds: u32) -> Result<Run, WrkFailed> {
    let threads = connections.min(2).to_string();
    let mut command = with_fd_limit("wrk".as_ref(), connections as usize + 64);
    command
        .args(["-t", &threads, "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s"), "--latency"]);
    if let Mode::Close = mode {
        command.args(["-H", "Connection: close"]);
    }
    command.arg(url);
    let limit = Duration::from_secs(seconds.into()) + WRK_GRACE;
    let report = output_within(&mut command, limit).ok_or(WrkFailed::Killed)?;
    parse_wrk(&report).ok_or_else(|| WrkFailed::Report(report.trim().to_string()))
}

/// What `command` printed, stdout and stderr, or `None` if it was killed for running longer
/// than `limit` (or could not start).
fn output_within(command: &mut Command, limit: Duration) -> Option<String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = read_all(Box::new(child.stderr.take().expect("stderr is piped")));
    let deadline = Instant::now() + limit;
    let finished = loop {
        match child.try_wait() {
            Ok(Some(_)) => break true,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break false;
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    finished.then(|| stdout + &stderr)
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
