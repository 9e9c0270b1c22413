//! Behaviour suites: tables of cases, each a function of the address of a running server.

use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};

use stage01_tcp_echo::stop::RunningServer;

pub mod echo;
pub mod hello;
pub mod http_basics;
pub mod keep_alive;
pub mod mirror;
pub mod pipelining;
pub mod routing;

/// A server a suite can run against: a stage's [`RunningServer`], stopped when the suite ends,
/// or (for the suites' own checks) the bare address of a test server.
pub trait Started {
    fn addr(&self) -> SocketAddr;
}

impl Started for RunningServer {
    fn addr(&self) -> SocketAddr {
        RunningServer::addr(self)
    }
}

impl Started for SocketAddr {
    fn addr(&self) -> SocketAddr {
        *self
    }
}

/// A server with something that must live as long as it (the folder its data is in).
impl<T> Started for (RunningServer, T) {
    fn addr(&self) -> SocketAddr {
        self.0.addr()
    }
}

/// One behaviour, named so a failure says which.
pub type Case = (&'static str, fn(SocketAddr));

/// Runs every case against a server from `start`, and fails naming each case that failed. The
/// server is stopped (its listener closed, its thread joined) when the suite ends.
///
/// One server serves the whole suite, as one server serves a person who tries one thing after
/// another: a case that leaves the server broken makes the next ones fail too, which is the point.
pub fn run<S: Started>(stage: &str, cases: &[Case], start: impl FnOnce() -> S) {
    let server = start();
    let addr = server.addr();
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
