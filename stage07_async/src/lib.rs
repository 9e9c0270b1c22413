//! Chapter 7: async from scratch, and chapter 5's application served by it.
//!
//! A future is a value that can be polled; a task is a future a runtime owns; an executor polls
//! the tasks that have been woken ([`runtime`]); a reactor waits for the kernel to say a socket is
//! ready or a timer is due, and wakes the tasks waiting for that (`reactor`, on epoll through
//! [`sys`]). On top: timers ([`time`]), sockets ([`io`], [`net`]) and the server ([`server`]), one
//! task per connection, each driving chapter 5's `Connection` and running its `App` unchanged.
//!
//! Linux only: the reactor uses epoll. Elsewhere the crate builds, and [`Runtime::new`] returns an
//! error that says what is missing.
// `unsafe` is allowed in one module only: `sys`, which asks the OS for epoll.
#![cfg(unix)]
#![deny(unsafe_code)]

mod handoff;
pub mod io;
pub mod net;
pub mod open_files;
pub mod race;
mod reactor;
pub mod runtime;
pub mod server;
mod shutdown;
pub mod site;
mod slab;
pub mod sys;
pub mod task;
pub mod time;

pub use io::Async;
pub use net::{TcpListener, TcpStream};
pub use race::{Either, race};
pub use runtime::{Counts, Runtime, spawn, yield_now};
pub use server::Server;
pub use task::{JoinHandle, TaskFailed};
pub use time::{Elapsed, sleep, sleep_until, timeout, timeout_at};
