//! The chapter's server: the parser driven over a blocking socket, one connection at a time.
//!
//! It reads until the parser says the request is complete, answers it, and closes: one request per
//! connection, every response saying `Connection: close`. Chapter 4 reuses this loop unchanged
//! with a router as the handler; chapter 6 adds keep-alive and many clients at once.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant, SystemTime};

use stage01_tcp_echo::accept::serve_one_at_a_time;
use stage01_tcp_echo::log;
use stage01_tcp_echo::stop::{RunningServer, StopSignal};
use stage01_tcp_echo::timeout::is_timeout;
// Chapter 2's lingering close: shut down our side, then drain what the client still sends, so
// that closing does not turn into a reset that destroys the answer before the client reads it.
use stage02_raw_http::server::lingering_close;

use crate::error::ParseError;
use crate::limits::Limits;
use crate::method::Method;
use crate::parser::{Parsed, Parser};
use crate::request::Request;
use crate::response::Response;
use crate::status::Status;

// ANCHOR: timeouts
/// How long the server waits for each part of an exchange. Each is a deadline for the whole part,
/// not for each read or write: a client that sends (or reads) one byte every few seconds would
/// otherwise hold this one-at-a-time server for hours (the "slowloris" attack).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From the connection to its first byte. Short, because every real client sends its request
    /// as soon as it has connected, and a browser's speculative "preconnect" sends nothing at all:
    /// on a one-at-a-time server each one would block everybody else for the whole request time.
    /// Default 2 s.
    pub first_byte: Duration,
    /// From the connection to the last byte of the request, head and body. Default 10 s.
    pub request: Duration,
    /// For the client to take the whole response. Without it, a client that sends a request and
    /// never reads the answer blocks the server for good once the socket's send buffer is full.
    /// Default 10 s.
    pub response: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            first_byte: Duration::from_secs(2),
            request: Duration::from_secs(10),
            response: Duration::from_secs(10),
        }
    }
}
// ANCHOR_END: timeouts

/// How much is read from the socket at a time.
const READ_CHUNK: usize = 8 * 1024;

/// A listening server that answers each request with a handler.
///
/// # Examples
///
/// ```
/// use stage03_parser::{Server, mirror::mirror};
///
/// let server = Server::bind("127.0.0.1:0")?.spawn(mirror)?;
/// println!("listening on http://{}", server.addr());
/// server.stop(); // a binary calls `run` instead, which serves until its stop signal
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    stop: StopSignal,
    limits: Limits,
    timeouts: Timeouts,
}

impl Server {
    /// Binds and listens; port 0 picks a free port.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        Ok(Server {
            stop: StopSignal::for_listener(&listener)?,
            listener,
            limits: Limits::default(),
            timeouts: Timeouts::default(),
        })
    }

    /// Replaces the parser's limits (the defaults are documented on [`Limits`]).
    pub fn with_limits(mut self, limits: Limits) -> Server {
        self.limits = limits;
        self
    }

    /// Replaces the deadlines (the defaults are documented on [`Timeouts`]).
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Server {
        self.timeouts = timeouts;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The signal that makes [`Server::run`] return.
    pub fn stop_signal(&self) -> StopSignal {
        self.stop.clone()
    }

    // ANCHOR: run
    /// Serves clients one at a time until the stop signal is given. A client's mistake is
    /// answered and logged; it never stops the server.
    ///
    /// The handler is `Fn`, not `FnMut`: it gets no exclusive access to anything, so the same
    /// handler can later be shared by many threads (chapter 6) or tasks (chapter 7).
    pub fn run(self, handler: impl Fn(&Request) -> Response) {
        serve_one_at_a_time(&self.listener, &self.stop, |stream, _| {
            serve_connection(stream, &self.limits, &self.timeouts, &handler)
        })
    }
    // ANCHOR_END: run

    /// Runs the server on a thread of its own; stopping or dropping the handle stops it and
    /// waits for the connection in progress.
    pub fn spawn(
        self,
        handler: impl Fn(&Request) -> Response + Send + 'static,
    ) -> io::Result<RunningServer> {
        let addr = self.local_addr()?;
        let stop = self.stop_signal();
        Ok(RunningServer::spawn(addr, stop, move || self.run(handler)))
    }
}

// ANCHOR: serve_connection
/// Reads one request from `stream`, answers it with `handler` (or with the parse error's status),
/// and closes. Errors returned are I/O errors, for the log; the client has been answered already
/// wherever HTTP allows it.
pub fn serve_connection(
    mut stream: TcpStream,
    limits: &Limits,
    timeouts: &Timeouts,
    handler: &impl Fn(&Request) -> Response,
) -> io::Result<()> {
    let peer = stream.peer_addr().ok();
    let answer = match read_request(&mut stream, limits, timeouts)? {
        Incoming::Request(mut request) => {
            request.peer = peer;
            let response = answer_with(handler, &request);
            log_answer(&request, &response);
            Answer {
                response,
                head_only: request.method == Method::Head,
            }
        }
        Incoming::Refused(error) => {
            log!("refused a request: {error} -> {}", error.status().code());
            Answer {
                response: error_response(&error),
                head_only: false,
            }
        }
        Incoming::TimedOut => {
            let response =
                Response::text(Status::REQUEST_TIMEOUT, "request not received in time\n");
            Answer {
                response,
                head_only: false,
            }
        }
        Incoming::Nothing => return Ok(()),
    };
    send(&mut stream, answer, timeouts.response)?;
    lingering_close(stream)
}
// ANCHOR_END: serve_connection

/// The handler's response, or a 500 if it panicked: one handler's bug (an `unwrap` on a query
/// that did not decode, say) must not end the accept loop and refuse every later client.
/// Chapter 5's server calls it too.
pub fn answer_with(handler: &impl Fn(&Request) -> Response, request: &Request) -> Response {
    match panic::catch_unwind(AssertUnwindSafe(|| handler(request))) {
        Ok(response) => response,
        Err(_) => {
            // The panic hook has printed the handler's message already.
            log!(
                "{} {}: the handler panicked",
                request.method,
                request.target
            );
            Response::text(Status::INTERNAL_SERVER_ERROR, "Internal Server Error\n")
        }
    }
}

/// One line per request; a response the builder refused to send as it was says why.
pub fn log_answer(request: &Request, response: &Response) {
    match response.refused_header() {
        None => log!(
            "{} {} -> {}",
            request.method,
            request.target,
            response.status().code()
        ),
        Some(error) => log!(
            "{} {} -> 500: the handler's response was refused: {error}",
            request.method,
            request.target
        ),
    }
}

/// What arrived on a connection.
enum Incoming {
    Request(Request),
    Refused(ParseError),
    /// Part of a request, then the time ran out.
    TimedOut,
    /// The client closed, or went quiet, before sending anything worth answering.
    Nothing,
}

/// A response and whether to leave its body out (the answer to `HEAD`).
struct Answer {
    response: Response,
    head_only: bool,
}

// ANCHOR: read_request
/// Reads until the parser has a whole request or an error, within the [`Timeouts`]: the first
/// byte's deadline until something has arrived, then the whole request's.
fn read_request(
    stream: &mut TcpStream,
    limits: &Limits,
    timeouts: &Timeouts,
) -> io::Result<Incoming> {
    let started = Instant::now();
    let first_byte_deadline = started + timeouts.first_byte.min(timeouts.request);
    let request_deadline = started + timeouts.request;
    let mut parser = Parser::new(*limits);
    let mut buffer = Vec::with_capacity(READ_CHUNK);
    let mut sent_continue = false;
    loop {
        match parser.parse(&buffer) {
            Ok(Parsed::Complete { request, .. }) => return Ok(Incoming::Request(request)),
            Err(error) => return Ok(Incoming::Refused(error)),
            Ok(Parsed::Incomplete) => {}
        }
        // The head is in and the client waits for our go-ahead before sending the body. The
        // limits have been checked already: a body too large was refused with 413 instead.
        if !sent_continue && parser.head().is_some_and(Request::expects_continue) {
            write_all_by(stream, b"HTTP/1.1 100 Continue\r\n\r\n", request_deadline)?;
            sent_continue = true;
        }
        let deadline = match buffer.is_empty() {
            true => first_byte_deadline,
            false => request_deadline,
        };
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return Ok(timed_out(&buffer));
        };
        stream.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        let before = buffer.len();
        buffer.resize(before + READ_CHUNK, 0);
        let read = stream.read(&mut buffer[before..]);
        buffer.truncate(before + *read.as_ref().unwrap_or(&0));
        match read {
            Ok(0) => return Ok(Incoming::Nothing), // closed mid-request: nobody to answer
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => return Ok(timed_out(&buffer)),
            Err(e) => return Err(e),
        }
    }
}
// ANCHOR_END: read_request

fn timed_out(buffer: &[u8]) -> Incoming {
    if buffer.is_empty() {
        Incoming::Nothing
    } else {
        Incoming::TimedOut
    }
}

/// The short text answer to a refused request: its status and what was wrong.
pub fn error_response(error: &ParseError) -> Response {
    Response::text(error.status(), format!("{error}\n"))
}

/// Writes the response, saying the connection closes after it, within `time`.
fn send(stream: &mut TcpStream, answer: Answer, time: Duration) -> io::Result<()> {
    let Answer {
        mut response,
        head_only,
    } = answer;
    if response.refused_header().is_some() {
        // Logged already; the 500 it would be written as is built here, so it says close too.
        response = Response::text(Status::INTERNAL_SERVER_ERROR, "Internal Server Error\n");
    }
    // Telling the client spares it a failed read on a connection it hoped to reuse.
    response.set_header("Connection", "close");
    let mut bytes = Vec::new();
    response.write_to(&mut bytes, head_only, SystemTime::now());
    write_all_by(stream, &bytes, Instant::now() + time)
}

/// `write_all` within a deadline for the whole buffer, however slowly the client reads.
fn write_all_by(stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not take the response in time",
            ));
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => bytes = &bytes[written..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {} // the deadline check above ends it
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
