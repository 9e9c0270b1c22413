//! The chapter's server: the parser driven over a blocking socket, one connection at a time.
//!
//! It reads until the parser says the request is complete, answers it, and closes: one request per
//! connection, every response saying `Connection: close`. Chapter 4 reuses this loop unchanged
//! with a router as the handler; chapter 6 adds keep-alive and many clients at once.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use stage01_tcp_echo::accept::serve_one_at_a_time;
use stage01_tcp_echo::timeout::is_timeout;
use stage02_raw_http::server::close_gently;

use crate::error::ParseError;
use crate::limits::Limits;
use crate::method::Method;
use crate::parser::{Parsed, Parser};
use crate::request::Request;
use crate::response::Response;
use crate::status::Status;

/// How long a client has to send a whole request, head and body. A time for the whole request,
/// not for each read: a client that sends one byte every few seconds would otherwise hold this
/// one-at-a-time server for hours (the "slowloris" attack).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client has to take the whole response. Without it, a client that sends a request
/// and never reads the answer blocks this one-at-a-time server for good once the socket's send
/// buffer is full; a deadline for the whole response, not for each write, for the same reason
/// as [`REQUEST_TIMEOUT`].
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

/// How much is read from the socket at a time.
const READ_CHUNK: usize = 8 * 1024;

/// A listening server that answers each request with a handler.
///
/// # Examples
///
/// ```no_run
/// use stage03_parser::{server::Server, mirror::mirror};
///
/// let server = Server::bind("127.0.0.1:0")?;
/// println!("listening on http://{}", server.local_addr()?);
/// server.run(mirror);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    limits: Limits,
}

impl Server {
    /// Binds and listens; port 0 picks a free port.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr)?,
            limits: Limits::default(),
        })
    }

    /// Replaces the parser's limits (the defaults are documented on [`Limits`]).
    pub fn with_limits(mut self, limits: Limits) -> Server {
        self.limits = limits;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    // ANCHOR: run
    /// Serves clients one at a time, forever. A client's mistake is answered and logged; it never
    /// stops the server.
    pub fn run(self, mut handler: impl FnMut(&Request) -> Response) -> ! {
        serve_one_at_a_time(&self.listener, |stream, _| {
            serve_connection(stream, &self.limits, &mut handler)
        })
    }
    // ANCHOR_END: run
}

// ANCHOR: serve_connection
/// Reads one request from `stream`, answers it with `handler` (or with the parse error's status),
/// and closes. Errors returned are I/O errors, for the log; the client has been answered already
/// wherever HTTP allows it.
pub fn serve_connection(
    mut stream: TcpStream,
    limits: &Limits,
    handler: &mut impl FnMut(&Request) -> Response,
) -> io::Result<()> {
    let peer = stream.peer_addr().ok();
    let response = match read_request(&mut stream, limits)? {
        Incoming::Request(mut request) => {
            request.peer = peer;
            let response = handler(&request);
            eprintln!(
                "{} {} -> {}",
                request.method,
                request.target,
                response.status().code()
            );
            Answer {
                response,
                head_only: request.method == Method::Head,
            }
        }
        Incoming::Refused(error) => {
            eprintln!("refused a request: {error} -> {}", error.status().code());
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
    send(&mut stream, response)?;
    close_gently(stream)
}
// ANCHOR_END: serve_connection

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
/// Reads until the parser has a whole request or an error, within [`REQUEST_TIMEOUT`].
fn read_request(stream: &mut TcpStream, limits: &Limits) -> io::Result<Incoming> {
    let deadline = Instant::now() + REQUEST_TIMEOUT;
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
            write_all_by(stream, b"HTTP/1.1 100 Continue\r\n\r\n", deadline)?;
            sent_continue = true;
        }
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

/// Writes the response, saying the connection closes after it.
fn send(stream: &mut TcpStream, answer: Answer) -> io::Result<()> {
    let Answer {
        mut response,
        head_only,
    } = answer;
    // Telling the client spares it a failed read on a connection it hoped to reuse.
    let _ = response.set_header("Connection", "close");
    let bytes = if head_only {
        response.to_bytes_head()
    } else {
        response.to_bytes()
    };
    write_all_by(stream, &bytes, Instant::now() + RESPONSE_TIMEOUT)
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
