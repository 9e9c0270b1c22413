//! Chapter 3's exercises, in the order of the book: 3.1 to 3.4 in part 1 (the parser), 3.5 in
//! part 2 (the response), 3.6 in part 3 (JSON). Each test fails until its exercise is solved;
//! `cargo test -p stage03_parser --test exercises exercise_3_1 -- --ignored` runs one.

use std::time::UNIX_EPOCH;

use stage03_parser::json::{self, Value};
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::{Limits, Parsed, Parser, Request};

fn parse(input: &[u8]) -> Result<Request, u16> {
    match Parser::new(Limits::default()).parse(input) {
        Ok(Parsed::Complete { request, .. }) => Ok(request),
        Ok(Parsed::Incomplete) => panic!("the test input is a whole request"),
        Err(e) => Err(e.status().code()),
    }
}

/// Exercise 3.1. RFC 9110 §10.1.1: a server that receives an `Expect` it does not understand may
/// answer `417 Expectation Failed`. Only `100-continue` is defined.
#[test]
#[ignore = "exercise 3.1: answer 417 to an Expect other than 100-continue"]
fn exercise_3_1_an_unknown_expectation_is_417() {
    let request = b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(parse(request).map(|_| ()), Err(417));
    let fine = b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 0\r\n\r\n";
    assert!(parse(fine).is_ok());
}

/// Exercise 3.2. RFC 9112 §3.2.2: when the target is in absolute form (`http://host/path`, what a
/// client sends to a proxy), the server MUST ignore `Host` and use the target's authority.
/// `Request::host` reads the `Host` field today; make it answer the target's authority instead
/// when there is one.
#[test]
#[ignore = "exercise 3.2: the authority of an absolute-form target overrides Host"]
fn exercise_3_2_the_target_authority_overrides_host() {
    let cases = [
        (
            "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n",
            Some("a.example"),
        ),
        (
            "GET http://b.example:8080/x HTTP/1.1\r\nHost: a.example\r\n\r\n",
            Some("b.example:8080"),
        ),
        (
            "GET HTTPS://b.example?q HTTP/1.1\r\nHost: a\r\n\r\n",
            Some("b.example"),
        ),
        ("GET /old HTTP/1.0\r\n\r\n", None),
    ];
    for (request, host) in cases {
        let parsed = parse(request.as_bytes()).unwrap_or_else(|status| panic!("{status}"));
        assert_eq!(parsed.host(), host, "{request:?}");
    }
}

/// Exercise 3.3. A path whose dot-segments climb above the root (RFC 3986 §5.2.4: `%2e` is a dot
/// too) can only be an attack: chapter 5 serves files from a folder, and `/../` must never leave
/// it. Refuse such a target with 400; a `..` that stays inside (`/a/../b`) is fine.
#[test]
#[ignore = "exercise 3.3: 400 for a path whose dot-segments climb above the root"]
fn exercise_3_3_a_path_cannot_climb_above_the_root() {
    for target in ["/a/./b/../c", "/a/b/..", "/a/%2e%2e/b", "/./", "/a/..b"] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
        assert!(parse(request.as_bytes()).is_ok(), "{target}");
    }
    for target in [
        "/..",
        "/a/../../etc/passwd",
        "/%2e%2e/secret",
        "/a/%2E%2e/../b",
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(parse(request.as_bytes()).map(|_| ()), Err(400), "{target}");
    }
}

/// Exercise 3.4. A chunked body of one-byte chunks costs five bytes of framing per byte of body,
/// and a client can send a million of them under the body limit. Refuse (400) a chunked body
/// whose framing is larger than its data plus 1 KiB, without slowing down normal bodies and
/// keeping the byte-at-a-time cost linear.
#[test]
#[ignore = "exercise 3.4: refuse chunked bodies that are mostly framing"]
fn exercise_3_4_a_body_of_tiny_chunks_is_refused() {
    let head = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    let mut tiny = head.to_vec();
    for _ in 0..100_000 {
        tiny.extend_from_slice(b"1\r\nx\r\n");
    }
    tiny.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(parse(&tiny).map(|_| ()), Err(400));

    let mut normal = head.to_vec();
    for _ in 0..16 {
        normal.extend_from_slice(b"1000\r\n");
        normal.extend_from_slice(&[b'x'; 0x1000]);
        normal.extend_from_slice(b"\r\n");
    }
    normal.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(parse(&normal).map(|r| r.body.len()), Ok(16 * 0x1000));
}

/// The value of the first header called `name` in serialized response bytes.
fn header(bytes: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

/// Exercise 3.5 (part 2). A strong ETag computed from the body.
#[test]
#[ignore = "exercise 3.5: a strong ETag computed from the body"]
fn exercise_3_5_etag_from_the_body() {
    let at = |response: &Response| {
        let mut out = Vec::new();
        response.write_to(&mut out, false, UNIX_EPOCH);
        out
    };
    let hello = header(&at(&Response::text(Status::OK, "Hello")), "ETag");
    let again = header(&at(&Response::text(Status::OK, "Hello")), "ETag");
    let other = header(&at(&Response::text(Status::OK, "Hello!")), "ETag");

    let hello = hello.expect("a response with a body has an ETag");
    assert!(
        hello.len() > 2 && hello.starts_with('"') && hello.ends_with('"'),
        "a strong ETag is a quoted string: {hello}"
    );
    assert_eq!(
        again.as_deref(),
        Some(hello.as_str()),
        "same body, same ETag"
    );
    assert_ne!(
        other.as_deref(),
        Some(hello.as_str()),
        "another body, another ETag"
    );

    let head = header(&Response::text(Status::OK, "Hello").to_bytes_head(), "ETag");
    assert_eq!(
        head.as_deref(),
        Some(hello.as_str()),
        "HEAD sends the ETag GET would"
    );

    let own = Response::text(Status::OK, "Hello").header("ETag", "\"v1\"");
    assert_eq!(
        header(&at(&own), "ETag").as_deref(),
        Some("\"v1\""),
        "a handler's ETag is kept"
    );
}

/// Exercise 3.6 (part 3). Pretty-printing with the alternate flag.
#[test]
#[ignore = "exercise 3.6: pretty-print JSON with the alternate flag, format!(\"{value:#}\")"]
fn exercise_3_6_pretty_printing_with_the_alternate_flag() {
    let text =
        r#"{"name":"Ferris","tags":["crab","rust"],"empty":[],"none":{},"nested":{"a":null}}"#;
    let value = json::parse(text).expect("valid JSON");
    // The layout of JavaScript's JSON.stringify(value, null, 2).
    let expected = r#"{
  "name": "Ferris",
  "tags": [
    "crab",
    "rust"
  ],
  "empty": [],
  "none": {},
  "nested": {
    "a": null
  }
}"#;
    let pretty = format!("{value:#}");
    assert_eq!(pretty, expected);
    assert_eq!(
        json::parse(&pretty),
        Ok(value.clone()),
        "pretty output parses back"
    );
    assert_eq!(value.to_string(), text, "the compact form is unchanged");
    assert_eq!(format!("{:#}", Value::from("a\nb")), r#""a\nb""#);
}
