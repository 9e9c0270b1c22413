//! Chapter 3's parsing server, started in-process, answering every request with the mirror.

use std::net::SocketAddr;
use std::thread;

use stage03_parser::Server;
use stage03_parser::mirror::mirror;

use crate::suites::{self, mirror::MIRROR_PATH};

fn start() -> SocketAddr {
    let server = Server::bind("127.0.0.1:0").expect("bind a free port");
    let addr = server.local_addr().expect("a bound server has an address");
    thread::spawn(move || server.run(mirror));
    addr
}

#[test]
fn stage03_keeps_http_basics() {
    suites::run("stage03", suites::http_basics::CASES, start);
}

#[test]
fn stage03_mirrors_requests() {
    suites::run("stage03", suites::mirror::CASES, start);
}

/// Chapter 3 has no router: the mirror answers every path, [`MIRROR_PATH`] included.
#[test]
fn stage03_mirrors_every_path() {
    let addr = start();
    for path in ["/", MIRROR_PATH, "/anything/else?x=1"] {
        let response = reqwest::blocking::get(format!("http://{addr}{path}")).expect("an answer");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let body = response.text().expect("a body");
        let seen = stage03_parser::json::parse(&body).expect("JSON");
        let target = seen.get("target").and_then(|t| t.as_str());
        assert_eq!(target, Some(path));
    }
}
