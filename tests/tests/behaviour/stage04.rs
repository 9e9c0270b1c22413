//! Chapter 4's server, started in-process: chapter 3's blocking server answering through the router.

use stage01_tcp_echo::stop::RunningServer;
use stage03_parser::Server;
use stage04_router::dispatch::respond;
use stage04_router::site::demo_router;

use crate::changes;
use crate::suites;

fn start() -> RunningServer {
    let server = Server::bind("127.0.0.1:0").expect("bind a free port");
    let router = demo_router();
    let handler = move |request: &stage03_parser::Request| respond(&router, request);
    server
        .spawn(handler)
        .expect("a bound server has an address")
}

#[test]
fn stage04_routes_the_demo_site() {
    suites::run("stage04", suites::routing::CASES, start);
}

#[test]
fn stage04_keeps_http_basics() {
    suites::run("stage04", suites::http_basics::CASES, start);
}

#[test]
fn stage04_says_hello() {
    suites::run("stage04", suites::hello::CASES, start);
}

/// The mirror suite talks to `MIRROR_PATH`, `/debug/request`: the one route that still mirrors.
#[test]
fn stage04_keeps_the_mirror_at_debug_request() {
    suites::run("stage04", suites::mirror::CASES, start);
}

#[test]
fn stage04_changes_on_purpose() {
    suites::run("stage04", changes::STAGE04, start);
}
