//! Chapter 4: routing. Chapter 3 could parse any request and answer it, but every request got the
//! same answer; this chapter decides *which* code answers *which* request.
//!
//! It starts (in the book, and in `tests/static_table.rs`) from a map of exact `(method, path)`
//! pairs, shows where that stops being enough, and builds the [`Router`] the rest of the repository
//! uses: patterns with `{params}` and a trailing `{*catch_all}`, matched segment by segment in a
//! tree, with `404` and `405` told apart and a trailing-slash policy. The router is generic over the
//! handler type, so chapter 5's framework stores its own handlers in it unchanged.
//!
//! It reuses chapter 3's parser, [`Method`], Response builder and blocking server: [`site`] holds the
//! first routes of the demo site and [`dispatch`] answers each request through them. Chapter 5 turns the
//! handler functions into a framework; chapter 6 serves many clients at once.
#![forbid(unsafe_code)]

pub mod dispatch;
mod endpoint;
pub mod error;
pub mod params;
mod pattern;
pub mod router;
pub mod site;
mod tree;

pub use error::{PatternProblem, RouteError};
pub use params::Params;
pub use params::decode_segment;
pub use pattern::{parameter_names, split_path};
pub use router::{Lookup, Route, Router};
pub use stage03_parser::Method;
