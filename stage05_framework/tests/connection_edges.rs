//! The connection at the edges a careful review found: empty lines between requests, a client
//! that half-closes after pipelining, one that reads slowly or not at all, bytes that arrive just
//! in time, a driver that reads when it was not asked to, and answers that are not answers.

use std::time::{Duration, Instant, UNIX_EPOCH};

use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage03_parser::{Limits, Request};
use stage05_framework::{Config, Connection, Next, Now};

fn start() -> Now {
    Now {
        instant: Instant::now(),
        date: UNIX_EPOCH + Duration::from_secs(784_111_777),
    }
}

fn app(request: &Request) -> Response {
    Response::text(
        Status::OK,
        format!("{} {}\n", request.method, request.path()),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the connection at `now` until it reads or closes, answering every request with `app`
/// and writing everything: what was written, how many were answered, how it closed.
fn pump(connection: &mut Connection, now: Now) -> (String, usize, Option<bool>) {
    let (mut out, mut answered) = (Vec::new(), 0);
    for _ in 0..10_000 {
        match connection.next(now) {
            Next::Read => return (text(&out), answered, None),
            Next::Close { linger } => return (text(&out), answered, Some(linger)),
            Next::Request(request) => {
                answered += 1;
                connection.respond(app(&request), now);
            }
            Next::Refused(_) => {}
            Next::Write => {
                out.extend_from_slice(connection.output());
                let n = connection.output().len();
                connection.wrote(n, now);
            }
            Next::Busy => panic!("this driver answers at once"),
        }
    }
    panic!("10,000 steps without a read or a close: the connection spins");
}

const A: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
const B: &[u8] = b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n";

/// Answers the request in `connection`'s input with `response`, and returns the written bytes.
fn answer_with(
    connection: &mut Connection,
    response: Response,
    now: Now,
) -> (String, Option<bool>) {
    assert!(matches!(connection.next(now), Next::Request(_)));
    connection.respond(response, now);
    let (out, _, closed) = pump(connection, now);
    (out, closed)
}

#[test]
fn a_half_close_after_pipelined_requests_still_answers_them_all() {
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(&[A, B].concat(), now);
    connection.receive_eof();
    let (out, answered, closed) = pump(&mut connection, now);
    assert_eq!(answered, 2, "{out}");
    assert!(out.find("GET /a").unwrap() < out.find("GET /b").unwrap());
    assert_eq!(
        out.matches("Connection: close").count(),
        1,
        "only the last says close"
    );
    assert!(closed.is_some());
}

#[test]
fn an_empty_line_after_a_body_leaves_the_connection_idle() {
    let config = Config::default();
    let now = start();
    let mut connection = Connection::new(config, None, now);
    connection.receive(
        b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\r\n",
        now,
    );
    let (_, answered, closed) = pump(&mut connection, now);
    assert_eq!((answered, closed), (1, None));
    assert_eq!(
        connection.deadline(),
        Some(now.instant + config.idle),
        "idle, not reading"
    );
    let (out, _, closed) = pump(&mut connection, now.after(config.idle));
    assert!(out.is_empty(), "closed silently, without a 408: {out}");
    assert_eq!(closed, Some(false));
}

#[test]
fn a_bare_empty_line_is_not_the_first_byte_of_a_request() {
    let config = Config::default();
    let now = start();
    let mut connection = Connection::new(config, None, now);
    connection.receive(b"\r\n", now);
    assert_eq!(connection.next(now), Next::Read);
    assert_eq!(
        connection.deadline(),
        Some(now.instant + config.timeouts.first_byte)
    );
}

#[test]
fn a_big_answer_read_steadily_is_not_cut_off() {
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(A, now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    connection.respond(Response::text(Status::OK, "x".repeat(4 << 20)), now);
    // 256 KiB a second: 16 s for 4 MiB, longer than the 10 s response deadline, and fine.
    for second in 1..=17 {
        let t = now.after(Duration::from_secs(second));
        match connection.next(t) {
            Next::Write => connection.wrote(connection.output().len().min(256 << 10), t),
            Next::Close { .. } => {
                assert!(second > 16, "cut off after {second} s");
                return;
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn partial_writes_send_exactly_the_answer() {
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(A, now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    let body: String = (0..100_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    connection.respond(Response::text(Status::OK, body.clone()), now);
    let mut sent = Vec::new();
    while connection.next(now) == Next::Write {
        let n = connection.output().len().min(997);
        sent.extend_from_slice(&connection.output()[..n]);
        connection.wrote(n, now);
    }
    assert!(text(&sent).ends_with(&body));
    assert_eq!(connection.buffered_capacity(), 0);
}

#[test]
fn bytes_that_arrived_in_time_are_read_even_if_the_driver_is_late() {
    let config = Config::default();
    let now = start();
    let mut connection = Connection::new(config, None, now);
    connection.receive(b"GET /a HTTP/1.1\r\n", now);
    assert_eq!(connection.next(now), Next::Read);
    let just_before = now.after(config.timeouts.request - Duration::from_millis(1));
    connection.receive(b"Host: x\r\n\r\n", just_before);
    let just_after = now.after(config.timeouts.request + Duration::from_millis(1));
    assert!(matches!(connection.next(just_after), Next::Request(_)));
}

#[test]
fn a_driver_that_reads_when_not_asked_is_bounded() {
    let limits = Limits::default();
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(A, now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    let junk = vec![b'x'; 8192];
    for _ in 0..(16 << 20) / 8192 {
        connection.receive(&junk, now); // while the application is busy
    }
    // What is kept is capped at one request's worth (a `Vec` may reserve up to twice that).
    let cap = limits.max_head + 2 * limits.max_body;
    assert!(connection.buffered_capacity() <= 2 * cap);
    connection.respond(Response::text(Status::OK, "ok"), now);
    let (out, _, closed) = pump(&mut connection, now);
    assert!(out.contains("Connection: close"), "{out}");
    assert!(closed.is_some(), "a flood ends the connection");
}

#[test]
fn nothing_is_kept_after_a_refusal() {
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(
        b"POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 104857600\r\n\r\n",
        now,
    );
    assert!(matches!(connection.next(now), Next::Refused(_)));
    let junk = vec![b'x'; 8192];
    for _ in 0..1024 {
        connection.receive(&junk, now);
    }
    assert!(connection.buffered_capacity() < 64 * 1024);
}

#[test]
fn an_interim_status_from_the_application_is_a_500() {
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(A, now);
    let early_hints = Response::new(Status::from_code(103).expect("a status"));
    let (out, closed) = answer_with(&mut connection, early_hints, now);
    assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
    assert!(closed.is_some());
}

#[test]
fn connection_close_in_a_list_closes() {
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(A, now);
    let response = Response::text(Status::OK, "bye").header("Connection", "close, x-foo");
    let (_, closed) = answer_with(&mut connection, response, now);
    assert!(closed.is_some());
}

#[test]
fn an_http10_application_saying_close_is_not_overruled() {
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", now);
    let response = Response::text(Status::OK, "bye").header("Connection", "Close");
    let (out, closed) = answer_with(&mut connection, response, now);
    assert!(!out.contains("keep-alive"), "{out}");
    assert!(closed.is_some());
}

#[test]
fn the_request_deadline_runs_while_100_continue_waits_to_be_written() {
    let config = Config::default();
    let now = start();
    let mut connection = Connection::new(config, None, now);
    let at = now.after(Duration::from_secs(9));
    connection.receive(
        b"POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
        at,
    );
    assert_eq!(connection.next(at), Next::Write);
    assert_eq!(
        connection.deadline(),
        Some(now.instant + config.timeouts.request)
    );
}

#[test]
fn a_pipelined_request_gets_its_time_once_the_answer_before_it_is_written() {
    let config = Config::default();
    let now = start();
    let mut connection = Connection::new(config, None, now);
    connection.receive(&[A, b"GET /b HTTP/1.1\r\n"].concat(), now);
    let Next::Request(request) = connection.next(now) else {
        panic!("a whole request")
    };
    connection.respond(app(&request), now);
    let written_at = now.after(Duration::from_secs(9));
    let n = connection.output().len();
    connection.wrote(n, written_at);
    assert_eq!(connection.next(written_at), Next::Read);
    assert_eq!(
        connection.deadline(),
        Some(written_at.instant + config.timeouts.request)
    );
}

#[test]
fn a_big_body_leaves_no_buffer_behind() {
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    let body = vec![b'x'; 1 << 20];
    let head = format!(
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let input = [head.as_bytes(), &body, b"\r\n"].concat();
    let mut answered = 0;
    for piece in input.chunks(8192) {
        connection.receive(piece, now);
        answered += pump(&mut connection, now).1;
    }
    assert_eq!(answered, 1);
    assert_eq!(connection.buffered_capacity(), 0);
}

#[test]
fn a_streamed_body_is_read_as_the_client_takes_it() {
    use stage03_parser::body_stream::BodyStream;
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(A, now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    let stream = BodyStream::new(std::io::Cursor::new(body.clone()), body.len() as u64);
    let response = Response::new(Status::OK).with_stream(stream, "application/octet-stream");
    connection.respond(response, now);
    let mut sent = Vec::new();
    let mut most_held = 0;
    while connection.next(now) == Next::Write {
        most_held = most_held.max(connection.buffered_capacity());
        let n = connection.output().len().min(10_000);
        sent.extend_from_slice(&connection.output()[..n]);
        connection.wrote(n, now);
    }
    let head_end = sent.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(text(&sent[..head_end]).contains("Content-Length: 300000\r\n"));
    assert!(
        sent[head_end..] == body[..],
        "the body arrives whole and in order"
    );
    assert!(
        most_held < 200_000,
        "held {most_held} bytes at most, not the whole body"
    );
    assert_eq!(
        connection.next(now),
        Next::Read,
        "and the connection is kept"
    );
}

#[test]
fn a_streamed_body_that_ends_early_closes_the_connection() {
    use stage03_parser::body_stream::BodyStream;
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(A, now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    // Says 1000 bytes, has 10: a file that shrank while it was sent.
    let stream = BodyStream::new(std::io::Cursor::new(vec![b'x'; 10]), 1000);
    connection.respond(
        Response::new(Status::OK).with_stream(stream, "text/plain"),
        now,
    );
    let (out, _, closed) = pump(&mut connection, now);
    assert!(out.ends_with("xxxxxxxxxx"), "{out}");
    assert_eq!(
        closed,
        Some(false),
        "closed at once: the length it promised cannot be kept"
    );
}

#[test]
fn head_sends_the_length_of_a_streamed_body_and_not_the_body() {
    use stage03_parser::body_stream::BodyStream;
    let now = start();
    let mut connection = Connection::new(Config::default(), None, now);
    connection.receive(b"HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n", now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    let stream = BodyStream::new(std::io::Cursor::new(vec![b'x'; 5000]), 5000);
    connection.respond(
        Response::new(Status::OK).with_stream(stream, "text/plain"),
        now,
    );
    let (out, _, _) = pump(&mut connection, now);
    assert!(out.contains("Content-Length: 5000\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\n"), "no body: {out}");
}

#[test]
fn a_client_that_stops_reading_a_long_answer_is_dropped_after_the_response_time() {
    use stage03_parser::body_stream::BodyStream;
    let config = Config::default();
    let now = start();
    let mut connection = Connection::new(config, None, now);
    connection.receive(A, now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    // 64 MiB: at 8 KiB/s that is over two hours, granted only to a client that keeps reading.
    let size = 64 << 20;
    let stream = BodyStream::new(std::io::repeat(b'x'), size);
    connection.respond(
        Response::new(Status::OK).with_stream(stream, "text/plain"),
        now,
    );
    assert_eq!(connection.next(now), Next::Write);
    let head = connection.output().len();
    connection.wrote(head, now);
    assert_eq!(
        connection.next(now),
        Next::Write,
        "the first piece of the body"
    );
    connection.wrote(1000, now);
    let stalled = now.after(config.timeouts.response);
    assert_eq!(connection.next(stalled), Next::Close { linger: false });
}

#[test]
fn nothing_is_written_into_the_middle_of_a_streamed_body() {
    use stage03_parser::body_stream::BodyStream;
    let config = Config::default();
    let now = start();
    let mut connection = Connection::new(config, None, now);
    // A whole request, and the start of the next one, pipelined.
    connection.receive(&[A, b"GET /b HTTP/1.1\r\n"].concat(), now);
    assert!(matches!(connection.next(now), Next::Request(_)));
    let body = vec![b'y'; 400_000];
    let stream = BodyStream::new(std::io::Cursor::new(body.clone()), body.len() as u64);
    connection.respond(
        Response::new(Status::OK).with_stream(stream, "text/plain"),
        now,
    );
    // The client reads steadily for 30 s, past the next request's 10 s.
    let mut sent = Vec::new();
    let mut t = now;
    while connection.next(t) == Next::Write {
        let n = connection.output().len().min(16_384);
        sent.extend_from_slice(&connection.output()[..n]);
        t = t.after(Duration::from_millis(1_200));
        connection.wrote(n, t);
    }
    let head_end = sent.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(
        sent[head_end..] == body[..],
        "the body is whole, with no 408 inside it"
    );
}

#[test]
fn a_limit_too_long_for_the_clock_is_a_deadline_that_does_not_come() {
    let now = start();
    let forever = Duration::MAX;
    let config = Config {
        idle: forever,
        timeouts: stage03_parser::Timeouts {
            first_byte: forever,
            request: forever,
            response: forever,
        },
        ..Config::default()
    };
    let mut connection = Connection::new(config, None, now);
    assert!(connection.deadline().is_some_and(|d| d > now.instant));
    connection.receive(
        b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n",
        now,
    );
    // Before, adding `Duration::MAX` to the clock panicked here.
    let (written, answered, closed) = pump(&mut connection, now);
    assert_eq!((answered, closed), (1, None));
    assert!(written.starts_with("HTTP/1.1 200 OK\r\n"));
    let thirty_years = Duration::from_secs(30 * 365 * 86_400);
    assert!(
        connection
            .deadline()
            .is_some_and(|d| d >= now.instant + thirty_years)
    );
}
