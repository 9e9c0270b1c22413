//! The JSON value: the six kinds of thing a JSON document can hold.

// ANCHOR: json_value
/// A JSON value.
///
/// Numbers are `f64`, as in JavaScript: every integer up to 2^53 is exact, larger ones are rounded.
/// An object is a list of pairs in the order they were written, so a document parses and prints
/// back in the same order. RFC 8259 says names *should* be unique but lets parsers decide what to
/// do when they are not; this one keeps every pair (nothing is lost on a round trip) and
/// [`Value::get`] answers the *last* one, as JavaScript's `JSON.parse` and serde_json do.
///
/// # Examples
///
/// ```
/// use stage03_parser::json::Value;
///
/// let message = Value::object([
///     ("id", Value::from(7)),
///     ("text", Value::from("Grüße")),
///     ("tags", Value::array(["a", "b"])),
/// ]);
/// assert_eq!(message.get("id").and_then(Value::as_f64), Some(7.0));
/// assert_eq!(message.to_string(), r#"{"id":7,"text":"Grüße","tags":["a","b"]}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number; never NaN nor infinite when it comes from the parser.
    Number(f64),
    /// A string, escapes decoded.
    String(String),
    /// `[ ... ]`
    Array(Vec<Value>),
    /// `{ ... }`: name/value pairs in document order.
    Object(Vec<(String, Value)>),
}
// ANCHOR_END: json_value

impl Value {
    /// An object from name/value pairs, kept in the order given.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// An array from anything that converts into values.
    pub fn array<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
        Value::Array(items.into_iter().map(Into::into).collect())
    }

    /// The value of the member called `key` (the last one, if it is repeated), or `None` when this
    /// is not an object or has no such member.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Sets the member `key` of an object: replaces every member of that name with one, where the
    /// first was, or adds it at the end. Does nothing when this is not an object.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let Value::Object(pairs) = self else {
            return;
        };
        let key = key.into();
        match pairs.iter().position(|(k, _)| *k == key) {
            Some(first) => {
                pairs[first].1 = value;
                let mut index = 0;
                pairs.retain(|(k, _)| {
                    let keep = index <= first || *k != key;
                    index += 1;
                    keep
                });
            }
            None => pairs.push((key, value)),
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The number as an integer, if this is a number with no fractional part that fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        let n = self.as_f64()?;
        // 2^63 is exactly representable; anything at or beyond it does not fit.
        let fits = n.fract() == 0.0 && n >= -(2f64.powi(63)) && n < 2f64.powi(63);
        fits.then_some(n as i64)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The name/value pairs in document order, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

/// Integer conversions. `i64`, `u64` and `usize` beyond 2^53 are rounded to the nearest `f64`,
/// as JavaScript would.
macro_rules! from_number {
    ($($t:ty),*) => {
        $(impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Number(n as f64)
            }
        })*
    };
}
from_number!(i8, i16, i32, i64, u8, u16, u32, u64, usize, f32);

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

/// `None` is `null`.
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(option: Option<T>) -> Value {
        option.map_or(Value::Null, Into::into)
    }
}

/// Collecting values makes an array.
impl FromIterator<Value> for Value {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Value {
        Value::Array(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::Value;

    #[test]
    fn accessors_answer_only_for_their_kind() {
        let values = [
            Value::Null,
            Value::from(true),
            Value::from(2.5),
            Value::from("s"),
            Value::array([1, 2]),
            Value::object([("k", Value::Null)]),
        ];
        for (i, v) in values.iter().enumerate() {
            assert_eq!(v.is_null(), i == 0, "{v:?}");
            assert_eq!(v.as_bool().is_some(), i == 1, "{v:?}");
            assert_eq!(v.as_f64().is_some(), i == 2, "{v:?}");
            assert_eq!(v.as_str().is_some(), i == 3, "{v:?}");
            assert_eq!(v.as_array().is_some(), i == 4, "{v:?}");
            assert_eq!(v.as_object().is_some(), i == 5, "{v:?}");
        }
    }

    #[test]
    fn get_answers_the_last_of_repeated_names() {
        let v = Value::object([
            ("a", Value::from(1)),
            ("b", Value::from(2)),
            ("a", Value::from(3)),
        ]);
        let cases = [("a", Some(3.0)), ("b", Some(2.0)), ("c", None)];
        for (key, expected) in cases {
            assert_eq!(v.get(key).and_then(Value::as_f64), expected, "{key}");
        }
        assert_eq!(Value::from("a").get("a"), None);
    }

    #[test]
    fn insert_replaces_in_place_or_appends() {
        let mut v = Value::object([
            ("a", Value::from(1)),
            ("b", Value::from(2)),
            ("a", Value::from(3)),
        ]);
        v.insert("a", Value::from(9));
        assert_eq!(
            v,
            Value::object([("a", Value::from(9)), ("b", Value::from(2))])
        );
        v.insert("c", Value::Null);
        assert_eq!(v.as_object().map(<[_]>::len), Some(3));
        let mut not_object = Value::Null;
        not_object.insert("a", Value::Null);
        assert_eq!(not_object, Value::Null);
    }

    #[test]
    fn as_i64_only_for_whole_numbers_in_range() {
        let cases = [
            (0.0, Some(0)),
            (-7.0, Some(-7)),
            (2.5, None),
            (9_007_199_254_740_992.0, Some(9_007_199_254_740_992)),
            (-9_223_372_036_854_775_808.0, Some(i64::MIN)),
            (9_223_372_036_854_775_808.0, None),
            (1e300, None),
        ];
        for (n, expected) in cases {
            assert_eq!(Value::from(n).as_i64(), expected, "{n}");
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(Value::from(Some("x")), Value::String("x".into()));
        assert_eq!(Value::from(None::<bool>), Value::Null);
        assert_eq!(Value::from(3u8), Value::Number(3.0));
        assert_eq!(
            [1, 2].into_iter().map(Value::from).collect::<Value>(),
            Value::Array(vec![Value::Number(1.0), Value::Number(2.0)])
        );
    }
}
