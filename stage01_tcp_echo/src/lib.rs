//! Chapter 1: sockets.
//!
//! Everything on the web starts with a TCP connection: a server binds an address, listens, accepts
//! a connection, and then both sides read and write bytes until one of them closes. This crate is
//! the smallest program that does all of that, an echo server ([`server`]) and its client
//! ([`client`]). There is no HTTP here yet: a byte stream has no messages, only bytes, and
//! chapter 2 is about putting HTTP's structure on top of it.
//!
//! The server serves one client at a time, on purpose: while one client is connected, the next
//! one waits in the listen queue. Chapter 6 fixes that with a thread pool.
//!
//! Four small pieces are shared by every later server: [`accept`], the one-at-a-time accept
//! loop; [`stop`], which stops it (and runs a server on a thread of its own, for tests);
//! [`timeout`], which tells a socket timeout from a real failure; and [`cli`], the little
//! command-line reader every binary uses.
#![forbid(unsafe_code)]

pub mod accept;
pub mod cli;
pub mod client;
pub mod log;
pub mod server;
pub mod stop;
pub mod timeout;
