//! The suites checked against servers whose behaviour is known, to show that each case can pass
//! and can fail. A case that has never failed proves nothing.
//!
//! The `keep_alive` and `pipelining` suites have no chapter to run against yet: chapter 6 is the
//! first to keep connections open. So this file holds a small reference server that does it
//! right, written here on chapter 3's [`Parser`] with every response written out byte by byte, and
//! the same server with one [`Flaw`] at a time, each a mistake real servers have made. Every case
//! of both suites passes against the reference and fails against a flaw, saying why. The cases of
//! `http_basics` and the entries of `changes` that were tightened get the same treatment against
//! servers that give one canned answer to everything.
//!
//! The suites are the very files the behaviour tests run, included by path.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic;
use std::thread;
use std::time::{Duration, Instant};

use stage03_parser::{Limits, Method, Parsed, Parser, Request};
use tests::raw::find;

#[allow(dead_code)] // this file runs some of the suites, not all
#[path = "behaviour/suites/mod.rs"]
mod suites;

#[allow(dead_code)] // only the entries this file checks are used
#[path = "behaviour/changes.rs"]
mod changes;

use suites::{Case, http_basics, keep_alive, pipelining};

/// How long the reference server keeps a connection open with nothing arriving: short, so the
/// idle case ends quickly; generous next to the time a test takes between two requests.
const IDLE: Duration = Duration::from_secs(1);

/// A mistake the reference server can be told to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    /// Closes after every response, as chapters 3 and 4 do on purpose.
    ClosesAfterEachResponse,
    /// Keeps every connection open, whatever the client asked.
    KeepsEveryConnectionOpen,
    /// Says `Connection: close` where it should, then keeps the connection open anyway.
    SaysCloseButStaysOpen,
    /// Keeps an HTTP/1.0 connection open when asked, without saying `Connection: keep-alive`.
    DoesNotConfirmKeepAlive,
    /// Never closes an idle connection.
    NeverClosesIdle,
    /// Says `408 Request Timeout` to a connection that was idle between requests.
    Sends408WhenIdle,
    /// Answers the requests that arrived together in reverse order.
    AnswersOutOfOrder,
    /// Answers the first of the requests that arrived together, and drops the rest.
    DropsPipelinedRequests,
    /// Sends the body in answer to `HEAD` too.
    SendsBodyToHead,
    /// Answers `HEAD` with `Content-Length: 0`, the length of what it sends, not of the `GET`'s body.
    HeadSaysLengthZero,
    /// Leaves a request's body in the buffer, to be read as the start of the next request.
    ForgetsBodies,
}

/// Starts the reference server, with `flaw` if one is given, on a free port.
fn start(flaw: Option<Flaw>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || serve(stream, flaw));
        }
    });
    addr
}

fn reference() -> SocketAddr {
    start(None)
}

/// One connection: every whole request in the buffer answered in turn, until one of them says
/// the connection ends, the client closes, or nothing arrives for [`IDLE`].
fn serve(mut stream: TcpStream, flaw: Option<Flaw>) {
    let idle = (flaw != Some(Flaw::NeverClosesIdle)).then_some(IDLE);
    if stream.set_read_timeout(idle).is_err() {
        return;
    }
    let mut parser = Parser::new(Limits::default());
    let mut buffer = Vec::new();
    loop {
        let (mut requests, refused) = take_requests(&mut parser, &mut buffer, flaw);
        if flaw == Some(Flaw::AnswersOutOfOrder) {
            requests.reverse();
        }
        for request in &requests {
            let keep = match flaw {
                Some(Flaw::ClosesAfterEachResponse) => false,
                Some(Flaw::KeepsEveryConnectionOpen) => true,
                _ => request.keep_alive(),
            };
            if stream.write_all(&answer(request, keep, flaw)).is_err() {
                return;
            }
            if !keep && flaw != Some(Flaw::SaysCloseButStaysOpen) {
                return close_gently(stream);
            }
        }
        if refused {
            let bad = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\nConnection: close\r\n\r\nbad request\n";
            let _ = stream.write_all(bad);
            return close_gently(stream);
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // The idle time is over (or the connection broke): close, without a word.
            Err(_) => {
                if flaw == Some(Flaw::Sends408WhenIdle) && buffer.is_empty() {
                    let timeout = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                    let _ = stream.write_all(timeout);
                }
                return close_gently(stream);
            }
        }
    }
}

/// Every whole request at the start of `buffer`, removed from it, and whether what follows them
/// was refused by the parser.
fn take_requests(
    parser: &mut Parser,
    buffer: &mut Vec<u8>,
    flaw: Option<Flaw>,
) -> (Vec<Request>, bool) {
    let mut requests = Vec::new();
    loop {
        match parser.parse(buffer) {
            Ok(Parsed::Complete { request, consumed }) => {
                let used = match flaw {
                    Some(Flaw::ForgetsBodies) => consumed - request.body.len(),
                    _ => consumed,
                };
                buffer.drain(..used);
                requests.push(request);
                if flaw == Some(Flaw::DropsPipelinedRequests) {
                    buffer.clear();
                    *parser = Parser::new(Limits::default());
                    return (requests, false);
                }
            }
            Ok(Parsed::Incomplete) => return (requests, false),
            Err(_) => return (requests, true),
        }
    }
}

/// The response to `request`, byte by byte: `/hello`, `POST /echo`, the mirror, or a 404.
fn answer(request: &Request, keep: bool, flaw: Option<Flaw>) -> Vec<u8> {
    let path = request.target.split('?').next().unwrap_or_default();
    let (status, content_type, body) = match (&request.method, path) {
        (Method::Get | Method::Head, "/hello") => (
            "200 OK",
            "text/plain; charset=utf-8",
            b"Hello, World!".to_vec(),
        ),
        (Method::Post, "/echo") => ("200 OK", "application/octet-stream", request.body.clone()),
        (_, "/debug/request") => {
            let method = json_text(request.method.as_str());
            let target = json_text(&request.target);
            let mirror = format!(r#"{{"method":{method},"target":{target}}}"#);
            ("200 OK", "application/json", mirror.into_bytes())
        }
        _ => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"no such page\n".to_vec(),
        ),
    };
    let connection = match (keep, flaw) {
        (false, _) => "Connection: close\r\n",
        (true, Some(Flaw::DoesNotConfirmKeepAlive)) => "",
        // Needed by HTTP/1.0 clients, harmless to HTTP/1.1 ones.
        (true, _) => "Connection: keep-alive\r\n",
    };
    let zero = request.method == Method::Head && flaw == Some(Flaw::HeadSaysLengthZero);
    let length = if zero { 0 } else { body.len() };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n{connection}\r\n"
    );
    let mut bytes = head.into_bytes();
    if request.method != Method::Head || flaw == Some(Flaw::SendsBodyToHead) {
        bytes.extend_from_slice(&body);
    }
    bytes
}

/// `text` as a JSON string.
fn json_text(text: &str) -> String {
    let mut quoted = String::from('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c < ' ' => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Ends the sending half, then reads and drops what the client still sends, for at most [`IDLE`]:
/// closing with its bytes unread would reset the connection, and a reset can make the client's
/// kernel drop the response it has not read yet.
fn close_gently(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + IDLE;
    let mut chunk = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// A server that gives every connection the same `answer` once the head has come (or the client
/// stopped sending), then closes gently: a stand-in for a server that gets one thing wrong.
fn canned(answer: &'static [u8]) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(IDLE));
                let mut head = Vec::new();
                let mut chunk = [0u8; 8192];
                while find(&head, b"\r\n\r\n").is_none() {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = stream.write_all(answer);
                close_gently(stream);
            });
        }
    });
    addr
}

/// What the case's panic said, or `None` if it passed.
fn failure(case: fn(SocketAddr), addr: SocketAddr) -> Option<String> {
    let payload = panic::catch_unwind(move || case(addr)).err()?;
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()));
    Some(message.unwrap_or_default())
}

/// The case of that name in `cases`.
fn case(cases: &[Case], name: &str) -> fn(SocketAddr) {
    let found = cases.iter().find(|(n, _)| *n == name);
    found.unwrap_or_else(|| panic!("no case named {name:?}")).1
}

/// Asserts that the case fails against the server at `addr`, and that its message says `why`:
/// it must fail for the reason the server is wrong, not for another.
fn assert_fails(cases: &[Case], name: &str, addr: SocketAddr, why: &str) {
    match failure(case(cases, name), addr) {
        None => panic!("`{name}` passed against a server that breaks it"),
        Some(message) => assert!(
            message.contains(why),
            "`{name}` failed, but not saying {why:?}: {message}"
        ),
    }
}

#[test]
fn the_reference_server_keeps_connections_alive_correctly() {
    suites::run("reference", keep_alive::CASES, reference);
}

#[test]
fn the_reference_server_answers_pipelines_correctly() {
    suites::run("reference", pipelining::CASES, reference);
}

/// Each case, the flaw that breaks it, and what its failure says.
const BROKEN_BY: &[(&[Case], &str, Flaw, &str)] = &[
    (
        keep_alive::CASES,
        "several requests on one connection are each answered",
        Flaw::ClosesAfterEachResponse,
        "round 1",
    ),
    (
        keep_alive::CASES,
        "Connection: close is answered, then the server closes",
        Flaw::KeepsEveryConnectionOpen,
        "should say Connection: close",
    ),
    (
        keep_alive::CASES,
        "Connection: close is answered, then the server closes",
        Flaw::SaysCloseButStaysOpen,
        "stayed open",
    ),
    (
        keep_alive::CASES,
        "HTTP/1.0 is closed after its answer when it does not ask keep-alive",
        Flaw::KeepsEveryConnectionOpen,
        "must not say keep-alive",
    ),
    (
        keep_alive::CASES,
        "HTTP/1.0 is closed after its answer when it does not ask keep-alive",
        Flaw::SaysCloseButStaysOpen,
        "stayed open",
    ),
    (
        keep_alive::CASES,
        "HTTP/1.0 with Connection: keep-alive is kept open, and told so",
        Flaw::DoesNotConfirmKeepAlive,
        "must say keep-alive",
    ),
    (
        keep_alive::CASES,
        "HTTP/1.0 with Connection: keep-alive is kept open, and told so",
        Flaw::ClosesAfterEachResponse,
        "must say keep-alive",
    ),
    (
        keep_alive::CASES,
        "an idle connection is closed by the server",
        Flaw::Sends408WhenIdle,
        "the idle connection got",
    ),
    (
        pipelining::CASES,
        "ten requests in one write are answered, in order",
        Flaw::ClosesAfterEachResponse,
        "answer 1 of 10",
    ),
    (
        pipelining::CASES,
        "ten requests in one write are answered, in order",
        Flaw::AnswersOutOfOrder,
        "answer 1 of 10",
    ),
    (
        pipelining::CASES,
        "ten requests in one write are answered, in order",
        Flaw::DropsPipelinedRequests,
        "closed before a whole response",
    ),
    (
        pipelining::CASES,
        "ten requests in one write are answered, in order",
        Flaw::SendsBodyToHead,
        "no status code",
    ),
    (
        pipelining::CASES,
        "ten requests in one write are answered, in order",
        Flaw::ForgetsBodies,
        "answer 6 of 10",
    ),
    (
        pipelining::CASES,
        "a HEAD in a pipeline has the GET's Content-Length and no body",
        Flaw::SendsBodyToHead,
        "no status code",
    ),
    (
        pipelining::CASES,
        "a HEAD in a pipeline has the GET's Content-Length and no body",
        Flaw::HeadSaysLengthZero,
        "the GET's Content-Length",
    ),
    (
        pipelining::CASES,
        "a body that looks like a request is answered as a body",
        Flaw::ForgetsBodies,
        "answer 2 of 2",
    ),
];

#[test]
fn each_new_case_fails_against_a_server_that_breaks_it() {
    for &(cases, name, flaw, why) in BROKEN_BY {
        eprintln!("expecting `{name}` to fail against {flaw:?}:");
        assert_fails(cases, name, start(Some(flaw)), why);
    }
    for (name, _) in keep_alive::CASES.iter().chain(pipelining::CASES) {
        let checked = BROKEN_BY.iter().any(|(_, n, _, _)| n == name);
        let idle = *name == "an idle connection is closed by the server";
        assert!(checked || idle, "no server shows `{name}` can fail");
    }
}

#[test]
fn the_idle_case_fails_against_a_server_that_never_closes() {
    // The case's own guard is a minute, a bound for slow machines; this server never closes, so
    // any bound shows the failure, and a short one keeps the test short.
    let addr = start(Some(Flaw::NeverClosesIdle));
    let case = |addr| keep_alive::idle_is_closed_within(addr, 3 * IDLE);
    let message = failure(case, addr).expect("the idle case fails");
    assert!(message.contains("did not close"), "{message}");
}

#[test]
fn whole_suites_fail_against_a_server_that_closes_after_each_response() {
    let closing = || start(Some(Flaw::ClosesAfterEachResponse));
    for cases in [keep_alive::CASES, pipelining::CASES] {
        let outcome = panic::catch_unwind(|| suites::run("closing", cases, closing));
        assert!(
            outcome.is_err(),
            "the suite passed against a closing server"
        );
    }
}

/// Chapter 2's one answer, to everything.
const HELLO: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\
                       Content-Length: 13\r\nConnection: close\r\n\r\nHello, World!";

#[test]
fn the_changes_entries_fail_against_servers_that_do_not_make_the_change() {
    // Chapter 3 closes after each response; a server that keeps the connection open fails that.
    let closes = "closes after every response: the keep-alive and pipelining suites are not kept \
                  (chapter 6 turns them on)";
    for cases in [changes::STAGE03, changes::STAGE04] {
        assert_fails(
            cases,
            closes,
            reference(),
            "two HTTP/1.1 requests in one write",
        );
    }
    // Chapter 3 refuses garbage; chapter 2 said hello to it.
    let refused = "garbage gets 400 saying what is wrong, not Hello, World!";
    assert_fails(changes::STAGE03, refused, canned(HELLO), "HTTP/1.1 200 OK");
}

#[test]
fn the_tightened_http_basics_cases_fail_against_wrong_answers() {
    const ERROR: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\
                           Content-Length: 5\r\nConnection: close\r\n\r\noops\n";
    const EMPTY: &[u8] =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    const UNTYPED: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi";
    const NOT_FOUND: &[u8] = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\
                               Content-Length: 9\r\nConnection: close\r\n\r\nnot here\n";
    const REDIRECT: &[u8] = b"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Type: text/plain\r\n\
                              Content-Length: 3\r\nConnection: close\r\n\r\n/x\n";
    const TOO_LARGE: &[u8] = b"HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain\r\n\
                               Content-Length: 9\r\nConnection: close\r\n\r\ntoo big!\n";
    const MIRROR: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                            Content-Length: 2\r\nConnection: close\r\n\r\n{}";
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "reqwest reads a page in answer to GET /",
            ERROR,
            "GET /: the status",
        ),
        (
            "reqwest reads a page in answer to GET /",
            EMPTY,
            "an empty body",
        ),
        (
            "reqwest reads a page in answer to GET /",
            UNTYPED,
            "no Content-Type",
        ),
        (
            "reqwest reads the answer to a POST with a body",
            TOO_LARGE,
            "the status",
        ),
        (
            "curl's exact request gets the page",
            NOT_FOUND,
            "the status",
        ),
        (
            "a request sent one byte at a time is answered as if sent whole",
            REDIRECT,
            "the status",
        ),
        (
            "a head longer than 1024 bytes is read whole",
            EMPTY,
            "an empty body",
        ),
        (
            "garbage gets a whole answer and a close, and the next client is served",
            b"",
            "closed without an answer",
        ),
        (
            "garbage gets a whole answer and a close, and the next client is served",
            MIRROR,
            "HTTP/1.1 200 OK",
        ),
        (
            "garbage gets a whole answer and a close, and the next client is served",
            ERROR,
            "500",
        ),
    ];
    for &(name, answer, why) in cases {
        eprintln!(
            "expecting `{name}` to fail against {:?}:",
            String::from_utf8_lossy(answer)
        );
        assert_fails(http_basics::CASES, name, canned(answer), why);
    }
    // And chapter 2's answer to everything passes the garbage case: the one other answer it takes.
    let garbage = case(
        http_basics::CASES,
        "garbage gets a whole answer and a close, and the next client is served",
    );
    assert_eq!(failure(garbage, canned(HELLO)), None);
}
