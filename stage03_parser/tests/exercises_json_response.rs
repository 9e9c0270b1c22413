//! Acceptance tests for the exercises of chapter 3's JSON and Response sections.
//!
//! They compile today and fail until the exercise is solved. Run them with
//! `cargo test -p stage03_parser --test exercises_json_response -- --ignored`.

use stage03_parser::json::{self, Value};
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use std::time::UNIX_EPOCH;

/// The value of the first header called `name` in serialized response bytes.
fn header(bytes: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

#[test]
#[ignore = "exercise: pretty-print JSON with the alternate flag, format!(\"{value:#}\")"]
fn pretty_printing_with_the_alternate_flag() {
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

#[test]
#[ignore = "exercise: a strong ETag computed from the body"]
fn etag_from_the_body() {
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
