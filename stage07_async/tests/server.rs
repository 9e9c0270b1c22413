//! The server, in-process, as clients see it: async handlers that wait without holding the
//! thread, thousands of connections on one thread, slow clients, the connection limit and a
//! graceful stop with requests in flight.
#![cfg(target_os = "linux")]

use std::future::poll_fn;
use std::net::TcpStream;
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage05_framework::{App, Application, Config, Input, Reply, Request, Response, Status, later};
use stage07_async::{Server, sleep, timeout};
use tests::raw::ResponseReader;

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n").into_bytes()
}

fn ask(client: &mut ResponseReader, target: &str) -> tests::raw::RawResponse {
    client.send(&get(target));
    client.next_response(false)
}

/// Waits, as a task, until `expected` callers have arrived, or 5 s have passed.
#[derive(Clone)]
struct Meeting {
    expected: usize,
    state: Arc<Mutex<(usize, Vec<Waker>)>>,
}

impl Meeting {
    fn new(expected: usize) -> Meeting {
        Meeting {
            expected,
            state: Arc::new(Mutex::new((0, Vec::new()))),
        }
    }

    /// `true` if everyone came.
    async fn arrive(&self) -> bool {
        {
            let mut state = self.state.lock().unwrap();
            state.0 += 1;
            if state.0 == self.expected {
                for waker in state.1.drain(..) {
                    waker.wake();
                }
            }
        }
        let everyone = poll_fn(|cx| {
            let mut state = self.state.lock().unwrap();
            if state.0 >= self.expected {
                return Poll::Ready(());
            }
            state.1.push(cx.waker().clone());
            Poll::Pending
        });
        timeout(Duration::from_secs(5), everyone).await.is_ok()
    }
}

/// An app whose `/meet` answers `together` when all `expected` requests were in its handler
/// at once, `alone` otherwise.
fn meeting_app(expected: usize) -> App {
    let meeting = Meeting::new(expected);
    let mut app = App::new();
    app.get(
        "/meet",
        later(move |_: Input| {
            let meeting = meeting.clone();
            async move {
                match meeting.arrive().await {
                    true => "together",
                    false => "alone",
                }
            }
        }),
    )
    .get("/hello", |_: Input| "Hello, World!");
    app
}

fn one_thread(app: App) -> RunningServer {
    Server::bind("127.0.0.1:0").unwrap().spawn(app).unwrap()
}

#[test]
fn many_slow_async_requests_on_one_thread_run_at_the_same_time() {
    // Fifty requests whose handler waits for all fifty: on one thread, they can meet only if
    // each waits as a task. A server that ran them one at a time would answer `alone` fifty
    // times, five seconds each.
    let server = one_thread(meeting_app(50));
    let addr = server.addr();
    let askers: Vec<_> = (0..50)
        .map(|_| thread::spawn(move || ask(&mut ResponseReader::connect(addr), "/meet").text()))
        .collect();
    let answers: Vec<String> = askers.into_iter().map(|a| a.join().unwrap()).collect();
    assert_eq!(answers, ["together"; 50]);
}

/// Connections this process may hold for a test, two file descriptors each (the client's and
/// the server's), within the limit of open files it was started with.
fn connections_allowed(wanted: usize) -> usize {
    let soft = stage07_async::open_files::open_file_limit().unwrap_or(1024);
    wanted.min(soft.saturating_sub(200) / 2)
}

#[test]
fn thousands_of_idle_connections_on_one_thread_and_a_new_client_is_answered() {
    let n = connections_allowed(2000);
    assert!(
        n >= 300,
        "the limit of open files leaves room for {n} connections only"
    );
    // Idle for as long as the test takes: here the point is how many, not for how long.
    let config = Config {
        idle: Duration::from_secs(600),
        ..Config::default()
    };
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_config(config)
        .spawn(meeting_app(1))
        .unwrap();
    // Each makes one request and keeps its connection, idle.
    let idle: Vec<ResponseReader> = (0..n)
        .map(|_| {
            let mut client = ResponseReader::connect(server.addr());
            assert_eq!(ask(&mut client, "/hello").status, 200);
            client
        })
        .collect();
    let mut idle = idle;
    let mut new = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut new, "/hello").text(), "Hello, World!");
    // And every idle one is still open and served.
    for client in idle.iter_mut().step_by(97) {
        assert_eq!(ask(client, "/hello").status, 200);
    }
}

#[test]
fn a_slowloris_gets_408_while_everyone_else_is_served() {
    let mut config = Config::default();
    config.timeouts.request = Duration::from_millis(300);
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_config(config)
        .spawn(meeting_app(1))
        .unwrap();
    let mut slow: Vec<_> = (0..3)
        .map(|_| {
            let mut client = ResponseReader::connect(server.addr());
            client.send(b"GET /hello HTTP/1.1\r\nHo");
            client
        })
        .collect();
    let mut fast = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut fast, "/hello").status, 200);
    for client in &mut slow {
        assert_eq!(client.next_response(false).status, 408);
    }
}

#[test]
fn past_the_connection_limit_a_client_gets_503() {
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_max_connections(2)
        .spawn(meeting_app(1))
        .unwrap();
    let mut open: Vec<_> = (0..2)
        .map(|_| ResponseReader::connect(server.addr()))
        .collect();
    for client in &mut open {
        assert_eq!(ask(client, "/hello").status, 200);
    }
    let mut third = ResponseReader::connect(server.addr());
    let refused = ask(&mut third, "/hello");
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("Retry-After"), Some("1"));
    // One leaves, and there is room again.
    open.pop();
    let mut fourth = ResponseReader::connect(server.addr());
    let answered = (0..100).find_map(|_| {
        let response = ask(&mut fourth, "/hello");
        if response.status == 200 {
            return Some(response);
        }
        // The server may not have seen the close yet: a 503 closes, so connect again.
        fourth = ResponseReader::connect(server.addr());
        None
    });
    assert!(answered.is_some(), "a place came free");
}

/// An app whose async route `path` sends on the returned channel when a request has reached it,
/// then answers what `then()` gives: so a test knows its requests are in their handlers.
fn telling_when_in_handler<F>(
    path: &str,
    then: impl Fn() -> F + Send + Sync + 'static,
) -> (App, mpsc::Receiver<()>)
where
    F: std::future::Future<Output = &'static str> + Send + 'static,
{
    let (entered, in_handler) = mpsc::channel();
    let entered = Mutex::new(entered);
    let mut app = App::new();
    app.get(
        path,
        later(move |_: Input| {
            let entered = entered.lock().unwrap().clone();
            let answer = then();
            async move {
                entered.send(()).unwrap();
                answer.await
            }
        }),
    );
    (app, in_handler)
}

#[test]
fn stopping_answers_every_request_in_flight_and_closes_idle_connections() {
    // Twenty requests in their handler, told to wait 300 ms, when the server is told to stop.
    let (mut app, in_handler) = telling_when_in_handler("/slow", || async {
        sleep(Duration::from_millis(300)).await;
        "finished"
    });
    app.get("/hello", |_: Input| "Hello, World!");
    let server = one_thread(app);
    let mut idle = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut idle, "/hello").status, 200);
    let mut busy: Vec<_> = (0..20)
        .map(|_| {
            let mut client = ResponseReader::connect(server.addr());
            client.send(&get("/slow"));
            client
        })
        .collect();
    for _ in 0..20 {
        in_handler.recv().unwrap();
    }
    let stopper = thread::spawn(move || server.stop());
    for client in &mut busy {
        let response = client.next_response(false);
        assert_eq!(response.text(), "finished");
        // Told, so that it does not send another request on a connection about to close.
        assert_eq!(response.header("Connection"), Some("close"));
        assert!(client.rest_until_close().is_empty(), "then closed");
    }
    assert!(idle.rest_until_close().is_empty(), "the idle one is closed");
    stopper.join().unwrap();
}

/// Runs `stop` on a thread of its own and fails if it has not returned within 10 s.
fn stops_within_10s(stop: impl FnOnce() + Send + 'static) {
    let (done, stopped) = mpsc::channel();
    thread::spawn(move || {
        stop();
        let _ = done.send(());
    });
    stopped
        .recv_timeout(Duration::from_secs(10))
        .expect("the server has not stopped within 10 s");
}

#[test]
fn a_stop_closes_what_has_not_finished_after_the_drain_time() {
    // A handler that never returns: only the drain time ends its connection.
    let (app, in_handler) = telling_when_in_handler("/forever", || async {
        std::future::pending::<()>().await;
        "never"
    });
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_drain_time(Duration::from_millis(200))
        .spawn(app)
        .unwrap();
    let mut stuck = ResponseReader::connect(server.addr());
    stuck.send(&get("/forever"));
    in_handler.recv().unwrap();
    stops_within_10s(move || server.stop());
    assert!(stuck.rest_until_close().is_empty(), "closed, unanswered");
}

#[test]
fn a_client_that_has_sent_nothing_does_not_hold_up_the_stop() {
    // A browser's "preconnect" opens a connection and sends nothing. With a long first-byte
    // time and a longer drain time, only closing it at the stop lets the stop end soon.
    let mut config = Config::default();
    config.timeouts.first_byte = Duration::from_secs(60);
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_config(config)
        .with_drain_time(Duration::from_secs(60))
        .spawn(meeting_app(1))
        .unwrap();
    let mut silent = ResponseReader::connect(server.addr());
    // Served once the server has accepted it: a request on another connection shows it is up.
    let mut other = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut other, "/hello").status, 200);
    stops_within_10s(move || server.stop());
    assert!(
        silent.rest_until_close().is_empty(),
        "closed, with nothing sent"
    );
}

#[test]
fn an_async_handler_that_panics_answers_500_and_the_connection_goes_on() {
    let mut app = App::new();
    app.get(
        "/panic",
        later(|_: Input| async {
            sleep(Duration::from_millis(1)).await;
            panic!("on purpose, in a test");
            #[allow(unreachable_code)]
            "never"
        }),
    )
    .get("/hello", |_: Input| "Hello, World!");
    let server = one_thread(app);
    let mut client = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut client, "/panic").status, 500);
    assert_eq!(ask(&mut client, "/hello").text(), "Hello, World!");
}

#[test]
fn any_applications_future_that_panics_answers_500_and_the_connection_goes_on() {
    /// Not an `App`, which catches its handlers' panics itself: here only the server can.
    struct Bare;
    impl Application for Bare {
        fn call(&self, request: Request) -> Reply {
            match request.path() {
                "/panic" => Reply::Later(Box::pin(async { broken() })),
                _ => Reply::Ready(Response::text(Status::OK, "Hello, World!")),
            }
        }
    }
    fn broken() -> Response {
        panic!("on purpose, in a test of the server")
    }
    let server = Server::bind("127.0.0.1:0").unwrap().spawn(Bare).unwrap();
    let mut client = ResponseReader::connect(server.addr());
    assert_eq!(ask(&mut client, "/panic").status, 500);
    assert_eq!(ask(&mut client, "/hello").text(), "Hello, World!");
}

#[test]
fn two_runtimes_serve_the_clients_and_stop_together() {
    // Fifty clients that must all be in the handler at once: served by two runtimes, each
    // taking some of them, they still meet.
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_threads(2)
        .spawn(meeting_app(50))
        .unwrap();
    let addr = server.addr();
    let askers: Vec<_> = (0..50)
        .map(|_| thread::spawn(move || ask(&mut ResponseReader::connect(addr), "/meet").text()))
        .collect();
    let answers: Vec<String> = askers.into_iter().map(|a| a.join().unwrap()).collect();
    assert_eq!(answers, ["together"; 50]);
    stops_within_10s(move || server.stop());
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens any more"
    );
}

#[test]
fn connections_are_spread_evenly_over_the_runtimes() {
    // Opened one after another and kept: the kernel would wake the same waiting runtime for
    // each, so an even spread shows they are handed to the runtime that holds the fewest.
    let mut app = App::new();
    app.get("/thread", |_: Input| {
        format!("{:?}", thread::current().id())
    });
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_threads(2)
        .spawn(app)
        .unwrap();
    let mut clients = Vec::new();
    let mut served_by = std::collections::HashMap::new();
    for _ in 0..20 {
        let mut client = ResponseReader::connect(server.addr());
        *served_by
            .entry(ask(&mut client, "/thread").text())
            .or_insert(0) += 1;
        clients.push(client); // kept open, so each counts for its runtime
    }
    let mut counts: Vec<usize> = served_by.into_values().collect();
    counts.sort_unstable();
    // Ten and ten when every handoff finds the other runtime free. On a loaded machine the
    // other may still be in a handler (here, for a moment) when the next client connects, and
    // that connection stays where it was accepted: so a margin, far from the kernel's twenty
    // on one.
    assert_eq!(
        counts.len(),
        2,
        "twenty connections, on both runtimes: {counts:?}"
    );
    assert!(
        counts[0] >= 7,
        "twenty connections, spread evenly: {counts:?}"
    );
}

#[test]
fn no_connection_is_handed_to_a_runtime_stuck_in_a_blocking_handler() {
    // One runtime's thread is stuck in a plain handler that blocks (as a CGI script may); the
    // other accepts every new client meanwhile and must serve them itself.
    let (entered, in_handler) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let (entered, released) = (Mutex::new(entered), Mutex::new(released));
    let mut app = App::new();
    app.get("/block", move |_: Input| {
        entered.lock().unwrap().send(()).unwrap();
        let _ = released.lock().unwrap().recv();
        "released"
    })
    .get("/hello", |_: Input| "Hello, World!");
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .with_threads(2)
        .spawn(app)
        .unwrap();
    // Dropped before the server (if an assertion fails), so the blocked handler returns and
    // the server can stop.
    let release = release;
    let mut blocked = ResponseReader::connect(server.addr());
    blocked.send(&get("/block"));
    in_handler.recv().unwrap();
    let mut clients = Vec::new();
    for _ in 0..6 {
        let mut client = ResponseReader::connect(server.addr());
        assert_eq!(ask(&mut client, "/hello").text(), "Hello, World!");
        clients.push(client); // kept open, so the free runtime holds more and more
    }
    release.send(()).unwrap();
    assert_eq!(blocked.next_response(false).text(), "released");
}

#[test]
fn a_connection_refused_after_the_stop() {
    let server = one_thread(meeting_app(1));
    let addr = server.addr();
    server.stop();
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens any more"
    );
}

// ANCHOR: current_request
thread_local! {
    /// Flask's way: the server puts "the current request" where any code can reach it, and the
    /// handler reads it from there instead of being given it.
    static CURRENT_PATH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// `/flask/{name}` sets the thread's current request and reads it back after an `.await`;
/// `/sanic/{name}` takes what it needs from the request it is given, as Sanic passes it.
fn current_request_app() -> App {
    let meeting = Meeting::new(2);
    let flask = meeting.clone();
    let mut app = App::new();
    app.get(
        "/flask/{name}",
        later(move |input: Input| {
            CURRENT_PATH.set(input.request.path().to_string()); // "push the request context"
            let meeting = flask.clone();
            async move {
                meeting.arrive().await; // both requests are in their handlers now
                CURRENT_PATH.with_borrow(String::clone) // whose request is this?
            }
        }),
    )
    .get(
        "/sanic/{name}",
        later(move |input: Input| {
            let path = input.request.path().to_string(); // the request, passed in
            let meeting = meeting.clone();
            async move {
                meeting.arrive().await;
                path
            }
        }),
    );
    app
}
// ANCHOR_END: current_request

#[test]
fn a_thread_local_current_request_is_another_requests_after_an_await() {
    let ask_both = |prefix: &'static str| {
        let server = one_thread(current_request_app());
        let addr = server.addr();
        let askers: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|name| {
                let path = format!("/{prefix}/{name}");
                thread::spawn(move || {
                    let answer = ask(&mut ResponseReader::connect(addr), &path).text();
                    (path, answer)
                })
            })
            .collect();
        askers
            .into_iter()
            .map(|a| a.join().unwrap())
            .collect::<Vec<_>>()
    };
    // Two requests on one thread: the second set the thread's "current request" while the
    // first was waiting, so the first reads the second's path.
    let flask = ask_both("flask");
    assert!(
        flask.iter().any(|(asked, got)| asked != got),
        "each saw its own request: {flask:?}"
    );
    let sanic = ask_both("sanic");
    assert!(
        sanic.iter().all(|(asked, got)| asked == got),
        "passed explicitly, each has its own: {sanic:?}"
    );
}
