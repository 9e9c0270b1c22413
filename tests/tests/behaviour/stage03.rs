//! Chapter 3's parsing server, started in-process, answering every request with the mirror.

use stage01_tcp_echo::stop::RunningServer;
use stage03_parser::Server;
use stage03_parser::mirror::mirror;

use crate::changes;
use crate::suites;

fn start() -> RunningServer {
    let server = Server::bind("127.0.0.1:0").expect("bind a free port");
    server.spawn(mirror).expect("a bound server has an address")
}

#[test]
fn stage03_keeps_http_basics() {
    suites::run("stage03", suites::http_basics::CASES, start);
}

#[test]
fn stage03_mirrors_requests() {
    suites::run("stage03", suites::mirror::CASES, start);
}

#[test]
fn stage03_changes_on_purpose() {
    suites::run("stage03", changes::STAGE03, start);
}
