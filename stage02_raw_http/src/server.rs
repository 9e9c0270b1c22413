//! The raw HTTP server: read a head, show it, answer `Hello, World!`, close.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use stage01_tcp_echo::accept::serve_one_at_a_time;
use stage01_tcp_echo::stop::{RunningServer, StopSignal};

use crate::answer::{Pitfall, hello_response, text_response};
use crate::head::{DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_HEAD, HeadError, read_head};
use crate::visible::make_visible;

/// How long, and how much, we keep reading after answering, before we close. See
/// [`lingering_close`].
pub const LINGER_TIME: Duration = Duration::from_secs(2);
pub const LINGER_BYTES: u64 = 1 << 20;
/// How long the lingering close waits for the client's next byte. A client still sending (a body
/// we did not read) keeps the data coming, each piece within a round trip or two; a client that
/// has read its answer and simply does not close sends nothing more, and need not hold this
/// one-at-a-time server for the whole [`LINGER_TIME`]. 500 ms is a few round trips of a slow
/// mobile link.
pub const LINGER_IDLE: Duration = Duration::from_millis(500);

/// A listening raw HTTP server.
///
/// # Examples
///
/// ```no_run
/// let server = stage02_raw_http::server::Server::bind("127.0.0.1:0")?;
/// println!("listening on http://{}", server.local_addr());
/// server.run(); // until its stop signal is given: for a binary, forever
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    stop: StopSignal,
    max_head: usize,
    head_timeout: Duration,
    pitfall: Option<Pitfall>,
}

impl Server {
    /// Binds and listens; port 0 picks a free port.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        Ok(Server {
            stop: StopSignal::for_listener(&listener)?,
            listener,
            max_head: DEFAULT_MAX_HEAD,
            head_timeout: DEFAULT_HEAD_TIMEOUT,
            pitfall: None,
        })
    }

    /// Changes the head's size and time limits.
    pub fn with_limits(mut self, max_head: usize, head_timeout: Duration) -> Server {
        self.max_head = max_head;
        self.head_timeout = head_timeout;
        self
    }

    /// Makes the server commit one of the mistakes the book demonstrates.
    pub fn with_pitfall(mut self, pitfall: Option<Pitfall>) -> Server {
        self.pitfall = pitfall;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has a local address")
    }

    /// The signal that makes [`Server::run`] return.
    pub fn stop_signal(&self) -> StopSignal {
        self.stop.clone()
    }

    /// Runs the server on a thread of its own, stopped when the handle is dropped.
    pub fn spawn(self) -> RunningServer {
        let (addr, stop) = (self.local_addr(), self.stop_signal());
        RunningServer::spawn(addr, stop, move || self.run())
    }

    // ANCHOR: serve_loop
    /// Serves clients one at a time with chapter 1's accept loop, until the stop signal is given.
    pub fn run(self) {
        serve_one_at_a_time(&self.listener, &self.stop, |stream, peer| {
            self.serve(stream, peer)
        })
    }

    /// Reads one request's head, prints it, answers, closes.
    pub fn serve(&self, mut stream: TcpStream, peer: SocketAddr) -> Result<(), HeadError> {
        let (bytes, head_end) = match read_head(&mut stream, self.max_head, self.head_timeout) {
            Ok(head) => head,
            Err(e) => {
                // Best effort: the connection is ending anyway. The client may still be sending
                // (an oversized head); a lingering close keeps a reset from eating the answer.
                if let Some(answer) = answer_to(&e) {
                    if send(&mut stream, &answer).is_ok() {
                        let _ = lingering_close(stream);
                    }
                }
                return Err(e);
            }
        };
        println!("--- request from {peer} ({head_end} bytes of head) ---");
        println!("{}", make_visible(&bytes[..head_end]));
        let answer = self.pitfall.map_or_else(hello_response, Pitfall::response);
        send(&mut stream, &answer).map_err(HeadError::Io)?;
        if self.pitfall == Some(Pitfall::NoContentLength) {
            // The mistake on show: no length, no close, so the client waits for more body until
            // it gives up or our time limit ends the connection.
            drain(&mut stream, self.head_timeout, None, LINGER_BYTES);
            return Ok(());
        }
        lingering_close(stream).map_err(HeadError::Io)
    }
    // ANCHOR_END: serve_loop
}

/// The answer a head that could not be read still gets, where there is anyone left to tell.
fn answer_to(error: &HeadError) -> Option<String> {
    match error {
        HeadError::TooLarge { .. } => Some(text_response(
            "431 Request Header Fields Too Large",
            "request head too large\n",
        )),
        HeadError::TimedOut { .. } => Some(text_response(
            "408 Request Timeout",
            "request head not received in time\n",
        )),
        HeadError::Closed { .. } | HeadError::Io(_) => None,
    }
}

fn send(stream: &mut TcpStream, response: &str) -> io::Result<()> {
    stream.write_all(response.as_bytes())?;
    stream.flush()
}

// ANCHOR: lingering_close
/// Closes a connection without losing the response we just sent.
///
/// If the client sent more than we read (a body, say) and we close, the kernel answers the unread
/// bytes with a reset, and a reset makes the client's kernel throw away data it has not yet handed
/// to the client: our response. So we first shut down our sending half (the client sees the end
/// of the response), then read and discard what the client still sends until it closes, within a
/// time and size limit, and for as long as it keeps sending. This is what servers call a lingering
/// close; nginx does it by default (its `lingering_close` directive).
pub fn lingering_close(mut stream: TcpStream) -> io::Result<()> {
    match stream.shutdown(Shutdown::Write) {
        // The client has reset the connection already: there is nothing left to protect.
        Err(e) if e.kind() == io::ErrorKind::NotConnected => return Ok(()),
        other => other?,
    }
    drain(&mut stream, LINGER_TIME, Some(LINGER_IDLE), LINGER_BYTES);
    Ok(())
}
// ANCHOR_END: lingering_close

/// Reads and discards until the peer closes, `limit` bytes have come, `time` has passed in all (a
/// deadline, not a per-read timeout, so a client trickling a byte at a time cannot stretch it),
/// or, with `idle`, nothing has come for that long.
fn drain(stream: &mut TcpStream, time: Duration, idle: Option<Duration>, limit: u64) {
    let deadline = Instant::now() + time;
    let mut chunk = [0u8; 4096];
    let mut drained = 0;
    while drained < limit {
        let left = deadline.saturating_duration_since(Instant::now());
        let wait = idle.map_or(left, |idle| idle.min(left));
        if wait.is_zero() || stream.set_read_timeout(Some(wait)).is_err() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => drained += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lingering_close;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn a_client_that_has_reset_already_is_closed_without_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        server
            .write_all(b"an answer the client will not read")
            .unwrap();
        // Closing with unread bytes makes the client's kernel send a reset.
        drop(client);
        // The server sees it: a read fails, or finds the end of the stream.
        let mut byte = [0u8; 1];
        while let Ok(1) = server.read(&mut byte) {}
        assert!(lingering_close(server).is_ok(), "nothing left to protect");
    }
}
