//! Chapter 5: a framework. Its first part is the piece every later server shares: one HTTP/1.1
//! connection as a state machine that does no I/O ([`connection::Connection`]), and a blocking
//! server that drives it over a socket ([`server::Server`]).
//!
//! It reuses chapter 3's parser and Response builder, chapter 4's router and demo site, chapter
//! 2's lingering close and chapter 1's accept loop. The connection knows keep-alive and
//! pipelining, but this chapter's server, which serves one connection at a time, turns keep-alive
//! off: a browser's idle connection would stall every other client. Chapter 6 turns it on with a
//! thread pool, chapter 7 with an async runtime, and both drive the same `Connection`.
#![forbid(unsafe_code)]

pub mod connection;
pub mod server;

pub use connection::{Config, Connection, Next, Now};
pub use server::Server;
