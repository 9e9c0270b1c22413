//! Chapter 6, many clients at once: connections kept open for the next request, pipelined
//! requests answered in order, and a client slow to send its request holding up nobody else.
//! Chapter 7 keeps these.

use crate::check::{Check, FROM_6, Hint, Target};
use crate::http::{Exchange, get, request};
use crate::outcome::{Failure, Outcome};
use crate::response::Response;
use crate::wire::Wire;

const PART: &str = "Chapter 6, part 1 — A pool of threads";
/// Where the rules for keeping a connection are: chapter 5's connection, which chapter 6 keeps
/// open.
const KEEP_ALIVE: Hint = Hint {
    part: "Chapter 5, part 1 — The connection: a state machine that does no I/O",
    section: "Answering, and when to close",
};
const POOL: Hint = Hint {
    part: PART,
    section: "Processes, threads and pools",
};

pub const CHECKS: &[Check] = &[
    Check {
        name: "one connection carries several requests, each answered",
        chapters: FROM_6,
        hostile: false,
        hint: KEEP_ALIVE,
        run: several_requests,
    },
    Check {
        name: "HTTP/1.0 asking Connection: keep-alive is kept open, and told so",
        chapters: FROM_6,
        hostile: false,
        hint: KEEP_ALIVE,
        run: http10_keep_alive,
    },
    Check {
        name: "ten requests in one write are answered, in order",
        chapters: FROM_6,
        hostile: false,
        hint: KEEP_ALIVE,
        run: pipelined,
    },
    Check {
        name: "a client slow to send its request does not hold up another",
        chapters: FROM_6,
        hostile: false,
        hint: POOL,
        run: slow_client_holds_nobody,
    },
];

/// One request on `wire` and its answer (not to `HEAD`).
fn ask(wire: &mut Wire, bytes: &[u8]) -> Result<Exchange, Failure> {
    wire.send(bytes)?;
    let response = wire.response(false)?;
    Ok(Exchange {
        sent: wire.sent().to_vec(),
        response,
    })
}

fn says_close(response: &Response) -> bool {
    response.connection_has("close")
}

/// The answer is `Hello, World!` and does not announce the end of the connection.
fn kept_hello(answer: &Exchange) -> Outcome {
    answer.status(200)?;
    answer.body_is(b"Hello, World!")?;
    if says_close(&answer.response) {
        return Err(answer
            .fail("the answer says Connection: close, on a connection the client wants kept")
            .with_expected("no Connection: close: HTTP/1.1 keeps connections open by default")
            .with_caret(answer.response.header_value_at("Connection").unwrap_or(0)));
    }
    Ok(())
}

/// What a closed connection looks like to a client that sends its next request.
fn closed_too_early(failure: Failure, round: usize) -> Failure {
    failure
        .within(&format!("request {round} on the same connection"))
        .explained(
            "If the server closed after an answer: HTTP/1.1 keeps the connection for the next \
             request unless the client says Connection: close.",
        )
}

fn several_requests(target: &Target) -> Outcome {
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    for round in 1..=3 {
        let answer = ask(&mut wire, &request("GET", "/hello", &[], b""))
            .map_err(|f| closed_too_early(f, round))?;
        kept_hello(&answer)?;
    }
    let last = ask(&mut wire, &get("/hello"))?;
    last.status(200)?;
    wire.expect_close("after an answer to Connection: close")
}

fn http10_keep_alive(target: &Target) -> Outcome {
    // An HTTP/1.0 client assumes the close unless the answer says keep-alive (RFC 9112 C.2.2).
    let keep = b"GET /hello HTTP/1.0\r\nHost: checker\r\nConnection: keep-alive\r\n\r\n";
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    for round in 1..=2 {
        let answer = ask(&mut wire, keep).map_err(|f| closed_too_early(f, round))?;
        answer.status(200)?;
        answer.connection_says("keep-alive").map_err(|f| {
            f.explained("An HTTP/1.0 answer on a kept connection must say Connection: keep-alive.")
        })?;
    }
    ask(&mut wire, b"GET /hello HTTP/1.0\r\nHost: checker\r\n\r\n")?;
    wire.expect_close("after an HTTP/1.0 request that did not ask keep-alive")
}

fn pipelined(target: &Target) -> Outcome {
    let requests: Vec<Vec<u8>> = (1..=10)
        .map(|n| match n {
            3 => request("HEAD", "/hello", &[], b""),
            5 => request(
                "POST",
                "/echo",
                &[("Content-Type", "text/plain")],
                b"body five",
            ),
            10 => get("/debug/request?request=10"),
            n if n % 2 == 0 => request("GET", &format!("/debug/request?request={n}"), &[], b""),
            _ => request("GET", "/hello", &[], b""),
        })
        .collect();
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    wire.send(&requests.concat())?;
    let mut said_close = false;
    for (index, sent) in requests.iter().enumerate() {
        let n = index + 1;
        let response = wire.response(sent.starts_with(b"HEAD ")).map_err(|f| {
            if wire.was_closed() && f.got.is_empty() && n > 1 {
                let why = if said_close {
                    " (it said Connection: close)"
                } else {
                    ""
                };
                f.with_problem(format!(
                    "the server closed the connection after answer {} of 10{why}: HTTP/1.1 \
                     keeps a connection for the next request unless the client says \
                     Connection: close, and only the tenth does",
                    n - 1
                ))
            } else if index > 0 && requests[index - 1].starts_with(b"HEAD ") {
                f.within(&format!("answer {n} of 10")).explained(
                    "(Request 3 was HEAD: if its answer carried a body, that body is read as the \
                     start of this answer. A HEAD answer has no body, RFC 9110 §9.3.2.)",
                )
            } else {
                f.within(&format!("answer {n} of 10"))
            }
        })?;
        said_close = says_close(&response);
        let answer = Exchange {
            sent: wire.sent().to_vec(),
            response,
        };
        answer.status(200)?;
        match n {
            3 => answer.body_is(b"")?,
            5 => answer.body_is(b"body five")?,
            n if n % 2 == 0 => answer.body_contains(&format!("request={n}"))?,
            _ => answer.body_is(b"Hello, World!")?,
        }
    }
    wire.expect_close("after ten answers to ten requests, the last saying Connection: close")
}

fn slow_client_holds_nobody(target: &Target) -> Outcome {
    // The first client sends half a head and stops, as a slow phone network does.
    let mut slow = Wire::connect(target.addr, target.timeout)?;
    slow.send(b"GET /hello HTTP/1.1\r\nHost: checker\r\n")?;
    crate::chapters::chapter2::hello(target).map_err(|f| {
        f.within("while another client had sent half its request")
            .explained(
                "A server that serves one connection at a time waits for the slow client, and \
             everyone else waits with it.",
            )
    })?;
    slow.send(b"Connection: close\r\n\r\n")?;
    let response = slow.response(false)?;
    let answer = Exchange {
        sent: slow.sent().to_vec(),
        response,
    };
    answer.status(200)
}
