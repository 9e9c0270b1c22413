//! Chapter 6: the same application on a pool of threads.
//!
//! Chapter 5's server served one connection at a time, so one slow request, or one idle
//! keep-alive connection, made every other client wait. This chapter keeps chapter 5's
//! `Connection` and `App` unchanged and spreads connections over a fixed pool of worker threads
//! ([`pool::ThreadPool`]), with keep-alive on and a bounded queue: when every worker is busy and
//! the queue is full, a new connection gets `503 Service Unavailable` at once ([`server::Server`]).
//! On Ctrl+C or `SIGTERM` it stops accepting, finishes the requests in flight and exits
//! ([`signals`], on Linux, macOS and FreeBSD). The same binary also runs a line-based chat room over TCP ([`chat`]),
//! where no client that stops reading can hold the others back.
// `unsafe` is allowed in one module only: `signals`, which asks the OS for what std lacks.
#![deny(unsafe_code)]

pub mod chat;
pub mod pool;
pub mod server;
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd"
))]
pub mod signals;

pub use pool::ThreadPool;
pub use server::Server;
