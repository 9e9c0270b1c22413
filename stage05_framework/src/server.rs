//! The chapter's blocking server: one [`Connection`] at a time, driven over a `TcpStream`.
//!
//! All HTTP is in the connection; this file only moves bytes and time between it and a socket,
//! which is all chapter 6's thread pool and chapter 7's reactor will do differently. Keep-alive
//! is off by default here: with one connection at a time, a client that keeps its connection
//! open and idle would make every other client wait for the whole idle time.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use stage01_tcp_echo::accept::serve_one_at_a_time;
use stage01_tcp_echo::log;
use stage01_tcp_echo::stop::{RunningServer, StopSignal};
use stage01_tcp_echo::timeout::is_timeout;
use stage02_raw_http::server::lingering_close;
use stage03_parser::Request;
use stage03_parser::response::Response;
use stage03_parser::status::Status;

use crate::app::Application;
use crate::connection::{Config, Connection, Next, Now};

/// How much is read from the socket at a time.
const READ_CHUNK: usize = 8 * 1024;
/// The most written to the socket at a time: a whole ordinary answer, in one write.
const WRITE_CHUNK: usize = 64 * 1024;

/// A listening server that runs an [`Application`], one connection at a time.
///
/// # Examples
///
/// ```
/// use stage05_framework::{App, Input, Server};
///
/// let mut app = App::new();
/// app.get("/hello", |_: Input| "Hello, World!");
/// let server = Server::bind("127.0.0.1:0")?.spawn(app)?;
/// println!("listening on http://{}", server.addr());
/// server.stop();
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    stop: StopSignal,
    config: Config,
}

impl Server {
    /// Binds and listens; port 0 picks a free port. Keep-alive is off (see the module docs).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        Ok(Server {
            stop: StopSignal::for_listener(&listener)?,
            listener,
            config: Config {
                keep_alive: false,
                ..Config::default()
            },
        })
    }

    /// Replaces the connections' configuration (limits, deadlines, keep-alive).
    pub fn with_config(mut self, config: Config) -> Server {
        self.config = config;
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

    /// Serves connections one at a time until the stop signal is given.
    pub fn run(self, app: impl Application) {
        serve_one_at_a_time(&self.listener, &self.stop, |stream, peer| {
            drive(stream, Some(peer), &self.config, &app, &AlwaysKeep)
        })
    }

    /// Runs the server on a thread of its own; stopping or dropping the handle stops it.
    pub fn spawn(self, app: impl Application) -> io::Result<RunningServer> {
        let addr = self.local_addr()?;
        let stop = self.stop_signal();
        Ok(RunningServer::spawn(addr, stop, move || self.run(app)))
    }
}

// ANCHOR: keep_alive_policy
/// What a driver asks about a kept-alive connection: whether to keep it after an answer, and
/// whether to keep it while it is idle between requests ([`Connection::is_idle`]). A server
/// with threads to share (chapter 6's pool) says no when others wait for one, or when it stops.
pub trait KeepAlivePolicy {
    /// Asked before each answer, with how long the connection has had its thread: `false` makes
    /// this answer the connection's last (it says `Connection: close`).
    fn keep_after_answer(&self, held: Duration) -> bool;
    /// The longest an idle connection is waited on before [`KeepAlivePolicy::give_up`] is asked
    /// again.
    fn check_every(&self) -> Duration;
    /// Whether to close, now, a connection that has been idle for `idle`.
    fn give_up(&self, idle: Duration) -> bool;
}

/// Keeps every connection for as long as the connection itself allows. This chapter's server
/// serves one connection at a time and has nobody to give its thread to; chapter 6's pool has.
#[derive(Debug, Clone, Copy)]
pub struct AlwaysKeep;

impl KeepAlivePolicy for AlwaysKeep {
    fn keep_after_answer(&self, _held: Duration) -> bool {
        true
    }

    fn check_every(&self) -> Duration {
        Duration::MAX
    }

    fn give_up(&self, _idle: Duration) -> bool {
        false
    }
}
// ANCHOR_END: keep_alive_policy

// ANCHOR: drive
/// Moves bytes between `stream` and a [`Connection`] until the connection says to close, or
/// `policy` ends it. Errors returned are I/O errors, for the log.
pub fn drive(
    mut stream: TcpStream,
    peer: Option<SocketAddr>,
    config: &Config,
    app: &impl Application,
    policy: &impl KeepAlivePolicy,
) -> io::Result<()> {
    let opened = Now::read();
    let mut connection = Connection::new(*config, peer, opened);
    let mut chunk = vec![0; READ_CHUNK];
    let mut idle_since = None;
    // The socket's read and write timeouts as last set: each costs a system call to change.
    let (mut read_timeout, mut write_timeout) = (None, None);
    loop {
        let now = Now::read();
        match connection.next(now) {
            Next::Read => {
                let mut wait = time_left(&connection, now);
                if connection.is_idle() {
                    let since = *idle_since.get_or_insert(now.instant);
                    // A request may have reached the socket since the last read: it is not
                    // given up with the connection.
                    if policy.give_up(now.instant - since) && !bytes_waiting(&stream)? {
                        return Ok(()); // nothing is in hand: as if the idle time were out
                    }
                    wait = wait.min(policy.check_every());
                }
                if needs_resetting(read_timeout, wait) {
                    stream.set_read_timeout(Some(wait))?;
                    read_timeout = Some(wait);
                }
                match stream.read(&mut chunk) {
                    Ok(0) => connection.receive_eof(),
                    Ok(n) => {
                        idle_since = None; // the next request has begun
                        connection.receive(&chunk[..n], Now::read());
                    }
                    // Out of time: the next `next` sees the deadline has passed.
                    Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Next::Request(request) => {
                // Logging each request is the application's business (its access log layer).
                let mut response = answer(app, request);
                if !policy.keep_after_answer(now.instant - opened.instant) {
                    response.set_header("Connection", "close");
                }
                connection.respond(response, Now::read());
            }
            Next::Refused(error) => {
                log!("refused a request: {error} -> {}", error.status().code());
            }
            Next::Write => {
                let wait = time_left(&connection, now);
                if needs_resetting(write_timeout, wait) {
                    stream.set_write_timeout(Some(wait))?;
                    write_timeout = Some(wait);
                }
                // A piece at a time. A blocking write returns once all of it is in the kernel's
                // buffers, or its timeout is out, and what it wrote counts as taken when it
                // returns: for a big write that can be long after the client last took a byte.
                let output = connection.output();
                match stream.write(&output[..output.len().min(WRITE_CHUNK)]) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => connection.wrote(n, Now::read()),
                    Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            // This loop answers each request before it asks again, so the connection cannot be
            // waiting for it; if it ever were, that is a bug, and only this connection is dropped.
            Next::Busy => return Err(io::Error::other("the connection waits for an answer")),
            Next::Close { linger: true } => return lingering_close(stream),
            Next::Close { linger: false } => return Ok(()),
        }
    }
}
// ANCHOR_END: drive

/// Whether bytes have arrived on `stream` that nobody has read yet, without waiting for any.
fn bytes_waiting(stream: &TcpStream) -> io::Result<bool> {
    stream.set_nonblocking(true)?;
    let peeked = stream.peek(&mut [0]);
    stream.set_nonblocking(false)?;
    match peeked {
        Ok(n) => Ok(n > 0),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(false),
        Err(e) => Err(e),
    }
}

/// The application's response to `request`, waited for if it is still to come. A panic while it
/// is computed (in an async handler, say) is a 500 too; the application catches its handlers'.
fn answer(app: &impl Application, request: Request) -> Response {
    panic::catch_unwind(AssertUnwindSafe(|| app.call(request).wait())).unwrap_or_else(|_| {
        Response::text(Status::INTERNAL_SERVER_ERROR, "Internal Server Error\n")
    })
}

/// Whether a socket whose timeout is `set` needs a new one to wait no longer than `wait`. One a
/// little shorter will do: a read that times out early only makes the loop ask the connection
/// again, and at keep-alive's pace the timeout would otherwise change before every read.
fn needs_resetting(set: Option<Duration>, wait: Duration) -> bool {
    !set.is_some_and(|set| set <= wait && set >= wait / 2)
}

/// How long a read or write may wait: until the connection's deadline, and at least a
/// millisecond (a zero timeout means "forever" to the socket).
fn time_left(connection: &Connection, now: Now) -> Duration {
    connection
        .deadline()
        .map_or(Duration::from_secs(60), |deadline| {
            deadline.saturating_duration_since(now.instant)
        })
        .max(Duration::from_millis(1))
}
