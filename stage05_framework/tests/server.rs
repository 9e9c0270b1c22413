//! Why this chapter's server turns keep-alive off: it serves one connection at a time, so a
//! connection kept open holds everyone else back. Shown by the order of events, not by timing.

use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage05_framework::{App, Config, Input, Server};
use tests::raw::{RawResponse, ResponseReader};

fn start(config: Option<Config>) -> RunningServer {
    let mut server = Server::bind("127.0.0.1:0").expect("bind a free port");
    if let Some(config) = config {
        server = server.with_config(config);
    }
    let mut app = App::new();
    app.get("/{*path}", |input: Input| input.request.target);
    server.spawn(app).expect("a bound server has an address")
}

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n").into_bytes()
}

fn ask(connection: &mut ResponseReader, target: &str) -> RawResponse {
    connection.send(&get(target));
    connection.next_response(false)
}

/// Whether nothing has arrived on the connection so far, without waiting for anything.
fn nothing_arrived_yet(connection: &mut ResponseReader) -> bool {
    let stream = connection.stream();
    stream.set_nonblocking(true).expect("non-blocking");
    let mut byte = [0u8; 1];
    let nothing = matches!(
        stream.peek(&mut byte),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
    );
    stream.set_nonblocking(false).expect("blocking again");
    nothing
}

#[test]
fn with_keep_alive_one_open_connection_holds_the_next_client_back() {
    // A long idle time: the first client, not the clock, decides when the second is served.
    let server = start(Some(Config {
        idle: Duration::from_secs(600),
        ..Config::default()
    }));
    let mut first = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut first, "/first/1").body, b"/first/1");
    let mut second = ResponseReader::connect(server.addr());
    second.send(&get("/second"));
    // The second client asked first, but the server is still the first one's: it answers the
    // first client's next request, on the connection kept open.
    assert_eq!(ask(&mut first, "/first/2").body, b"/first/2");
    assert!(
        nothing_arrived_yet(&mut second),
        "the second client was answered while the first held the server"
    );
    drop(first);
    // Only when the first client leaves is the second one served.
    assert_eq!(second.next_response(false).body, b"/second");
}

#[test]
fn without_keep_alive_the_next_client_is_served_while_the_first_stays_connected() {
    let server = start(None);
    let mut first = ResponseReader::connect(server.addr());
    let answer = ask(&mut first, "/first");
    assert_eq!(answer.header("Connection"), Some("close"));
    // `first` is still open on our side; the server has closed it and moved on.
    let mut second = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut second, "/second").body, b"/second");
    drop(first);
}

/// A policy that gives up every idle connection at once, as a pool under pressure would.
struct GiveUpAtOnce;

impl stage05_framework::KeepAlivePolicy for GiveUpAtOnce {
    fn keep_after_answer(&self, _held: Duration) -> bool {
        true
    }

    fn check_every(&self) -> Duration {
        Duration::from_millis(10)
    }

    fn give_up(&self, _idle: Duration) -> bool {
        true
    }
}

#[test]
fn a_request_waiting_in_the_socket_is_not_given_up_with_an_idle_connection() {
    use std::net::TcpListener;
    use std::sync::Mutex;
    use std::sync::mpsc;
    use std::thread;

    let (started_tx, started) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let (started_tx, released) = (Mutex::new(started_tx), Mutex::new(released));
    let mut app = App::new();
    app.get("/first", move |_: Input| {
        started_tx.lock().unwrap().send(()).unwrap();
        let _ = released
            .lock()
            .unwrap()
            .recv_timeout(tests::raw::READ_GUARD);
        "first"
    });
    app.get("/second", |_: Input| "second");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let driver = thread::spawn(move || {
        let (stream, peer) = listener.accept().unwrap();
        let config = Config::default(); // keep-alive on
        stage05_framework::server::drive(stream, Some(peer), &config, &app, &GiveUpAtOnce)
    });
    let mut client = ResponseReader::connect(addr);
    client.send(&get("/first"));
    started.recv().unwrap();
    // Sent while the first is being answered: it waits, unread, in the server's socket when
    // the connection has answered and holds nothing else.
    client.send(&get("/second"));
    release.send(()).unwrap();
    assert_eq!(client.next_response(false).text(), "first");
    assert_eq!(client.next_response(false).text(), "second");
    drop(client);
    driver.join().unwrap().unwrap();
}
