//! Behaviour suites: tables of cases, each a function of the address of a running server.

use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};

pub mod echo;
pub mod hello;
pub mod http_basics;
pub mod mirror;
pub mod routing;

/// One behaviour, named so a failure says which.
pub type Case = (&'static str, fn(SocketAddr));

/// Runs every case against a server from `start`, and fails naming each case that failed.
///
/// One server serves the whole suite, as one server serves a person who tries one thing after
/// another: a case that leaves the server broken makes the next ones fail too, which is the point.
pub fn run(stage: &str, cases: &[Case], start: fn() -> SocketAddr) {
    let addr = start();
    let failed: Vec<&str> = cases
        .iter()
        .filter(|(name, case)| {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| case(addr)));
            if outcome.is_err() {
                eprintln!("{stage}: case `{name}` failed (its panic message is above)");
            }
            outcome.is_err()
        })
        .map(|(name, _)| *name)
        .collect();
    assert!(failed.is_empty(), "{stage} failed: {failed:?}");
}
