//! The connection state machine, driven with no socket at all: bytes in any split, a clock that
//! moves only when the test says so, and assertions on exactly what comes out.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::{Method, Request};
use stage05_framework::{Config, Connection, Next, Now};

/// A fixed start: Sun, 06 Nov 1994 08:49:37 GMT on the wall clock, whatever the real time is.
fn start() -> Now {
    Now {
        instant: Instant::now(),
        date: UNIX_EPOCH + Duration::from_secs(784_111_777),
    }
}

/// An application that answers `METHOD path` as text, so each answer says what it answers.
fn app(request: &Request) -> Response {
    Response::text(
        Status::OK,
        format!("{} {}\n", request.method, request.path()),
    )
}

/// What a driver saw: the requests handed to the application, the bytes written, the refusals
/// and how it ended.
#[derive(Debug, Default)]
struct Transcript {
    requests: Vec<Request>,
    written: Vec<u8>,
    /// The size of each write.
    writes: Vec<usize>,
    refused: Vec<u16>,
    closed: Option<bool>,
}

/// Runs `connection` at `now` until it wants to read (or closes), answering every request with
/// `app` and writing all its output at once.
fn run_until_read(connection: &mut Connection, now: Now, seen: &mut Transcript) {
    loop {
        match connection.next(now) {
            Next::Read => return,
            Next::Request(request) => {
                let response = app(&request);
                seen.requests.push(request);
                connection.respond(response, now);
            }
            Next::Refused(error) => seen.refused.push(error.status().code()),
            Next::Write => {
                let n = connection.output().len();
                seen.written.extend_from_slice(connection.output());
                seen.writes.push(n);
                connection.wrote(n, now);
            }
            Next::Busy => panic!("this driver answers at once"),
            Next::Close { linger } => {
                seen.closed = Some(linger);
                return;
            }
        }
    }
}

/// Feeds `input` in the pieces given, then the end of the stream, with no time passing.
fn exchange(config: Config, pieces: &[&[u8]]) -> Transcript {
    let now = start();
    let mut connection = Connection::new(config, None, now);
    let mut seen = Transcript::default();
    run_until_read(&mut connection, now, &mut seen);
    for piece in pieces {
        connection.receive(piece, now);
        run_until_read(&mut connection, now, &mut seen);
    }
    if seen.closed.is_none() {
        connection.receive_eof();
        run_until_read(&mut connection, now, &mut seen);
    }
    seen
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn keep_alive() -> Config {
    Config::default()
}

fn one_at_a_time() -> Config {
    Config {
        keep_alive: false,
        ..Config::default()
    }
}

const GET_HELLO: &[u8] = b"GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";

#[test]
fn a_request_is_answered_and_the_connection_closes_when_keep_alive_is_off() {
    let seen = exchange(one_at_a_time(), &[GET_HELLO]);
    assert_eq!(seen.requests.len(), 1);
    assert_eq!(seen.requests[0].path(), "/hello");
    assert_eq!(
        text(&seen.written),
        "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
         Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\
         Content-Length: 11\r\n\r\nGET /hello\n"
    );
    assert_eq!(seen.closed, Some(true), "closed gently, after the answer");
}

#[test]
fn every_split_of_the_input_gives_the_same_exchange() {
    let input: &[u8] = b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello\
                         GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";
    let whole = exchange(keep_alive(), &[input]);
    assert_eq!(whole.requests.len(), 2);
    assert_eq!(whole.requests[0].body, b"hello");
    for at in 0..=input.len() {
        let split = exchange(keep_alive(), &[&input[..at], &input[at..]]);
        assert_eq!(split.requests, whole.requests, "split at {at}");
        assert_eq!(split.written, whole.written, "split at {at}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    let one_by_one = exchange(keep_alive(), &bytes);
    assert_eq!(one_by_one.written, whole.written);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let input = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n\
                  GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
    let seen = exchange(keep_alive(), &[input]);
    let paths: Vec<&str> = seen.requests.iter().map(Request::path).collect();
    assert_eq!(paths, ["/a", "/b", "/c"]);
    let written = text(&seen.written);
    let at: Vec<Option<usize>> = ["GET /a\n", "GET /b\n", "GET /c\n"]
        .iter()
        .map(|body| written.find(body))
        .collect();
    assert!(at.iter().all(Option::is_some), "{written}");
    assert!(at.is_sorted(), "answers out of order: {written}");
    // Kept alive after each, until the client's end of stream closes it without lingering.
    assert!(!text(&seen.written).contains("Connection: close"));
    assert_eq!(seen.closed, Some(false));
}

#[test]
fn pipelined_requests_that_arrive_together_are_answered_in_one_write() {
    let a = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    let b = b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    // /c is only half here: /a and /b are not held back waiting for it.
    let c = b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
    let now = start();
    let mut connection = Connection::new(keep_alive(), None, now);
    let mut seen = Transcript::default();
    connection.receive(&[&a[..], b, &c[..10]].concat(), now);
    run_until_read(&mut connection, now, &mut seen);
    assert_eq!(seen.requests.len(), 2);
    assert_eq!(seen.writes.len(), 1, "{}", text(&seen.written));
    connection.receive(&c[10..], now);
    run_until_read(&mut connection, now, &mut seen);
    assert_eq!(seen.writes.len(), 2);
    assert!(text(&seen.written).ends_with("GET /c\n"));
}

#[test]
fn a_batch_of_pipelined_answers_is_bounded() {
    let input = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n".repeat(1000);
    let seen = exchange(keep_alive(), &[&input]);
    assert_eq!(seen.requests.len(), 1000);
    let answer = seen.written.len() / 1000;
    // Each batch stops at 64 KiB: the one answer that crosses the line is the last in it.
    assert!(seen.writes.len() > 1, "{:?}", seen.writes);
    assert!(
        seen.writes.iter().all(|&n| n < 64 * 1024 + answer),
        "{:?}",
        seen.writes
    );
}

#[test]
fn keep_alive_follows_the_request_the_version_and_the_config() {
    let cases: &[(&str, Config, Option<&str>)] = &[
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", keep_alive(), None),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            keep_alive(),
            Some("close"),
        ),
        ("GET / HTTP/1.0\r\n\r\n", keep_alive(), Some("close")),
        (
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            keep_alive(),
            Some("keep-alive"),
        ),
        (
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            one_at_a_time(),
            Some("close"),
        ),
        (
            "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            one_at_a_time(),
            Some("close"),
        ),
    ];
    for (request, config, connection_header) in cases {
        let now = start();
        let mut connection = Connection::new(*config, None, now);
        let mut seen = Transcript::default();
        connection.receive(request.as_bytes(), now);
        run_until_read(&mut connection, now, &mut seen);
        let written = text(&seen.written);
        let said = written
            .lines()
            .find_map(|l| l.strip_prefix("Connection: "))
            .map(str::trim);
        assert_eq!(said, *connection_header, "{request:?}");
        let closes = *connection_header == Some("close");
        assert_eq!(seen.closed.is_some(), closes, "{request:?}: {seen:?}");
    }
}

#[test]
fn head_gets_the_head_a_get_would_and_no_body() {
    let head = exchange(
        one_at_a_time(),
        &[b"HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n"],
    );
    assert_eq!(head.requests[0].method, Method::Head);
    let head = text(&head.written);
    // The application's body was `HEAD /hello\n`: its length is announced, and it is not sent.
    assert!(head.contains("Content-Length: 12\r\n"), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "no body after a HEAD: {head:?}");
}

#[test]
fn expect_100_continue_is_answered_when_the_head_is_in_and_only_once() {
    let now = start();
    let mut connection = Connection::new(one_at_a_time(), None, now);
    let mut seen = Transcript::default();
    connection.receive(
        b"POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
        now,
    );
    run_until_read(&mut connection, now, &mut seen);
    assert_eq!(text(&seen.written), "HTTP/1.1 100 Continue\r\n\r\n");
    assert!(seen.requests.is_empty(), "the body is not in yet");
    connection.receive(b"da", now);
    run_until_read(&mut connection, now, &mut seen);
    assert_eq!(
        text(&seen.written),
        "HTTP/1.1 100 Continue\r\n\r\n",
        "once only"
    );
    connection.receive(b"ta", now);
    run_until_read(&mut connection, now, &mut seen);
    assert_eq!(seen.requests[0].body, b"data");
    assert!(text(&seen.written).ends_with("POST /up\n"));
}

#[test]
fn a_refused_request_gets_its_status_and_the_connection_closes() {
    let seen = exchange(
        keep_alive(),
        &[b"GET / HTTP/1.1\r\nHost : a\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n"],
    );
    assert_eq!(seen.refused, [400]);
    assert!(seen.requests.is_empty(), "nothing after a refusal is read");
    let written = text(&seen.written);
    assert!(
        written.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{written}"
    );
    assert!(written.contains("Connection: close\r\n"));
    assert_eq!(seen.closed, Some(true));
}

#[test]
fn a_client_that_half_closes_after_its_request_still_gets_the_answer() {
    // `nc -N` and some scripts shut down their sending side as soon as the request is out.
    let now = start();
    let mut connection = Connection::new(keep_alive(), None, now);
    let mut seen = Transcript::default();
    connection.receive(GET_HELLO, now);
    connection.receive_eof();
    run_until_read(&mut connection, now, &mut seen);
    assert_eq!(seen.requests.len(), 1);
    assert!(text(&seen.written).contains("Connection: close"));
    assert!(seen.closed.is_some());
}

#[test]
fn an_unfinished_request_at_the_end_of_the_stream_is_dropped() {
    let seen = exchange(keep_alive(), &[b"GET /hel"]);
    assert!(seen.requests.is_empty());
    assert!(seen.written.is_empty(), "nobody to answer");
    assert_eq!(seen.closed, Some(false));
}

#[test]
fn deadlines_with_a_clock_that_moves_only_when_told() {
    let config = keep_alive();
    let t = config.timeouts;
    // Silent: closed at the first-byte deadline, without an answer.
    let now = start();
    let mut silent = Connection::new(config, None, now);
    assert_eq!(silent.next(now), Next::Read);
    assert_eq!(silent.deadline(), Some(now.instant + t.first_byte));
    let later = now.after(t.first_byte);
    assert_eq!(silent.next(later), Next::Close { linger: false });

    // Half a request: a 408 at the request deadline, then a gentle close.
    let mut slow = Connection::new(config, None, now);
    slow.receive(b"GET / HTTP/1.1\r\n", now);
    assert_eq!(slow.next(now), Next::Read);
    assert_eq!(slow.deadline(), Some(now.instant + t.request));
    let late = now.after(t.request);
    assert_eq!(slow.next(late), Next::Write);
    assert!(text(slow.output()).starts_with("HTTP/1.1 408 Request Timeout\r\n"));
    let n = slow.output().len();
    slow.wrote(n, late);
    assert_eq!(slow.next(late), Next::Close { linger: true });

    // Kept alive: the idle deadline runs from the moment the answer was written.
    let mut idle = Connection::new(config, None, now);
    idle.receive(GET_HELLO, now);
    let Next::Request(request) = idle.next(now) else {
        panic!("a whole request")
    };
    idle.respond(app(&request), now);
    assert_eq!(idle.next(now), Next::Write);
    let written_at = now.after(Duration::from_secs(3));
    let n = idle.output().len();
    idle.wrote(n, written_at);
    assert_eq!(idle.next(written_at), Next::Read);
    assert_eq!(idle.deadline(), Some(written_at.instant + config.idle));
    assert_eq!(
        idle.next(written_at.after(config.idle)),
        Next::Close { linger: false }
    );

    // A client that does not read its answer: closed at the response deadline.
    let mut deaf = Connection::new(config, None, now);
    deaf.receive(GET_HELLO, now);
    let Next::Request(request) = deaf.next(now) else {
        panic!("a whole request")
    };
    deaf.respond(app(&request), now);
    deaf.wrote(10, now);
    // It took 10 bytes and then nothing: closed `response` after that, whatever is left.
    assert_eq!(deaf.deadline(), Some(now.instant + t.response));
    let almost = Now {
        instant: now.instant + t.response - Duration::from_millis(1),
        ..now
    };
    assert_eq!(deaf.next(almost), Next::Write, "not yet");
    assert_eq!(
        deaf.next(now.after(t.response)),
        Next::Close { linger: false }
    );
}

#[test]
fn the_application_has_no_deadline() {
    let now = start();
    let mut connection = Connection::new(keep_alive(), None, now);
    connection.receive(GET_HELLO, now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    assert_eq!(connection.deadline(), None);
    let an_hour = now.after(Duration::from_secs(3600));
    assert_eq!(connection.next(an_hour), Next::Busy);
}

#[test]
fn an_idle_connection_holds_no_buffer() {
    let now = start();
    let mut connection = Connection::new(keep_alive(), None, now);
    let mut seen = Transcript::default();
    connection.receive(GET_HELLO, now);
    run_until_read(&mut connection, now, &mut seen);
    assert_eq!(seen.requests.len(), 1);
    assert_eq!(connection.buffered_capacity(), 0);
}

#[test]
fn the_peer_address_reaches_the_request() {
    let now = start();
    let peer = "192.0.2.7:5555".parse().unwrap();
    let mut connection = Connection::new(keep_alive(), Some(peer), now);
    connection.receive(GET_HELLO, now);
    let Next::Request(request) = connection.next(now) else {
        panic!("a whole request")
    };
    assert_eq!(request.peer, Some(peer));
}

#[test]
#[should_panic(expected = "no request waiting")]
fn responding_without_a_request_is_a_driver_bug() {
    let now = start();
    let mut connection = Connection::new(keep_alive(), None, now);
    connection.respond(Response::new(Status::OK), now);
}

#[test]
fn the_wall_clock_is_the_one_given() {
    let now = Now {
        instant: Instant::now(),
        date: SystemTime::UNIX_EPOCH,
    };
    let mut connection = Connection::new(one_at_a_time(), None, now);
    connection.receive(GET_HELLO, now);
    let Next::Request(request) = connection.next(now) else {
        panic!("a whole request")
    };
    connection.respond(app(&request), now);
    assert!(text(connection.output()).contains("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"));
}

#[test]
fn idle_means_answered_and_nothing_in_hand() {
    let now = start();
    let mut connection = Connection::new(keep_alive(), None, now);
    assert!(
        !connection.is_idle(),
        "a first request may be in the socket, unread"
    );
    assert!(connection.holds_nothing(), "but nothing has arrived yet");
    connection.receive(b"GET /a HTTP/1.1\r\n", now);
    assert!(!connection.is_idle(), "half a request");
    assert!(!connection.holds_nothing(), "half a request is something");
    connection.receive(b"Host: x\r\n\r\n", now);
    let Next::Request(request) = connection.next(now) else {
        panic!("a whole request")
    };
    assert!(!connection.is_idle(), "the application has the request");
    connection.respond(app(&request), now);
    assert!(!connection.is_idle(), "the answer is not written yet");
    let n = connection.output().len();
    connection.wrote(n, now);
    assert!(
        connection.is_idle(),
        "answered, written, nothing of the next"
    );
    assert!(connection.holds_nothing());
    connection.receive(b"G", now);
    assert!(!connection.is_idle(), "the next request has begun");
    assert!(!connection.holds_nothing());
}
