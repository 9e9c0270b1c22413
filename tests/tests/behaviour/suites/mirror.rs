//! Chapter 3's mirror, as a client sees it: what the server parsed, sent back as JSON.
//!
//! Every case talks to [`MIRROR_PATH`]. Chapter 3's server mirrors every path, so it answers
//! there too; chapter 4 mounts the mirror at exactly that path among its other routes, and runs
//! this same table. One path constant instead of a table per path keeps the cases plain
//! `fn(SocketAddr)`s like every other suite's.

use std::io::{Read, Write};
use std::net::SocketAddr;

use stage03_parser::json::{self, Value};
use tests::raw::{RawResponse, connect, exchange, read_to_close};

use super::Case;
use super::http_basics::well_formed;

/// Where the mirror answers, in chapter 3 and in every chapter after it.
pub const MIRROR_PATH: &str = "/debug/request";

pub const CASES: &[Case] = &[
    ("the query is decoded, repeated keys kept in order", query),
    ("headers keep their order, spelling and repeats", headers),
    ("a form body is decoded into fields", form),
    ("a JSON body comes back as JSON", json_body),
    ("an invalid JSON body is a 400 saying where", bad_json),
    ("a chunked body is decoded", chunked),
    (
        "Expect: 100-continue gets 100 Continue, then the answer",
        expect_continue,
    ),
    ("garbage gets a 400, and the next client is served", garbage),
    ("smuggling-shaped framing is refused with 400", smuggling),
    (
        "a body over the limit gets 413 without being read",
        too_large,
    ),
];

fn url(addr: SocketAddr, rest: &str) -> String {
    format!("http://{addr}{MIRROR_PATH}{rest}")
}

/// Sends with reqwest and returns the status and the mirrored JSON.
fn mirrored(request: reqwest::blocking::RequestBuilder) -> (u16, Value) {
    let response = request.send().expect("an answer");
    let status = response.status().as_u16();
    let body = response.text().expect("a body");
    let value = json::parse(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (status, value)
}

fn text(value: &Value) -> String {
    value.to_string()
}

fn query(addr: SocketAddr) {
    let client = reqwest::blocking::Client::new();
    let (status, seen) = mirrored(client.get(url(addr, "?q=rust+http&tag=a&tag=b&e=%E2%82%AC")));
    assert_eq!(status, 200);
    assert_eq!(seen.get("method").and_then(Value::as_str), Some("GET"));
    assert_eq!(seen.get("path").and_then(Value::as_str), Some(MIRROR_PATH));
    let query = seen.get("query").map(text);
    assert_eq!(
        query.as_deref(),
        Some(r#"[["q","rust http"],["tag","a"],["tag","b"],["e","€"]]"#)
    );
}

fn headers(addr: SocketAddr) {
    let client = reqwest::blocking::Client::new();
    let request = client
        .get(url(addr, ""))
        .header("X-Tag", "first")
        .header("x-other", "  padded  ")
        .header("X-Tag", "second");
    let (_, seen) = mirrored(request);
    let headers = seen.get("headers").map(text).unwrap_or_default();
    let tags = headers
        .find(r#"["x-tag","first"]"#)
        .zip(headers.find(r#"["x-tag","second"]"#));
    assert!(tags.is_some_and(|(a, b)| a < b), "{headers}");
    assert!(headers.contains(r#"["x-other","padded"]"#), "{headers}");
}

fn form(addr: SocketAddr) {
    let client = reqwest::blocking::Client::new();
    let request = client
        .post(url(addr, ""))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("name=J%C3%BCrgen+M&msg=a%26b&msg=c");
    let (status, seen) = mirrored(request);
    assert_eq!(status, 200);
    let form = seen.get("form").map(text);
    assert_eq!(
        form.as_deref(),
        Some(r#"[["name","Jürgen M"],["msg","a&b"],["msg","c"]]"#)
    );
}

fn json_body(addr: SocketAddr) {
    let client = reqwest::blocking::Client::new();
    let sent = r#"{"text": "Grüße \ud83e\udd80", "n": [1, 2.5, -3e2], "ok": true, "none": null}"#;
    let request = client
        .post(url(addr, ""))
        .header("Content-Type", "application/json")
        .body(sent);
    let (status, seen) = mirrored(request);
    assert_eq!(status, 200);
    assert_eq!(
        seen.get("json"),
        Some(&json::parse(sent).expect("valid JSON"))
    );
    assert_eq!(seen.get("body").and_then(Value::as_str), Some(sent));
}

fn bad_json(addr: SocketAddr) {
    let client = reqwest::blocking::Client::new();
    let request = client
        .put(url(addr, ""))
        .header("Content-Type", "application/json")
        .body("{\"a\": 1,\n \"b\": }");
    let (status, answer) = mirrored(request);
    assert_eq!(status, 400);
    let error = answer
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(error.starts_with("invalid JSON body"), "{error}");
    assert!(error.contains("line 2"), "the message says where: {error}");
}

fn chunked(addr: SocketAddr) {
    // A body from a reader has no known length: reqwest sends it chunked.
    let body = reqwest::blocking::Body::new(std::io::Cursor::new(vec![b'z'; 70_000]));
    let client = reqwest::blocking::Client::new();
    let (status, seen) = mirrored(client.post(url(addr, "")).body(body));
    assert_eq!(status, 200);
    let headers = seen.get("headers").map(text).unwrap_or_default();
    assert!(headers.contains("chunked"), "reqwest chunked it: {headers}");
    assert_eq!(
        seen.get("body_length").and_then(Value::as_f64),
        Some(70_000.0)
    );
}

fn expect_continue(addr: SocketAddr) {
    let body = vec![b'x'; 600_000];
    let head = format!(
        "POST {MIRROR_PATH} HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = connect(addr);
    stream.write_all(head.as_bytes()).expect("send the head");
    // The client waits for the go-ahead before sending the body: read exactly the interim answer.
    let interim = b"HTTP/1.1 100 Continue\r\n\r\n";
    let mut got = vec![0; interim.len()];
    stream.read_exact(&mut got).expect("an interim answer");
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(interim)
    );
    stream.write_all(&body).expect("send the body");
    let response = well_formed(&read_to_close(&mut stream));
    assert_eq!(response.status, 200);
    let seen = json::parse_bytes(&response.body).expect("JSON");
    assert_eq!(
        seen.get("body_length").and_then(Value::as_f64),
        Some(600_000.0)
    );
}

fn garbage(addr: SocketAddr) {
    let cases: &[&[u8]] = &[
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"hello, is anyone there?\r\n\r\n",
        b"GET / HTTP/1.1\nHost: bare-lf\n\n",
    ];
    for request in cases {
        let response = well_formed(&exchange(addr, request));
        assert_eq!(response.status, 400, "{}", String::from_utf8_lossy(request));
    }
    let (status, _) = mirrored(reqwest::blocking::Client::new().get(url(addr, "")));
    assert_eq!(status, 200, "the next client is served");
}

fn smuggling(addr: SocketAddr) {
    let cases = [
        "Content-Length: 5\r\nTransfer-Encoding: chunked",
        "Content-Length: 5\r\nContent-Length: 6",
        "Content-Length: +5",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
        "Content-Length : 5",
    ];
    for fields in cases {
        let request =
            format!("POST {MIRROR_PATH} HTTP/1.1\r\nHost: t\r\n{fields}\r\n\r\n0\r\n\r\n");
        let response: RawResponse = well_formed(&exchange(addr, request.as_bytes()));
        assert_eq!(response.status, 400, "{fields:?}");
    }
}

fn too_large(addr: SocketAddr) {
    let request =
        format!("POST {MIRROR_PATH} HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n");
    let response = well_formed(&exchange(addr, request.as_bytes()));
    assert_eq!(response.status, 413);
}
