//! A small JSON reader, std only, for chapter 3's mirror: the checker compares the values a
//! server sent, not their text, so `json.dumps`'s spaces, keys in another order and escapes such
//! as `\u0026` or `\/` are the same answer as the book's. It also says where each of the top
//! object's values starts, so that a wrong one can be pointed at in the bytes received.
//!
//! Not chapter 3's `stage03_parser::json`, on purpose: the checker grades chapter 3's own server,
//! whose JSON that library writes, and a reader from the same library would share its mistakes
//! (one that writes and reads an escape wrongly in the same way would pass itself). A grader
//! reads with code of its own.

use std::fmt;

/// A JSON value. Objects keep their members in the order sent, and compare without it.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(key, value)| b.iter().any(|(k, v)| k == key && v == value))
            }
            _ => false,
        }
    }
}

impl Value {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Compact JSON text, to show a value in a failure.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => f.write_str(&crate::report::json_string(s)),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Object(members) => {
                f.write_str("{")?;
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{value}", crate::report::json_string(key))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A document read: its value, and where each member of the top object starts in the text.
pub struct Document {
    pub value: Value,
    pub starts: Vec<(String, usize)>,
}

impl Document {
    /// Where the top object's member `key` starts in the text.
    pub fn start_of(&self, key: &str) -> Option<usize> {
        self.starts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, at)| *at)
    }
}

/// Reads one JSON document; fails with what is wrong and at which byte.
pub fn parse(text: &str) -> Result<Document, (String, usize)> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        at: 0,
        starts: Vec::new(),
        depth: 0,
    };
    let value = reader.value()?;
    reader.spaces();
    if reader.at < reader.bytes.len() {
        return Err(reader.error("more after the end of the JSON value"));
    }
    Ok(Document {
        value,
        starts: reader.starts,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    starts: Vec<(String, usize)>,
    depth: usize,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> (String, usize) {
        (what.to_string(), self.at)
    }

    fn spaces(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.spaces();
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, (String, usize)> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("not a JSON value"))
        }
    }

    fn value(&mut self) -> Result<Value, (String, usize)> {
        self.spaces();
        if self.depth > 64 {
            return Err(self.error("nested more than 64 deep"));
        }
        match self.bytes.get(self.at) {
            None => Err(self.error("the JSON ends where a value was expected")),
            Some(b'n') => self.word("null", Value::Null),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => {
                self.at += 1;
                self.depth += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value()?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.error("expected , or ] in an array"));
                        }
                    }
                }
                self.depth -= 1;
                Ok(Value::Array(items))
            }
            Some(b'{') => {
                self.at += 1;
                self.depth += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.spaces();
                        if self.bytes.get(self.at) != Some(&b'"') {
                            return Err(self.error("expected a key in quotes"));
                        }
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return Err(self.error("expected : after a key"));
                        }
                        self.spaces();
                        if self.depth == 1 {
                            self.starts.push((key.clone(), self.at));
                        }
                        let value = self.value()?;
                        members.push((key, value));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.error("expected , or } in an object"));
                        }
                    }
                }
                self.depth -= 1;
                Ok(Value::Object(members))
            }
            Some(_) => self.number(),
        }
    }

    fn number(&mut self) -> Result<Value, (String, usize)> {
        let start = self.at;
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        {
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or_default();
        match text.parse::<f64>() {
            Ok(n) if !text.is_empty() && !text.starts_with('+') => Ok(Value::Number(n)),
            _ => {
                self.at = start;
                Err(self.error("not a JSON value"))
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, (String, usize)> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("\\u needs four hex digits"))?;
        self.at += 4;
        Ok(digits)
    }

    fn string(&mut self) -> Result<String, (String, usize)> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(self.error("a string without its closing quote"));
            };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escaped) = self.bytes.get(self.at) else {
                        return Err(self.error("a string without its closing quote"));
                    };
                    self.at += 1;
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&first)
                                && self.bytes[self.at..].starts_with(b"\\u")
                            {
                                self.at += 2;
                                let second = self.hex4()?;
                                0x10000 + ((first - 0xd800) << 10) + (second.wrapping_sub(0xdc00))
                            } else {
                                first
                            };
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return Err(self.error("an unknown escape in a string")),
                    };
                    let mut buffer = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
                byte => out.push(byte),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::{Value, parse};

    fn value(text: &str) -> Value {
        parse(text).map(|d| d.value).expect(text)
    }

    #[test]
    fn objects_compare_unordered_and_arrays_ordered() {
        assert_eq!(
            value(r#"{"a": 1, "b": [1, 2]}"#),
            value(r#"{"b":[1,2],"a":1}"#)
        );
        assert_ne!(value("[1, 2]"), value("[2, 1]"));
        assert_ne!(value(r#"{"a": 1}"#), value(r#"{"a": 1, "b": 2}"#));
    }

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(value(r#""a\u0026b\/c\"""#), Value::String("a&b/c\"".into()));
        assert_eq!(value(r#""\ud83e\udd80""#), Value::String("🦀".into()));
    }

    #[test]
    fn says_where_each_member_starts_and_what_is_wrong() {
        let text = r#"{"method": "GET", "n": {"inner": 1}}"#;
        let document = parse(text).expect("JSON");
        assert_eq!(document.start_of("method"), Some(11));
        assert_eq!(document.start_of("inner"), None);
        assert_eq!(
            document.value.get("n").map(Value::to_string),
            Some(r#"{"inner":1}"#.into())
        );
        assert_eq!(parse(r#"{"a": }"#).err().map(|e| e.1), Some(6));
    }
}
