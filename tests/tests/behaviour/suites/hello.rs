//! The line that runs through the book: `GET /hello` answers `Hello, World!` in plain text.
//! Chapter 2 says it to every path; chapter 3 mirrors instead (see `changes`); chapter 4 gives it
//! its own route, and every later chapter keeps it.

use std::net::SocketAddr;

use super::Case;

pub const CASES: &[Case] = &[("GET /hello says Hello, World!", get_hello)];

fn get_hello(addr: SocketAddr) {
    let response = reqwest::blocking::get(format!("http://{addr}/hello")).unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert!(content_type.contains("charset=utf-8"), "{content_type}");
    assert_eq!(response.text().unwrap(), "Hello, World!");
}
