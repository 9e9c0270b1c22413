//! The ratios printed under the table: chapter 6 against tiny_http, chapter 7 against hyper, at
//! [`PEER_LOAD`] keep-alive connections.

use crate::load::{Measured, Row};
use crate::server::WORKERS;
use crate::wrk::Mode;

/// The load at which the chapters are compared with the peers, kept alive.
pub const PEER_LOAD: u32 = 64;
pub const PEER_ROW: (Mode, &[u32]) = (Mode::KeepAlive, &[PEER_LOAD]);

/// The row measured at [`PEER_ROW`]'s load.
pub fn at_peer_load(rows: &[Measured]) -> Option<&Row> {
    let row = rows
        .iter()
        .find(|m| m.mode == PEER_ROW.0 && m.connections == PEER_LOAD)?;
    Some(&row.row)
}

/// Chapter 6's requests per second over tiny_http's at [`PEER_LOAD`] keep-alive connections,
/// with a worker per connection and with its default workers.
pub fn print_ratio(fair: &[Measured], default: &[Measured], tiny_http: &[Measured]) {
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
pub fn print_bare_ratio(bare: &[Measured], tiny_http: &[Measured]) {
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

/// Chapter 7 on one thread over hyper on tokio's current-thread runtime at [`PEER_LOAD`]
/// keep-alive connections: requests per second and CPU time per request, for the demo site
/// and, where it was measured, for `hello_async` (one route, no middleware, as bare as hyper's).
pub fn print_hyper_ratios(site: &[Measured], bare: Option<&[Measured]>, hyper: &[Measured]) {
    let Some(hyper) = at_peer_load(hyper) else {
        println!("stage07 ÷ hyper: no hyper row to compare with");
        return;
    };
    println!(
        "stage07 ÷ hyper 1.x (tokio current-thread) at {PEER_LOAD} keep-alive connections, one \
         thread each (the target: requests/s 1.00× or more,"
    );
    println!("  CPU/request 1.00× or less):");
    let line = |label: &str, ours: Option<&Row>| {
        let Some(ours) = ours else {
            println!("  {label:<42} no row");
            return;
        };
        let cpu = match (ours.cpu_per_request, hyper.cpu_per_request) {
            (Some(ours), Some(theirs)) if !theirs.is_zero() => {
                format!("{:.2}×", ours.as_secs_f64() / theirs.as_secs_f64())
            }
            _ => "n/a".into(),
        };
        println!(
            "  {label:<42} requests/s {:.2}×, CPU/request {cpu}; connections answered \
             halfway: {} (hyper {})",
            ours.run.per_second / hyper.run.per_second,
            answered(ours),
            answered(hyper)
        );
    };
    line("demo site (stage07, 1 thread):", at_peer_load(site));
    match bare {
        Some(bare) => line(
            "bare (hello_async, one route, no middleware):",
            at_peer_load(bare),
        ),
        None => println!("  bare (hello_async): not built, so not measured"),
    }
}

/// How many of wrk's connections got an answer in half a second halfway through, of how many.
fn answered(row: &Row) -> String {
    let answered = row.halfway.answered;
    answered.map_or("n/a".into(), |(answered, of)| format!("{answered}/{of}"))
}
