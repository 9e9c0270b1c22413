//! A crowd of [`CROWD`] idle keep-alive connections, each after one `GET /hello` answered, held
//! by a child process: the server's resident memory before and after, its CPU time while they
//! sit idle, and the latency of new requests while they are held.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdin, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use crate::client::{KEEP_ALIVE_REQUEST, is_open, newcomer, whole_answer};
use crate::procfs::{cpu_time, fd_limit, proc_status, with_fd_limit};
use crate::server::{Server, Subject};

pub const CROWD: usize = 10_000;
/// File descriptors for the crowd's client and for the server holding it, with room to spare.
pub const CROWD_FD_LIMIT: usize = CROWD + 1_000;
/// Clients connecting at once, each opening its share one after another.
const CONNECTORS: usize = 50;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one crowd connection's answer may take, and the whole crowd: it never hangs.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
const OPENING: Duration = Duration::from_secs(90);
/// The new requests made while the crowd is held, one after another, each on a fresh
/// connection, and how long each and all of them may take.
const NEW_REQUESTS: usize = 200;
const NEW_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
const NEW_REQUESTS_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the crowd sits idle while the server's CPU time is counted.
const IDLE_SECONDS: u64 = 5;
/// How long the client may take to count its open connections.
const COUNTING: Duration = Duration::from_secs(30);

/// The targets of chapter 7 for this figure: the resident memory with the crowd held, and the
/// p99 latency of the new requests.
const RSS_TARGET_MIB: f64 = 40.0;
const P99_TARGET: Duration = Duration::from_millis(10);

/// What [`crowd`] measured, for comparisons after.
pub struct Crowd {
    pub per_connection_kib: f64,
}

/// Starts `subject` (which must accept more than [`CROWD`] connections), holds the crowd on it
/// from a child process, and prints what it cost. `targets`: say whether chapter 7's targets
/// were met.
pub fn crowd(subject: &Subject, targets: bool) -> Result<Crowd, String> {
    let server = Server::start(subject)?;
    let pid = server.pid();
    println!(
        "{CROWD} idle keep-alive connections to {}, each after one GET /hello answered, held \
         by a client process of their own",
        subject.name
    );
    // A first request, so that what the server allocates once (not per connection) is counted
    // before.
    let _ = newcomer(server.addr, Duration::from_secs(5));
    let rss = || proc_status(pid, "VmRSS:").ok_or("cannot read VmRSS in /proc (Linux only)");
    let before = rss()?;
    let mut client = Holder::start(server.addr)?;
    let opened = client.line(OPENING).ok_or_else(|| {
        format!(
            "the crowd's client did not report within {} s",
            OPENING.as_secs()
        )
    })?;
    let after = rss()?;
    let held = field(&opened, "answered").unwrap_or(0);
    println!(
        "  the client (file descriptor limit {}) opened them in {} s: {held} answered 200 and \
         held, {} answered otherwise, {} failed{}",
        field(&opened, "fd_limit").map_or("unknown".into(), |n| n.to_string()),
        opened
            .split_whitespace()
            .find_map(|f| f.strip_prefix("seconds="))
            .unwrap_or("?"),
        field(&opened, "other").unwrap_or(0),
        field(&opened, "failed").unwrap_or(0),
        if opened.contains("out_of_fds=true") {
            ", and then it had no file descriptor left"
        } else {
            ""
        }
    );
    let per_connection_kib = (after as f64 - before as f64) / held.max(1) as f64;
    let in_all = after as f64 / 1024.0;
    let target = if targets {
        let met = if in_all < RSS_TARGET_MIB {
            "met"
        } else {
            "not met"
        };
        format!(" (target: under {RSS_TARGET_MIB} MiB: {met})")
    } else {
        String::new()
    };
    println!(
        "  server VmRSS {before} kB before, {after} kB with them held: {per_connection_kib:.2} \
         kB per connection, {in_all:.1} MiB in all{target}"
    );
    print_new_requests(server.addr, targets);
    let still_open = |client: &mut Holder| {
        let line = client.ask("count", COUNTING);
        line.and_then(|line| field(&line, "open"))
    };
    let shown = |open: Option<usize>| open.map_or("unknown".into(), |n| n.to_string());
    let open_before = still_open(&mut client);
    println!(
        "  still open after the new requests: {}",
        shown(open_before)
    );
    let mut samples = vec![cpu_time(pid)];
    for _ in 0..IDLE_SECONDS {
        thread::sleep(Duration::from_secs(1));
        samples.push(cpu_time(pid));
    }
    let samples: Option<Vec<Duration>> = samples.into_iter().collect();
    let cpu = match samples {
        Some(samples) => {
            let total = samples[samples.len() - 1].saturating_sub(samples[0]);
            let each: Vec<String> = samples
                .windows(2)
                .map(|w| format!("{}", w[1].saturating_sub(w[0]).as_millis()))
                .collect();
            format!(
                "{} ms (second by second: {} ms)",
                total.as_millis(),
                each.join(", ")
            )
        }
        None => "n/a (no /proc)".into(),
    };
    println!(
        "  server CPU time over the next {IDLE_SECONDS} s while they sit idle: {cpu}; /proc \
         counts 10 ms ticks"
    );
    let open_after = still_open(&mut client);
    let end = rss().map_or("n/a".into(), |kb| format!("{kb} kB"));
    println!(
        "  after those {IDLE_SECONDS} s: still open {}, server VmRSS {end}",
        shown(open_after)
    );
    if let (Some(before), Some(after)) = (open_before, open_after)
        && after < before
    {
        println!(
            "  the server closed {} of them during those {IDLE_SECONDS} s, and the CPU time \
             above includes closing them",
            before - after
        );
    }
    Ok(Crowd { per_connection_kib })
}

/// [`NEW_REQUESTS`] requests one after another, each on a fresh connection, and their p50 and
/// p99 latency (connecting, sending, and the answer's first line).
fn print_new_requests(addr: SocketAddr, targets: bool) {
    let deadline = Instant::now() + NEW_REQUESTS_TIMEOUT;
    let mut waits = Vec::new();
    let (mut not_200, mut failed) = (0, 0);
    for _ in 0..NEW_REQUESTS {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let answer = newcomer(addr, left.min(NEW_REQUEST_TIMEOUT));
        match answer.1 {
            Ok(200) => waits.push(answer.0),
            Ok(_) => not_200 += 1,
            Err(_) => failed += 1,
        }
    }
    let made = waits.len() + not_200 + failed;
    waits.sort();
    let at = |fraction: f64| {
        let index = ((waits.len() as f64 * fraction).ceil() as usize).clamp(1, waits.len()) - 1;
        waits[index]
    };
    let ms = |wait: Duration| format!("{:.2} ms", wait.as_secs_f64() * 1e3);
    let latency = if waits.is_empty() {
        "no answer with 200".into()
    } else {
        let target = if targets {
            let met = if at(0.99) < P99_TARGET {
                "met"
            } else {
                "not met"
            };
            format!(" (target: p99 under {} ms: {met})", P99_TARGET.as_millis())
        } else {
            String::new()
        };
        format!(
            "p50 {}, p99 {}, max {}{target}",
            ms(at(0.5)),
            ms(at(0.99)),
            ms(waits[waits.len() - 1])
        )
    };
    println!(
        "  {made} new GET /hello while they are held, one after another, each on a fresh \
         connection: {latency}"
    );
    println!(
        "    ({} answered 200, {not_200} otherwise, {failed} not answered within {} s{})",
        waits.len(),
        NEW_REQUEST_TIMEOUT.as_secs(),
        if made < NEW_REQUESTS {
            format!("; stopped after {} s", NEW_REQUESTS_TIMEOUT.as_secs())
        } else {
            String::new()
        }
    );
}

/// A number `name=N` in one of the client's lines.
fn field(line: &str, name: &str) -> Option<usize> {
    let prefix = format!("{name}=");
    let value = line
        .split_whitespace()
        .find_map(|f| f.strip_prefix(prefix.as_str()))?;
    value.parse().ok()
}

/// The crowd's client, running: a line on its standard input asks it something, and it answers
/// with a line. It is killed when dropped.
struct Holder {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Holder {
    /// Starts this same binary as the crowd's client, with its file descriptor limit raised.
    fn start(addr: SocketAddr) -> Result<Holder, String> {
        let this = std::env::current_exe().map_err(|e| format!("where is this binary? {e}"))?;
        let mut child = with_fd_limit(&this, CROWD_FD_LIMIT)
            .args(["--crowd-client", &addr.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the crowd's client: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Holder {
            child,
            stdin,
            lines,
        })
    }

    /// The client's next line, waiting at most `within`.
    fn line(&mut self, within: Duration) -> Option<String> {
        self.lines.recv_timeout(within).ok()
    }

    fn ask(&mut self, question: &str, within: Duration) -> Option<String> {
        let stdin = self.stdin.as_mut()?;
        writeln!(stdin, "{question}").ok()?;
        stdin.flush().ok()?;
        self.line(within)
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        drop(self.stdin.take()); // the end of its input: it closes the crowd and exits
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one of the client's connectors opened.
#[derive(Default)]
struct Opened {
    held: Vec<TcpStream>,
    other: usize,
    failed: usize,
    out_of_fds: bool,
}

/// The crowd's client: opens [`CROWD`] connections to `addr` from [`CONNECTORS`] threads, each
/// with one `GET /hello` whose whole answer is read, reports on one line, then answers `count`
/// with how many the server keeps open, until its input ends.
pub fn crowd_client(addr: &str) -> ExitCode {
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        eprintln!("bench: --crowd-client wants an address, not {addr:?}");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let deadline = start + OPENING - Duration::from_secs(5);
    let mut opened: Vec<Opened> = thread::scope(|scope| {
        let connectors: Vec<_> = (0..CONNECTORS)
            .map(|_| scope.spawn(move || open_some(addr, CROWD / CONNECTORS, deadline)))
            .collect();
        let joined = connectors.into_iter().map(|c| c.join());
        joined.map(|o| o.unwrap_or_default()).collect()
    });
    let held: Vec<TcpStream> = opened
        .iter_mut()
        .flat_map(|o| std::mem::take(&mut o.held))
        .collect();
    let sum = |count: fn(&Opened) -> usize| opened.iter().map(count).sum::<usize>();
    let mut out = io::stdout().lock();
    let _ = writeln!(
        out,
        "opened answered={} other={} failed={} seconds={:.1} fd_limit={} out_of_fds={}",
        held.len(),
        sum(|o| o.other),
        sum(|o| o.failed),
        start.elapsed().as_secs_f64(),
        fd_limit().map_or("unknown".into(), |n| n.to_string()),
        opened.iter().any(|o| o.out_of_fds)
    );
    let _ = out.flush();
    for line in io::stdin().lock().lines().map_while(Result::ok) {
        if line.trim() == "count" {
            let open = held.iter().filter(|s| is_open(s)).count();
            let _ = writeln!(out, "open={open}");
            let _ = out.flush();
        }
    }
    ExitCode::SUCCESS
}

/// Connects `count` times until `deadline`, each connection with one request and its answer.
fn open_some(addr: SocketAddr, count: usize, deadline: Instant) -> Opened {
    let mut opened = Opened::default();
    for _ in 0..count {
        if Instant::now() >= deadline {
            break;
        }
        let mut stream = match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => stream,
            // EMFILE, "too many open files": the limit is reached.
            Err(e) if e.raw_os_error() == Some(24) => {
                opened.out_of_fds = true;
                break;
            }
            Err(_) => {
                opened.failed += 1;
                continue;
            }
        };
        let answered = stream
            .write_all(KEEP_ALIVE_REQUEST)
            .and_then(|()| whole_answer(&stream, Instant::now() + ANSWER_TIMEOUT));
        match answered {
            Ok(200) => opened.held.push(stream),
            Ok(_) => opened.other += 1,
            Err(_) => opened.failed += 1,
        }
    }
    opened
}
