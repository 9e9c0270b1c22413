//! Chapter 2: HTTP is text over TCP.
//!
//! Chapter 1 moved bytes. HTTP gives them a shape: a request is a line, some `Name: value` header
//! lines, an empty line, and maybe a body; a response is the same with a status line first. Every
//! line ends in CR LF. This crate speaks that by hand, with no parser yet:
//!
//! - [`head`] reads a request until the empty line that ends its head, within a size and a time
//!   limit, however the bytes are split across reads;
//! - [`server`] answers every request with the same correct `Hello, World!` response, printing the
//!   raw request with its `\r` and `\n` made visible ([`visible`]);
//! - [`client`] writes a request by hand and reads a response, framed by `Content-Length`, by
//!   chunks, or by the server closing.
//!
//! It reuses chapter 1's command-line reader. Chapter 3 replaces "read until the blank line" with a
//! real parser that understands what the head says.
#![forbid(unsafe_code)]

pub mod answer;
pub mod client;
pub mod head;
pub mod server;
pub mod url;
pub mod visible;
