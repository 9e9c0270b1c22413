//! Chapter 3: a hand-written, sans-IO HTTP/1.1 request parser (work in progress).
#![forbid(unsafe_code)]

pub mod date;
pub mod headers;
pub mod method;
pub mod status;

pub use headers::Headers;
pub use method::Method;
