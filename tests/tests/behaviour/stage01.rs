//! Chapter 1's echo server, started in-process.

use stage01_tcp_echo::server::EchoServer;
use stage01_tcp_echo::stop::RunningServer;

use crate::suites;

fn start() -> RunningServer {
    EchoServer::bind("127.0.0.1:0")
        .expect("bind a free port")
        .spawn()
}

#[test]
fn stage01_echoes() {
    suites::run("stage01", suites::echo::CASES, start);
}

#[test]
fn stage01_hangs_up_on_an_idle_client_and_serves_the_next() {
    // A short idle limit through the library, so the test does not wait a minute. The silent
    // client is then hung up on (its read sees the end of the stream), and the next is served.
    let server = EchoServer::bind("127.0.0.1:0")
        .expect("bind a free port")
        .with_idle_timeout(std::time::Duration::from_millis(100))
        .spawn();
    let addr = server.addr();
    let mut silent = tests::raw::connect(addr);
    assert_eq!(tests::raw::read_to_close(&mut silent), b"");
    let echoed = stage01_tcp_echo::client::echo_once(addr, b"next\n").unwrap();
    assert_eq!(echoed, b"next\n");
}
