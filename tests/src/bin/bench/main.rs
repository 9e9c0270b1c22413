//! Load on the chapters' servers, measured with `wrk`:
//! `cargo run --release -q -p tests --bin bench` (add `-- --seconds N` for longer rows, and
//! `--peers` to load tiny_http and hyper the same way, in the same run).
//!
//! It builds chapters 5, 6 and 7 in release mode, starts each on a free port with its guestbook
//! in a temporary folder and no rate limit, and loads `GET /hello`:
//!
//! - chapter 6 (`stage06_threads`, 8 workers and a queue of 64, its defaults) with keep-alive at
//!   1, 16, 64, 256 and 1,000 connections, and with one request per connection
//!   (`Connection: close`) at 1, 16 and 64;
//! - chapter 5 (`stage05_framework`, one connection at a time) with one request per connection at
//!   1, 16 and 64, the figures chapter 6 is judged against;
//! - chapter 7 (`stage07_async`, one runtime thread) with the same loads as chapter 6, and with
//!   `--threads auto` (a runtime per core) at 64 keep-alive connections.
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
//! opening 64 of them); chapter 7's 10,000 idle keep-alive connections, each after one request:
//! the server's resident memory before and after, its CPU time while they sit idle, and the
//! latency of 200 new requests while they are held; and a flood of 10,000 connections at once on
//! chapter 6: how many got 200, 503 or nothing, and whether the server still answers afterwards.
//!
//! With `--peers` it also builds `tests/peers` (a Cargo project of its own, outside the workspace,
//! which needs crates.io the first time) and loads its servers at 64 keep-alive connections:
//! tiny_http (a thread per connection) against chapter 6 with as many workers as connections and
//! against `stage06_threads/examples/hello_pool` (the same pool with one route and no middleware,
//! as bare as tiny_http's hello), and tiny_http with one request per connection as above; hyper
//! 1.x on tokio's current-thread runtime against chapter 7 on one thread, with the demo site and
//! bare (`stage07_async/examples/hello_async`), with the ratios of their requests per second and
//! CPU time per request; and hyper's 10,000 idle connections, measured as chapter 7's.
//!
//! It is a benchmark, not a test: the figures depend on the machine and what else runs on it, so
//! compare them within one run; every measurement is bounded in time. `wrk` is a standard HTTP
//! load generator: `apt-get install wrk` on Debian and Ubuntu, `brew install wrk` on macOS.

mod build;
mod client;
mod compare;
mod crowd;
mod flood;
mod idle;
mod load;
mod procfs;
mod server;
mod watch;
mod wrk;

use std::path::Path;
use std::process::{Command, ExitCode};

use tests::folder::TempFolder;

use crate::compare::{PEER_ROW, print_bare_ratio, print_hyper_ratios, print_ratio};
use crate::crowd::{CROWD, CROWD_FD_LIMIT, crowd};
use crate::load::{Measured, load_rows, print_group, print_table_head};
use crate::server::{Subject, WORKERS, chapter_5, chapter_6, chapter_7};
use crate::wrk::Mode;

const KEEP_ALIVE_LOADS: [u32; 5] = [1, 16, 64, 256, 1000];
const CLOSE_LOADS: [u32; 3] = [1, 16, 64];
/// Chapter 7's connection limit for the rows (its default), and for the crowd: above it.
const MAX_CONNECTIONS: usize = 10_000;
const CROWD_MAX_CONNECTIONS: usize = CROWD + 100;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| args.iter().skip_while(|a| *a != flag).nth(1).cloned();
    // The clients of the flood and of the crowd, run in child processes whose file descriptor
    // limit could be raised.
    if let Some(addr) = value_of("--flood-client") {
        return flood::flood_client(&addr);
    }
    if let Some(addr) = value_of("--crowd-client") {
        return crowd::crowd_client(&addr);
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

/// Builds the servers, then prints the load table, the ratios, the idle connections' figures
/// and the flood. A part that fails says why, and the others go on.
fn run(seconds: u32, peers: bool) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let folder = TempFolder::new("bench-binaries");
    let data = TempFolder::new("bench-guestbook");
    let binaries = build::build_all(&root, peers, &folder)?;
    let data = data.path();
    let stage06 = |workers| chapter_6(&binaries.stage06, data, workers);
    let stage07 = |threads| chapter_7(&binaries.stage07, data, threads, MAX_CONNECTIONS);
    let all_loads = [
        (Mode::KeepAlive, &KEEP_ALIVE_LOADS[..]),
        (Mode::Close, &CLOSE_LOADS[..]),
    ];
    let rows = |subject: &Subject, loads: &[(Mode, &[u32])]| -> Vec<Measured> {
        load_rows(subject, loads, seconds).unwrap_or_else(|e| {
            println!("{}: {e}", subject.name);
            Vec::new()
        })
    };

    print_table_head(seconds);
    print_group(&format!(
        "chapter 6 (its defaults, {WORKERS} workers) and chapter 5, the demo site"
    ));
    let default = rows(&stage06(WORKERS), &all_loads);
    rows(
        &chapter_5(&binaries.stage05, data),
        &[(Mode::Close, &CLOSE_LOADS)],
    );
    print_group("chapter 7, the demo site, one runtime thread (--threads 1)");
    rows(&stage07("1"), &all_loads);
    print_group("chapter 7, the demo site, a runtime per core (--threads auto)");
    rows(&stage07("auto"), &[PEER_ROW]);
    let mut hyper_subject = None;
    if let (Some(tiny_http), Some(hyper)) = (&binaries.tiny_http, &binaries.hyper) {
        print_group(
            "chapter 6 against tiny_http 0.12 (a thread per connection), one after another",
        );
        let ours = rows(&stage06(PEER_ROW.1[0] as usize), &[PEER_ROW]);
        let workers = PEER_ROW.1[0].to_string();
        let args = ["--workers", workers.as_str()];
        let name = format!("hello_pool, {workers} workers");
        let bare = rows(
            &Subject::plain(&name, &binaries.hello_pool, &args),
            &[PEER_ROW],
        );
        let tiny_http = Subject::plain("tiny_http 0.12", tiny_http, &[]);
        let theirs = rows(&tiny_http, &[PEER_ROW, (Mode::Close, &CLOSE_LOADS)]);
        print_group(
            "chapter 7 against hyper 1.x on tokio's current-thread runtime, one after another",
        );
        let site = rows(&stage07("1"), &[PEER_ROW]);
        let bare07 = binaries.hello_async.as_ref().map(|binary| {
            rows(
                &Subject::plain("hello_async, 1 thread", binary, &[]),
                &[PEER_ROW],
            )
        });
        let hyper = Subject::plain("hyper 1.x, current-thread", hyper, &[]);
        let hyper_rows = rows(&hyper, &[PEER_ROW]);
        println!();
        print_ratio(&ours, &default, &theirs);
        print_bare_ratio(&bare, &theirs);
        println!();
        print_hyper_ratios(&site, bare07.as_deref(), &hyper_rows);
        hyper_subject = Some(hyper);
    }

    println!();
    report(idle::idle_memory(&stage06(idle::IDLE_CONNECTIONS)));
    println!();
    let crowded = chapter_7(&binaries.stage07, data, "1", CROWD_MAX_CONNECTIONS);
    let ours = crowd(&crowded.with_fd_limit(CROWD_FD_LIMIT), true);
    if let Some(hyper) = hyper_subject {
        println!();
        let theirs = crowd(&hyper.with_fd_limit(CROWD_FD_LIMIT), false);
        if let (Ok(ours), Ok(theirs)) = (&ours, &theirs) {
            println!(
                "stage07 ÷ hyper, resident memory per idle connection: {:.2}× ({:.2} kB and \
                 {:.2} kB)",
                ours.per_connection_kib / theirs.per_connection_kib,
                ours.per_connection_kib,
                theirs.per_connection_kib
            );
        }
        report(theirs.map(drop));
    }
    report(ours.map(drop));
    println!();
    report(flood::flood(&stage06(WORKERS)));
    Ok(())
}

/// A part that failed says so; the run goes on.
fn report(part: Result<(), String>) {
    if let Err(e) = part {
        println!("  failed: {e}");
    }
}
