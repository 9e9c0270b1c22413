//! Chapter 3: a hand-written, sans-IO HTTP/1.1 request parser, a Response builder, URL and form
//! decoding, and a small JSON library.
//!
//! Chapter 2 read a request with string splitting and trusted what it found. This chapter parses
//! it properly: every grammar rule checked, every limit enforced, every error mapped to the status
//! that answers it. The [`Parser`] does no I/O, so the blocking [`server`] here, chapter 6's thread
//! pool and chapter 7's async runtime all drive the same code. The server still answers one
//! request per connection and closes; chapter 4 adds routing on top of it, chapter 6 keep-alive.
#![forbid(unsafe_code)]

pub mod body_stream;
pub mod chunked;
pub mod date;
pub mod error;
pub mod framing;
pub mod head;
pub mod headers;
pub mod host;
pub mod json;
pub mod limits;
pub mod line;
pub mod method;
pub mod mirror;
pub mod parser;
pub mod request;
pub mod response;
pub mod server;
pub mod status;
pub mod target;
pub mod url;

pub use error::ParseError;
pub use headers::Headers;
pub use limits::Limits;
pub use method::Method;
pub use parser::{Parsed, Parser};
pub use request::{Request, Version};
pub use response::Response;
pub use server::{Server, Timeouts, serve_connection};
pub use status::Status;
pub use url::Params;
