//! The JSON library from the outside: what it accepts, what it builds, and that what it writes
//! reads back the same.

use stage03_parser::json::{self, ErrorKind, MAX_DEPTH, Value};

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(pairs.iter().cloned())
}

#[test]
fn valid_documents() {
    let cases = [
        ("null", Value::Null),
        (" \t\r\n true \n", Value::Bool(true)),
        ("false", Value::Bool(false)),
        ("0", Value::from(0)),
        ("-0", Value::from(-0.0)),
        ("123", Value::from(123)),
        ("-1.5e3", Value::from(-1500.0)),
        ("1E+2", Value::from(100.0)),
        ("2e-1", Value::from(0.2)),
        (r#""""#, Value::from("")),
        (r#""Grüße 😀""#, Value::from("Grüße 😀")),
        ("[]", Value::Array(vec![])),
        (
            "[ 1 , [ ] , { } ]",
            Value::array([Value::from(1), Value::Array(vec![]), Value::Object(vec![])]),
        ),
        ("{}", Value::Object(vec![])),
        (
            r#"{"b": 1, "a": {"c": [null]}}"#,
            obj(&[
                ("b", Value::from(1)),
                ("a", obj(&[("c", Value::array([Value::Null]))])),
            ]),
        ),
        (
            r#"{"a": 1, "a": 2}"#,
            obj(&[("a", Value::from(1)), ("a", Value::from(2))]),
        ),
    ];
    for (text, expected) in cases {
        let got = json::parse(text);
        assert_eq!(got.as_ref(), Ok(&expected), "{text:?}");
        // Zero and negative zero are equal as f64; the sign must survive anyway.
        if let Some(n) = expected.as_f64() {
            assert_eq!(
                got.ok().and_then(|v| v.as_f64()).map(f64::is_sign_negative),
                Some(n.is_sign_negative())
            );
        }
    }
}

#[test]
fn escapes_decode() {
    let cases = [
        (r#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{c}\n\r\t"),
        (r#""\u0041\u00e9\u20AC""#, "Aé€"),
        (r#""\u0000""#, "\u{0}"),
        (r#""\uD83D\uDE00""#, "😀"),
        (r#""\ud83d\ude00 and \uDBFF\uDFFF""#, "😀 and \u{10FFFF}"),
        (r#""a\u0022b""#, "a\"b"),
    ];
    for (text, expected) in cases {
        assert_eq!(json::parse(text), Ok(Value::from(expected)), "{text}");
    }
}

#[test]
fn numbers_at_the_edges() {
    let cases = [
        ("1e308", 1e308),
        ("-1.7976931348623157e308", f64::MIN),
        ("5e-324", 5e-324),
        ("2.4703282292062328e-324", 5e-324), // rounds up to the smallest subnormal
        ("1e-400", 0.0),                     // too small: rounds to zero, like every f64 parser
        ("9007199254740993", 9_007_199_254_740_992.0), // 2^53 + 1 is not an f64: rounded
        ("12345678901234567890", 12_345_678_901_234_567_890.0),
        ("0.1", 0.1),
    ];
    for (text, expected) in cases {
        assert_eq!(json::parse(text), Ok(Value::Number(expected)), "{text}");
    }
    for too_large in [
        "1e309",
        "-1e309",
        "1797693134862315800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let error = json::parse(too_large).map_err(|e| e.kind().clone());
        assert_eq!(error, Err(ErrorKind::NumberOutOfRange), "{too_large}");
    }
}

#[test]
fn depth_limit() {
    let nested = |depth: usize, open: &str, inner: &str, close: &str| {
        open.repeat(depth) + inner + &close.repeat(depth)
    };
    for (open, inner, close) in [("[", "", "]"), ("{\"k\":", "null", "}")] {
        let at_limit = nested(MAX_DEPTH, open, inner, close);
        assert!(
            json::parse(&at_limit).is_ok(),
            "{MAX_DEPTH} levels of {open}"
        );
        let error = json::parse(&nested(MAX_DEPTH + 1, open, inner, close)).unwrap_err();
        assert_eq!(error.kind(), &ErrorKind::TooDeep);
        assert_eq!(error.column(), MAX_DEPTH * open.chars().count() + 1);
    }
    // Far too deep, and never closed: refused without exhausting the stack.
    let error = json::parse(&"[".repeat(1_000_000)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "nested deeper than 128 arrays and objects at line 1, column 129"
    );
}

#[test]
fn positions_count_lines_and_characters() {
    let text = "{\n  \"name\": \"Grüße\",\n  \"tags\": [\"a\" \"b\"]\n}";
    let error = json::parse(text).unwrap_err();
    assert_eq!((error.line(), error.column()), (3, 16));
    assert_eq!(
        error.to_string(),
        "expected ',' or ']', found '\"' at line 3, column 16"
    );
}

#[test]
fn round_trip_table() {
    let cases = [
        r#"{"a":[1,2.5,-0,1e-7,1e21,5e-324,1.7976931348623157e308],"b":{"c":null,"d":true}}"#,
        r#"["\u0000\u001f\"\\","Grüße","😀","\/"]"#,
        r#"{"":"","a":{},"b":[]}"#,
        r#"[0.1,0.30000000000000004,123456789012,9007199254740993]"#,
        r#"{"x":1,"x":2}"#,
    ];
    for text in cases {
        let value = json::parse(text).unwrap();
        let written = json::to_string(&value);
        assert_eq!(json::parse(&written).as_ref(), Ok(&value), "{text}");
        assert_eq!(
            json::to_string(&json::parse(&written).unwrap()),
            written,
            "{text}"
        );
    }
}

/// Marsaglia's xorshift64: a seeded stand-in for a fuzzer, so failures can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_string(rng: &mut XorShift) -> String {
    const PIECES: [&str; 12] = [
        "a", "Z", " ", "\"", "\\", "/", "\n", "\u{1}", "\u{7f}", "é", "€", "😀",
    ];
    (0..rng.below(6))
        .map(|_| PIECES[rng.below(12) as usize])
        .collect()
}

fn random_number(rng: &mut XorShift) -> f64 {
    match rng.below(4) {
        0 => rng.below(1000) as f64 - 500.0,
        1 => f64::from_bits(rng.next()), // any bit pattern: subnormals, huge, tiny
        2 => (rng.below(1 << 40) as f64) / 1024.0,
        _ => -0.0,
    }
}

fn random_value(rng: &mut XorShift, depth: u32) -> Value {
    let kinds = if depth == 0 { 4 } else { 6 };
    match rng.below(kinds) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => {
            // NaN and infinities would come back as null: the serializer's documented choice.
            let n = random_number(rng);
            if n.is_finite() {
                Value::Number(n)
            } else {
                Value::Null
            }
        }
        3 => Value::String(random_string(rng)),
        4 => (0..rng.below(5))
            .map(|_| random_value(rng, depth - 1))
            .collect(),
        _ => Value::Object(
            (0..rng.below(5))
                .map(|_| (random_string(rng), random_value(rng, depth - 1)))
                .collect(),
        ),
    }
}

#[test]
fn random_documents_round_trip() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for i in 0..5_000 {
        let value = random_value(&mut rng, 4);
        let written = json::to_string(&value);
        let reread = json::parse(&written);
        assert_eq!(reread.as_ref(), Ok(&value), "document {i}: {written}");
        assert_eq!(
            reread.map(|v| json::to_string(&v)),
            Ok(written),
            "document {i}"
        );
    }
}

#[test]
fn random_bytes_never_panic() {
    const ALPHABET: &[u8] = b"{}[]\":,-+.0123456789eEtrufalsn \\u\n\t\x01\xc3\xa9";
    let mut rng = XorShift(42);
    for _ in 0..20_000 {
        let len = rng.below(24) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize])
            .collect();
        if let Ok(value) = json::parse_bytes(&bytes) {
            assert_eq!(json::parse(&json::to_string(&value)), Ok(value));
        }
    }
}

#[test]
fn values_built_in_code_serialize() {
    let message = Value::object([
        ("id", Value::from(7)),
        ("text", Value::from("Hello, \"World\"!")),
        ("tags", Value::array(["a", "b"])),
        ("reply_to", Value::from(None::<u32>)),
        ("ratio", Value::from(f64::NAN)),
    ]);
    assert_eq!(
        message.to_string(),
        r#"{"id":7,"text":"Hello, \"World\"!","tags":["a","b"],"reply_to":null,"ratio":null}"#
    );
}
