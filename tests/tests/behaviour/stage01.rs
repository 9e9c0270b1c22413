//! Chapter 1's echo server, started in-process.

use std::net::SocketAddr;
use std::thread;

use stage01_tcp_echo::server::EchoServer;

use crate::suites;

fn start() -> SocketAddr {
    let server = EchoServer::bind("127.0.0.1:0").expect("bind a free port");
    let addr = server.local_addr();
    thread::spawn(move || server.run());
    addr
}

#[test]
fn stage01_echoes() {
    suites::run("stage01", suites::echo::CASES, start);
}
