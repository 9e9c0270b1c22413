//! Test helpers shared by the whole workspace, written with std only.
//!
//! - [`binary`]: start a stage's real binary on port 0 and read the address it prints, as a person
//!   would, so no test needs a fixed port or a sleep.
//! - [`raw`]: talk to a server with a bare `TcpStream`, where the exact bytes matter.
//! - [`book`]: compare every Rust snippet in BOOK.md with the marked region of source it quotes.
//! - [`folder`]: a temporary folder of a test's own, for servers that keep data on disk.
//!
//! The behaviour suites themselves live in `tests/behaviour/`, where each stage registers its
//! server once and is run against every earlier suite whose behaviour it keeps.
#![forbid(unsafe_code)]

pub mod binary;
pub mod book;
pub mod folder;
pub mod raw;
