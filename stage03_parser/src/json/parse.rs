//! A strict RFC 8259 parser: text in, a [`Value`] or an error with its line and column out.
//!
//! Strict means it accepts what the grammar says and nothing else — no trailing commas, no leading
//! zeros, no `+1`, no `NaN`, no comments, no single quotes — because a lenient parser is one that
//! a different program reading the same bytes will disagree with. It is a recursive-descent parser
//! (one function per grammar rule) with a nesting limit, so hostile input like ten thousand `[`
//! cannot overflow the stack.

use super::Value;
use super::error::{ErrorKind, JsonError};

/// How deeply arrays and objects may nest. serde_json stops at 128 too; real documents rarely go
/// past ten, and each level costs a few hundred bytes of stack in a recursive parser.
pub const MAX_DEPTH: usize = 128;

/// Parses one JSON document: a single value, surrounded by nothing but whitespace.
///
/// # Examples
///
/// ```
/// use stage03_parser::json::{self, Value};
///
/// let value = json::parse(r#"{"name": "Ferris", "legs": 6}"#).unwrap();
/// assert_eq!(value.get("legs"), Some(&Value::from(6)));
///
/// let error = json::parse("{\"name\": \"Ferris\",\n \"legs\" 6}").unwrap_err();
/// assert_eq!(error.to_string(), "expected ':', found '6' at line 2, column 9");
/// ```
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.whitespace();
    match parser.peek_char() {
        None => Ok(value),
        Some(found) => Err(parser.error(ErrorKind::TrailingCharacters(found))),
    }
}

/// Parses a JSON document from bytes (a request body, say). JSON text is UTF-8 (RFC 8259 §8.1);
/// anything else is an error pointing at the first byte that is not.
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, JsonError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => Err(JsonError::at(
            bytes,
            e.valid_up_to(),
            ErrorKind::InvalidUtf8,
        )),
    }
}

/// The parser's state: the input and where it has got to.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, kind: ErrorKind) -> JsonError {
        JsonError::at(self.bytes, self.pos, kind)
    }

    fn expected(&self, expected: &'static str) -> JsonError {
        self.error(ErrorKind::Expected {
            expected,
            found: self.peek_char(),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The whole character at the cursor, for error messages (the cursor is always on a
    /// character boundary when an error is reported).
    fn peek_char(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    /// Skips the four whitespace characters JSON allows, and no others (not U+00A0, not U+FEFF).
    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    // ANCHOR: json_value_rule
    /// value = ws ( object / array / string / number / true / false / null ) ws
    fn value(&mut self) -> Result<Value, JsonError> {
        self.whitespace();
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            _ => Err(self.expected("a value")),
        }
    }
    // ANCHOR_END: json_value_rule

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Value, JsonError> {
        let rest = &self.bytes[self.pos..];
        // `trueish` is not `true` followed by garbage worth a separate message: it is a bad word.
        let after = rest.get(word.len()).copied().unwrap_or(b' ');
        if rest.starts_with(word.as_bytes()) && !after.is_ascii_alphanumeric() {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error(ErrorKind::InvalidLiteral(word)))
        }
    }

    /// Counts one more level of nesting, refusing to go past [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), JsonError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error(ErrorKind::TooDeep));
        }
        self.depth += 1;
        self.pos += 1; // the `[` or `{`
        Ok(())
    }

    /// array = `[` [ value *( `,` value ) ] `]`
    fn array(&mut self) -> Result<Value, JsonError> {
        self.enter()?;
        let mut items = Vec::new();
        self.whitespace();
        if !self.eat(b']') {
            loop {
                self.whitespace();
                if self.peek() == Some(b']') && !items.is_empty() {
                    return Err(self.error(ErrorKind::TrailingComma));
                }
                items.push(self.value()?);
                self.whitespace();
                if self.eat(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.expected("',' or ']'"));
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    /// object = `{` [ member *( `,` member ) ] `}`; member = string `:` value
    fn object(&mut self) -> Result<Value, JsonError> {
        self.enter()?;
        let mut pairs = Vec::new();
        self.whitespace();
        if !self.eat(b'}') {
            loop {
                self.whitespace();
                match self.peek() {
                    Some(b'"') => {}
                    Some(b'}') if !pairs.is_empty() => {
                        return Err(self.error(ErrorKind::TrailingComma));
                    }
                    _ => return Err(self.expected("a member name in double quotes")),
                }
                let name = self.string()?;
                self.whitespace();
                if !self.eat(b':') {
                    return Err(self.expected("':'"));
                }
                pairs.push((name, self.value()?));
                self.whitespace();
                if self.eat(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.expected("',' or '}'"));
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Object(pairs))
    }

    // ANCHOR: json_number
    /// number = [ `-` ] int [ frac ] [ exp ]; int = `0` / digit1-9 *digit
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(self.error(ErrorKind::LeadingZero));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.expected("a digit")),
        }
        if self.eat(b'.') && !self.digits() {
            return Err(self.expected("a digit after '.'"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _sign = self.eat(b'+') || self.eat(b'-');
            if !self.digits() {
                return Err(self.expected("a digit in the exponent"));
            }
        }
        // The grammar above is a subset of what Rust's float parser accepts, and Rust's parser
        // rounds correctly, so the text can be handed over as it is.
        match self.text[start..self.pos].parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Value::Number(n)),
            _ => Err(JsonError::at(
                self.bytes,
                start,
                ErrorKind::NumberOutOfRange,
            )),
        }
    }
    // ANCHOR_END: json_number

    // ANCHOR: json_string
    /// string = `"` *char `"`: copies runs of plain characters in one go, decodes escapes.
    fn string(&mut self) -> Result<String, JsonError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            match self.peek() {
                None => {
                    return Err(JsonError::at(
                        self.bytes,
                        open,
                        ErrorKind::UnterminatedString,
                    ));
                }
                Some(b'"') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.pos]);
                    out.push(self.escape()?);
                    run = self.pos;
                }
                Some(b) if b < 0x20 => {
                    return Err(self.error(ErrorKind::ControlCharacter(b.into())));
                }
                Some(_) => self.pos += 1,
            }
        }
    }
    // ANCHOR_END: json_string

    /// One escape, the cursor on its backslash.
    fn escape(&mut self) -> Result<char, JsonError> {
        let backslash = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(backslash),
            _ => return Err(self.error(ErrorKind::InvalidEscape(self.peek_char()))),
        };
        self.pos += 1;
        Ok(c)
    }

    // ANCHOR: json_surrogates
    /// `\uXXXX`, or the pair `\uD83D\uDE00` that UTF-16 needs for characters past U+FFFF.
    fn unicode_escape(&mut self, backslash: usize) -> Result<char, JsonError> {
        self.pos += 1; // the `u`
        let bytes = self.bytes;
        let lone = |unit| JsonError::at(bytes, backslash, ErrorKind::LoneSurrogate(unit));
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(lone(high));
                }
                self.pos += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(lone(high));
                }
                0x1_0000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(lone(high)),
            _ => u32::from(high),
        };
        // Every surrogate was handled above, so `code` is a Unicode scalar value.
        char::from_u32(code).ok_or_else(|| lone(high))
    }
    // ANCHOR_END: json_surrogates

    /// Four hexadecimal digits.
    fn hex4(&mut self) -> Result<u16, JsonError> {
        let mut unit = 0u16;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.error(ErrorKind::InvalidUnicodeEscape));
            };
            unit = unit * 16 + digit as u16;
            self.pos += 1;
        }
        Ok(unit)
    }

    /// Skips `*digit`; true when there was at least one.
    fn digits(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos > start
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, parse_bytes};

    #[test]
    fn invalid_documents_say_what_and_where() {
        let cases = [
            (
                "",
                "expected a value, found the end of the input at line 1, column 1",
            ),
            (
                "   ",
                "expected a value, found the end of the input at line 1, column 4",
            ),
            (
                "[1,]",
                "trailing comma (nothing may follow the last ',') at line 1, column 4",
            ),
            (
                "{\"a\":1,}",
                "trailing comma (nothing may follow the last ',') at line 1, column 8",
            ),
            (
                "[1 2]",
                "expected ',' or ']', found '2' at line 1, column 4",
            ),
            (
                "{\"a\":1\n \"b\":2}",
                "expected ',' or '}', found '\"' at line 2, column 2",
            ),
            ("{\"a\" 1}", "expected ':', found '1' at line 1, column 6"),
            (
                "{a:1}",
                "expected a member name in double quotes, found 'a' at line 1, column 2",
            ),
            (
                "{'a':1}",
                "expected a member name in double quotes, found '\\'' at line 1, column 2",
            ),
            (
                "[",
                "expected a value, found the end of the input at line 1, column 2",
            ),
            (
                "[1",
                "expected ',' or ']', found the end of the input at line 1, column 3",
            ),
            (
                "01",
                "numbers cannot start with 0 unless they are 0 at line 1, column 2",
            ),
            (
                "-01",
                "numbers cannot start with 0 unless they are 0 at line 1, column 3",
            ),
            ("+1", "expected a value, found '+' at line 1, column 1"),
            (".5", "expected a value, found '.' at line 1, column 1"),
            (
                "1.",
                "expected a digit after '.', found the end of the input at line 1, column 3",
            ),
            (
                "1.e3",
                "expected a digit after '.', found 'e' at line 1, column 3",
            ),
            (
                "1e",
                "expected a digit in the exponent, found the end of the input at line 1, column 3",
            ),
            (
                "1e+",
                "expected a digit in the exponent, found the end of the input at line 1, column 4",
            ),
            (
                "-",
                "expected a digit, found the end of the input at line 1, column 2",
            ),
            ("-x", "expected a digit, found 'x' at line 1, column 2"),
            ("NaN", "expected a value, found 'N' at line 1, column 1"),
            (
                "Infinity",
                "expected a value, found 'I' at line 1, column 1",
            ),
            (
                "-Infinity",
                "expected a digit, found 'I' at line 1, column 2",
            ),
            (
                "1e309",
                "number too large for a 64-bit float at line 1, column 1",
            ),
            (
                "[-1e400]",
                "number too large for a 64-bit float at line 1, column 2",
            ),
            (
                "tru",
                "invalid literal (did you mean true?) at line 1, column 1",
            ),
            (
                "nulls",
                "invalid literal (did you mean null?) at line 1, column 1",
            ),
            ("True", "expected a value, found 'T' at line 1, column 1"),
            ("1 2", "unexpected '2' after the value at line 1, column 3"),
            ("{} x", "unexpected 'x' after the value at line 1, column 4"),
            (
                "\"abc",
                "string never ends (no closing '\"') at line 1, column 1",
            ),
            (
                "\"a\nb\"",
                "control character U+000A must be escaped in a string at line 1, column 3",
            ),
            (
                "\"\t\"",
                "control character U+0009 must be escaped in a string at line 1, column 2",
            ),
            ("\"\\x\"", "invalid escape '\\x' at line 1, column 3"),
            ("\"\\", "a '\\' ends the input at line 1, column 3"),
            (
                "\"\\u12\"",
                "'\\u' needs four hexadecimal digits at line 1, column 6",
            ),
            (
                "\"\\uZZZZ\"",
                "'\\u' needs four hexadecimal digits at line 1, column 4",
            ),
            (
                "\"\\uD800\"",
                "lone surrogate '\\uD800' (UTF-16 halves come in pairs) at line 1, column 2",
            ),
            (
                "\"\\uDC00\"",
                "lone surrogate '\\uDC00' (UTF-16 halves come in pairs) at line 1, column 2",
            ),
            (
                "\"\\uD800\\u0041\"",
                "lone surrogate '\\uD800' (UTF-16 halves come in pairs) at line 1, column 2",
            ),
            (
                "\u{a0}1",
                "expected a value, found '\\u{a0}' at line 1, column 1",
            ),
            (
                "\u{feff}1",
                "expected a value, found '\\u{feff}' at line 1, column 1",
            ),
            (
                "[\"Grüße\" x]",
                "expected ',' or ']', found 'x' at line 1, column 10",
            ),
            (
                "/* c */ 1",
                "expected a value, found '/' at line 1, column 1",
            ),
        ];
        for (text, expected) in cases {
            let got = parse(text).map_err(|e| e.to_string());
            assert_eq!(got, Err(expected.to_owned()), "{text:?}");
        }
    }

    #[test]
    fn bytes_must_be_utf8() {
        let cases: [(&[u8], &str); 2] = [
            (b"[\"\xff\"]", "invalid UTF-8 at line 1, column 3"),
            (b"\n\"\xc3\xa9\xc3\"", "invalid UTF-8 at line 2, column 3"),
        ];
        for (bytes, expected) in cases {
            let got = parse_bytes(bytes).map_err(|e| e.to_string());
            assert_eq!(got, Err(expected.to_owned()), "{bytes:?}");
        }
        assert!(parse_bytes("\"é\"".as_bytes()).is_ok());
    }
}
