//! A small JSON library: a [`Value`], a strict parser and a serializer.
//!
//! The grammar is RFC 8259's, all of it and nothing more. What the RFC leaves to implementations
//! is decided here, and said where it is decided:
//!
//! - numbers are `f64` ([`Value`]); a number too large for one (`1e309`) is an error, one too small
//!   (`1e-400`) becomes `0`, as every `f64` parser rounds it;
//! - repeated names in an object are all kept, and [`Value::get`] answers the last ([`Value`]);
//! - arrays and objects nest at most [`MAX_DEPTH`] deep;
//! - NaN and infinities, which only a program can make, are written as `null` (`serialize`).
//!
//! serde_json is what a real program uses: it parses straight into your own structs through
//! `#[derive(Deserialize)]`, without building a `Value` first, and is much faster. This module
//! shows what such a library has to get right underneath.
//!
//! # Examples
//!
//! ```
//! use stage03_parser::json::{self, Value};
//!
//! let text = r#"{"name": "Ferris", "tags": ["crab", "rust"], "age": 9}"#;
//! let value = json::parse(text).unwrap();
//! assert_eq!(value.get("name").and_then(Value::as_str), Some("Ferris"));
//! assert_eq!(value.to_string(), r#"{"name":"Ferris","tags":["crab","rust"],"age":9}"#);
//! assert_eq!(json::parse(&value.to_string()).unwrap(), value);
//! ```

mod error;
mod parse;
mod serialize;
mod value;

pub use error::{ErrorKind, JsonError};
pub use parse::{MAX_DEPTH, parse, parse_bytes};
pub use value::Value;

/// The compact JSON text of a value; the same as `value.to_string()`.
pub fn to_string(value: &Value) -> String {
    value.to_string()
}
