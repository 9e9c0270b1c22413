//! A flood of [`FLOOD`] connections at once on chapter 6's server: how many got 200, 503 or
//! nothing, and whether the server still answers afterwards.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use crate::client::{KEEP_ALIVE_REQUEST, newcomer, status_of_answer, timed_out};
use crate::procfs::{fd_limit, with_fd_limit};
use crate::server::{QUEUE, Server, Subject};

pub const FLOOD: usize = 10_000;
/// The flood's client needs a file descriptor per connection, and a few for itself.
pub const FLOOD_FD_LIMIT: usize = FLOOD * 2;
/// How long the flood may take to connect, and then to read every answer: it never hangs.
const FLOOD_CONNECTING: Duration = Duration::from_secs(60);
const FLOOD_READING: Duration = Duration::from_secs(10);
/// Clients connecting at once (a divisor of [`FLOOD`]): when the server's accept queue is full
/// (std listens with a backlog of 128), the kernel drops a handshake and the client's kernel
/// tries again a second later; meanwhile the other connectors go on.
const FLOOD_CONNECTORS: usize = 50;
/// Long enough for two such retries, after 1 s and 3 s.
const FLOOD_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Floods a fresh chapter 6 server with connections from a child process, then checks that the
/// server still runs and answers.
pub fn flood(subject: &Subject) -> Result<(), String> {
    let mut server = Server::start(subject)?;
    println!(
        "Flood: {FLOOD} connections to {}, queue {QUEUE}, all open at once, one keep-alive \
         GET /hello on each",
        subject.name
    );
    // The client is this same binary, told to be the flood's client, in a process whose file
    // descriptor limit could be raised.
    let this = std::env::current_exe().map_err(|e| format!("where is this binary? {e}"))?;
    let client = with_fd_limit(&this, FLOOD_FD_LIMIT)
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
pub fn flood_client(addr: &str) -> ExitCode {
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
