//! Writing a [`Value`] as JSON text.
//!
//! `value.to_string()` (through `Display`) gives the compact form, with no whitespace. Strings are
//! escaped as RFC 8259 §7 requires and no more: `"`, `\`, and the control characters below U+0020;
//! everything else, non-ASCII included, is written as itself, since JSON text is UTF-8.

use super::Value;
use std::fmt::{self, Write};

impl fmt::Display for Value {
    /// The compact JSON text of the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use stage03_parser::json::Value;
    ///
    /// let value = Value::object([("say", Value::from("\"hi\"\n")), ("n", Value::from(1.0))]);
    /// assert_eq!(value.to_string(), r#"{"say":"\"hi\"\n","n":1}"#);
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self)
    }
}

fn write_value(out: &mut impl Write, value: &Value) -> fmt::Result {
    match value {
        Value::Null => out.write_str("null"),
        Value::Bool(b) => out.write_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, *n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                write_value(out, item)?;
            }
            out.write_char(']')
        }
        Value::Object(pairs) => {
            out.write_char('{')?;
            for (i, (name, item)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                write_string(out, name)?;
                out.write_char(':')?;
                write_value(out, item)?;
            }
            out.write_char('}')
        }
    }
}

// ANCHOR: json_write_number
/// Writes a number so that parsing it gives back the same `f64`.
///
/// Rust's `{}` and `{:e}` print the shortest digits that round-trip, and `{}` prints `1.0` as `1`.
/// `{}` never uses an exponent, though, so `1e300` would come out as 301 digits: past the range
/// JavaScript also writes in plain digits (1e-6 up to 1e21), switch to `{:e}`.
///
/// JSON has no NaN nor infinity. The parser never makes one, but a program can (`0.0 / 0.0`); they
/// are written as `null`, as JavaScript's `JSON.stringify` does, so the output is always JSON.
fn write_number(out: &mut impl Write, n: f64) -> fmt::Result {
    if !n.is_finite() {
        return out.write_str("null");
    }
    let magnitude = n.abs();
    if magnitude == 0.0 || (1e-6..1e21).contains(&magnitude) {
        write!(out, "{n}")
    } else {
        write!(out, "{n:e}")
    }
}
// ANCHOR_END: json_write_number

// ANCHOR: json_write_string
/// Writes a string between quotes, escaping what JSON requires and copying the rest in runs.
fn write_string(out: &mut impl Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            c if c >= ' ' => continue,
            _ => None, // other control characters have no short escape
        };
        out.write_str(&s[run..i])?;
        match short {
            Some(escape) => out.write_str(escape)?,
            None => write!(out, "\\u{:04x}", c as u32)?,
        }
        run = i + c.len_utf8();
    }
    out.write_str(&s[run..])?;
    out.write_char('"')
}
// ANCHOR_END: json_write_string

#[cfg(test)]
mod tests {
    use super::Value;

    #[test]
    fn strings_escape_what_json_requires_and_no_more() {
        let cases = [
            ("plain", r#""plain""#),
            ("quote \" and \\", r#""quote \" and \\""#),
            ("\n\r\t\u{8}\u{c}", r#""\n\r\t\b\f""#),
            ("\u{0}\u{1f}", r#""\u0000\u001f""#),
            ("/ stays", r#""/ stays""#),
            ("Grüße, 😀", "\"Grüße, 😀\""),
            ("\u{7f}", "\"\u{7f}\""),
        ];
        for (s, expected) in cases {
            assert_eq!(Value::from(s).to_string(), expected, "{s:?}");
        }
    }

    #[test]
    fn numbers_print_short_and_exact() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-42.0, "-42"),
            (0.1, "0.1"),
            (2.5e-6, "0.0000025"),
            (1e-7, "1e-7"),
            (123_456_789_012_345_680_000.0, "123456789012345680000"),
            (1e21, "1e21"),
            (1e308, "1e308"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
            (f64::NEG_INFINITY, "null"),
        ];
        for (n, expected) in cases {
            assert_eq!(Value::from(n).to_string(), expected, "{n}");
        }
    }

    #[test]
    fn containers() {
        let cases = [
            (Value::Array(vec![]), "[]"),
            (Value::Object(vec![]), "{}"),
            (
                Value::array([Value::Null, Value::from(true)]),
                "[null,true]",
            ),
            (
                Value::object([("b", Value::from(1)), ("a", Value::array([false]))]),
                r#"{"b":1,"a":[false]}"#,
            ),
            (Value::object([("\"", Value::Null)]), r#"{"\"":null}"#),
        ];
        for (value, expected) in cases {
            assert_eq!(value.to_string(), expected);
        }
    }
}
