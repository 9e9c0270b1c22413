//! What the pool changes, shown by the order of events rather than by timing: requests that can
//! only finish together, a full queue, a panicking handler, idle keep-alive clients, and a stop
//! with a request in flight.

use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage05_framework::{App, Config, Input};
use stage06_threads::Server;
use tests::raw::{READ_GUARD, RawResponse, ResponseReader};

/// A meeting of `expected` requests: each waits for the others, up to a limit.
struct Meeting {
    arrived: Mutex<usize>,
    everyone: Condvar,
    expected: usize,
}

impl Meeting {
    fn new(expected: usize) -> Arc<Meeting> {
        Arc::new(Meeting {
            arrived: Mutex::new(0),
            everyone: Condvar::new(),
            expected,
        })
    }

    /// Arrives and waits up to `patience` for the others: whether they all came.
    fn meet(&self, patience: Duration) -> bool {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.everyone.notify_all();
        let (arrived, _) = self
            .everyone
            .wait_timeout_while(arrived, patience, |n| *n < self.expected)
            .unwrap();
        *arrived >= self.expected
    }
}

/// An app whose `/meet` answers `together` if `meeting` filled up within `patience`.
fn meeting_app(meeting: Arc<Meeting>, patience: Duration) -> App {
    let mut app = App::new();
    app.get("/meet", move |_: Input| match meeting.meet(patience) {
        true => "together",
        false => "alone",
    });
    app.get("/hello", |_: Input| "Hello, World!");
    app
}

/// An app whose `/hold` tells the test it has started, then waits until the test releases it.
struct Held {
    started: Receiver<()>,
    release: Sender<()>,
}

fn holding_app() -> (App, Held) {
    let (started_tx, started) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let (started_tx, released) = (Mutex::new(started_tx), Mutex::new(released));
    let mut app = App::new();
    app.get("/hold", move |_: Input| {
        started_tx.lock().unwrap().send(()).unwrap();
        let _ = released.lock().unwrap().recv_timeout(READ_GUARD);
        "released"
    });
    app.get("/hello", |_: Input| "Hello, World!");
    app.get("/panic", |_: Input| -> &'static str {
        panic!("this handler fails on purpose")
    });
    (app, Held { started, release })
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
    let nothing = matches!(
        stream.peek(&mut [0]),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
    );
    stream.set_nonblocking(false).expect("blocking again");
    nothing
}

fn start(server: Server, app: App) -> RunningServer {
    server.spawn(app).expect("a bound server has an address")
}

fn pool(workers: usize, queue: usize) -> Server {
    Server::bind("127.0.0.1:0")
        .expect("bind a free port")
        .with_pool(workers, queue)
}

/// Sends `/meet` from `clients` connections at once and collects the answers.
fn meet_from(server: &RunningServer, clients: usize) -> Vec<String> {
    let addr = server.addr();
    let askers: Vec<_> = (0..clients)
        .map(|_| thread::spawn(move || ask(&mut ResponseReader::connect(addr), "/meet").text()))
        .collect();
    askers.into_iter().map(|a| a.join().unwrap()).collect()
}

#[test]
fn four_workers_serve_four_slow_requests_at_the_same_time() {
    // Each request waits up to 5 s for the other three: they can all meet only if they run at
    // once. One at a time, the first three wait alone and answer `alone`, and the last finds
    // that all four have come: `together` once, anywhere in the list.
    let meeting = Meeting::new(4);
    let server = start(pool(4, 4), meeting_app(meeting, Duration::from_secs(5)));
    assert_eq!(meet_from(&server, 4), ["together"; 4]);
}

#[test]
fn chapter_5s_server_serves_the_same_requests_one_after_another() {
    // The same app on chapter 5's server: the first request is alone, whatever the timing.
    let meeting = Meeting::new(2);
    let server = stage05_framework::Server::bind("127.0.0.1:0")
        .unwrap()
        .spawn(meeting_app(meeting, Duration::from_millis(200)))
        .unwrap();
    assert!(meet_from(&server, 2).contains(&"alone".to_string()));
}

#[test]
fn a_full_queue_is_answered_503_with_retry_after() {
    let (app, held) = holding_app();
    let server = start(pool(1, 1), app);
    let mut busy = ResponseReader::connect(server.addr());
    busy.send(&get("/hold"));
    held.started.recv().expect("the one worker runs /hold");
    // The worker is taken; the next connection waits in the queue, which then is full.
    let mut queued = ResponseReader::connect(server.addr());
    queued.send(&get("/hello"));
    let mut refused = ResponseReader::connect(server.addr());
    refused.send(&get("/hello"));
    let answer = refused.next_response(false);
    assert_eq!(answer.status, 503, "{}", answer.status_line);
    assert_eq!(answer.header("Retry-After"), Some("1"));
    assert_eq!(answer.header("Connection"), Some("close"));
    assert!(
        refused.rest_until_close().is_empty(),
        "closed after the 503"
    );
    // Nothing was dropped: once the worker is free it serves the held and the queued requests.
    held.release.send(()).unwrap();
    assert_eq!(busy.next_response(false).text(), "released");
    drop(busy);
    assert_eq!(queued.next_response(false).text(), "Hello, World!");
}

#[test]
fn a_panicking_handler_leaves_its_worker_serving() {
    let (app, _held) = holding_app();
    let server = start(pool(1, 4), app);
    let mut connection = ResponseReader::connect(server.addr());
    for _ in 0..3 {
        assert_eq!(ask(&mut connection, "/panic").status, 500);
    }
    // The one worker is still there, for a new connection too.
    let mut next = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut next, "/hello").text(), "Hello, World!");
}

/// Two workers, and a long idle time, so only the grace decides when an idle client lets go.
fn two_workers(grace: Option<Duration>) -> RunningServer {
    let config = Config {
        idle: Duration::from_secs(600),
        ..Config::default()
    };
    let server = pool(2, 8).with_config(config).with_idle_grace(grace);
    start(server, meeting_app(Meeting::new(1), READ_GUARD))
}

#[test]
fn without_a_grace_idle_keep_alive_clients_starve_a_new_one() {
    let server = two_workers(None);
    let mut idle: Vec<_> = (0..2)
        .map(|_| ResponseReader::connect(server.addr()))
        .collect();
    for client in &mut idle {
        assert_eq!(ask(client, "/hello").status, 200);
    }
    let mut new = ResponseReader::connect(server.addr());
    new.send(&get("/hello"));
    // Long enough for a grace to have given a worker up, if there were one: the one place where
    // a test must let time pass, to show that nothing happens in it.
    thread::sleep(stage06_threads::server::IDLE_GRACE * 3);
    // Both workers are still the idle clients': the first one's next request is answered, on
    // its kept connection, while the new client has nothing.
    assert_eq!(ask(&mut idle[0], "/hello").status, 200);
    assert!(
        nothing_arrived_yet(&mut new),
        "served while both workers were held"
    );
    // Only a client that leaves frees a worker.
    idle.truncate(1);
    assert_eq!(new.next_response(false).status, 200);
}

#[test]
fn with_the_grace_an_idle_client_gives_its_worker_to_a_new_one() {
    let server = two_workers(Some(stage06_threads::server::IDLE_GRACE));
    let mut idle: Vec<_> = (0..2)
        .map(|_| ResponseReader::connect(server.addr()))
        .collect();
    for client in &mut idle {
        assert_eq!(ask(client, "/hello").status, 200);
    }
    // The idle time is ten minutes; the new client is served well within the read guard.
    let mut new = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut new, "/hello").status, 200);
    // The worker was given up before it took the new client, so that close has arrived.
    let closed = idle
        .iter_mut()
        .map(|client| !nothing_arrived_yet(client))
        .filter(|closed| *closed)
        .count();
    assert!(closed >= 1, "an idle client was closed to free its worker");
}

#[test]
fn stopping_finishes_the_request_in_flight_and_closes_idle_connections() {
    let (app, held) = holding_app();
    // A ten-minute idle time: only the stop can close the idle connection within the guard.
    let config = Config {
        idle: Duration::from_secs(600),
        ..Config::default()
    };
    let server = start(pool(2, 4).with_config(config), app);
    let mut in_flight = ResponseReader::connect(server.addr());
    in_flight.send(&get("/hold"));
    held.started.recv().expect("the request is with a worker");
    let mut idle = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut idle, "/hello").status, 200);

    server.stop_signal().stop();
    held.release.send(()).unwrap();
    assert_eq!(in_flight.next_response(false).text(), "released");
    assert!(in_flight.rest_until_close().is_empty());
    assert!(
        idle.rest_until_close().is_empty(),
        "the idle connection is closed"
    );
    let addr = server.addr();
    server.stop(); // returns once every worker is joined
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens any more"
    );
}

#[test]
fn slowloris_clients_hold_a_worker_only_until_the_request_deadline() {
    // Two workers, and two clients that send half a request head and then nothing: each holds a
    // worker, but only until the whole request was due (cut to 300 ms here from 10 s).
    let mut config = Config::default();
    config.timeouts.request = Duration::from_millis(300);
    let server = start(
        pool(2, 8).with_config(config),
        meeting_app(Meeting::new(1), READ_GUARD),
    );
    let mut slow: Vec<_> = (0..2)
        .map(|_| {
            let mut client = ResponseReader::connect(server.addr());
            client.send(b"GET /hello HTTP/1.1\r\nHo");
            client
        })
        .collect();
    let mut next = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut next, "/hello").text(), "Hello, World!");
    for client in &mut slow {
        assert_eq!(client.next_response(false).status, 408);
    }
}

/// Sends `/hello` on `client` whenever an answer comes, always one request ahead, until an
/// answer says `Connection: close`; returns how many answers came.
fn ask_until_closed(client: &mut ResponseReader) -> usize {
    client.send(&get("/hello"));
    client.send(&get("/hello"));
    for answered in 1..=100_000 {
        let response = client.next_response(false);
        assert_eq!(response.status, 200);
        if response.header("Connection") == Some("close") {
            return answered;
        }
        client.send(&get("/hello"));
    }
    panic!("100,000 answers and the connection still kept");
}

#[test]
fn a_client_that_never_pauses_gives_its_worker_up_after_its_turn() {
    // One worker, and a client that always has its next request ready: it is never idle, so
    // only its turn ends it while another client waits.
    let server = start(pool(1, 4), meeting_app(Meeting::new(1), READ_GUARD));
    let mut busy = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut busy, "/hello").status, 200);
    let mut waiting = ResponseReader::connect(server.addr());
    waiting.send(&get("/hello"));
    ask_until_closed(&mut busy);
    assert_eq!(waiting.next_response(false).text(), "Hello, World!");
}

#[test]
fn stopping_ends_a_connection_that_never_pauses_after_its_next_answer() {
    let server = start(pool(1, 4), meeting_app(Meeting::new(1), READ_GUARD));
    let mut busy = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut busy, "/hello").status, 200);
    server.stop_signal().stop();
    ask_until_closed(&mut busy);
    assert!(busy.rest_until_close().is_empty());
    server.stop(); // and the server's thread ends
}
