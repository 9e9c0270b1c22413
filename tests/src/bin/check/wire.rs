//! Talking to the server under test with a bare `TcpStream`, every step under a deadline.
//!
//! A student's server is the one piece of the exchange nobody can trust: it may never answer,
//! answer half, close early or reset. So nothing here blocks without a deadline, and nothing
//! panics on what arrives; every way an exchange can go wrong becomes a [`Failure`] that carries
//! what was sent and what came back, ready to be shown.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::outcome::Failure;
use crate::response::{self, Framing, Response};

/// Every connection open right now, by a handle of its own, so that the runner can end them
/// all when a check overruns its guard: otherwise they would stay open into the next check,
/// and a server that serves one connection at a time would still be busy with them. A `Wire`
/// takes its handle out when dropped, so that dropping it still closes the connection.
static OPEN: Mutex<Option<HashMap<u64, TcpStream>>> = Mutex::new(None);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Shuts down every connection still open (see [`OPEN`]).
pub fn shut_all() {
    let open = OPEN.lock().map(|mut open| open.take()).unwrap_or_default();
    for stream in open.into_iter().flat_map(HashMap::into_values) {
        let _ = stream.shutdown(Shutdown::Both);
    }
}

/// One connection to the server under test, with a log of everything sent on it.
pub struct Wire {
    /// Its handle in [`OPEN`].
    id: u64,
    stream: TcpStream,
    timeout: Duration,
    /// Every byte written so far, to show in a failure.
    sent: Vec<u8>,
    /// Bytes received and not yet handed out: the start of the next response.
    pending: Vec<u8>,
    /// Whether the server ended the connection with a reset rather than a close.
    reset: bool,
    /// Whether the server has ended the connection, by a close or a reset.
    closed: bool,
    /// Why sending failed, if it did: told only if no answer comes back, since a server may
    /// answer and close before it has read all that was sent (a 413, a 431), and then the
    /// answer is what counts.
    send_failed: Option<Failure>,
}

impl Wire {
    /// Connects within `timeout`; every later read and write gets the same allowance.
    pub fn connect(addr: SocketAddr, timeout: Duration) -> Result<Wire, Failure> {
        let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| {
            Failure::new(format!(
                "cannot connect to {addr}: {e}. Is the server running, and listening on that \
                 address?"
            ))
        })?;
        // Each small request should leave as it is written, not wait for Nagle's timer.
        let _ = stream.set_nodelay(true);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if let (Ok(handle), Ok(mut open)) = (stream.try_clone(), OPEN.lock()) {
            open.get_or_insert_with(HashMap::new).insert(id, handle);
        }
        stream
            .set_write_timeout(Some(timeout))
            .map_err(|e| Failure::new(format!("cannot set a write deadline: {e}")))?;
        Ok(Wire {
            id,
            stream,
            timeout,
            sent: Vec::new(),
            pending: Vec::new(),
            reset: false,
            closed: false,
            send_failed: None,
        })
    }

    /// A second handle on the connection, to write from another thread while this one reads.
    pub fn writer(&self) -> io::Result<TcpStream> {
        self.stream.try_clone()
    }

    /// Whether the server reset the connection instead of closing it: it closed with part of
    /// what was sent unread, and a client may lose the answer (its kernel may discard it).
    pub fn was_reset(&self) -> bool {
        self.reset
    }

    /// Whether the server has ended the connection (a close or a reset has been read).
    pub fn was_closed(&self) -> bool {
        self.closed
    }

    /// Everything sent on this connection so far.
    pub fn sent(&self) -> &[u8] {
        &self.sent
    }

    /// Writes all of `bytes`. If that fails, the failure is kept for later (see `send_failed`):
    /// nothing more is written on this connection, and the next read tells it if no answer
    /// comes. So this returns `Ok` today; it stays a `Result` for the callers' `?`.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        if self.send_failed.is_some() {
            return Ok(());
        }
        self.sent.extend_from_slice(bytes);
        if let Err(e) = self.stream.write_all(bytes) {
            let problem = if is_timeout(&e) {
                format!(
                    "the server stopped taking the request: nothing could be written for {} s",
                    self.timeout.as_secs_f32()
                )
            } else {
                format!(
                    "sending failed ({e}): the server closed the connection before it had the \
                     whole request; it must read until the blank line (\\r\\n\\r\\n) that ends \
                     the head, however many reads that takes"
                )
            };
            self.send_failed = Some(self.failure(problem));
        }
        Ok(())
    }

    /// A failure to read an answer, unless sending failed before and nothing came back: then
    /// the sending is what went wrong.
    fn or_send_failure(&self, failure: Failure) -> Failure {
        match &self.send_failed {
            Some(send) if failure.got.is_empty() => send.clone(),
            _ => failure,
        }
    }

    /// Sends `bytes` one at a time, each in its own segment, as a slow network delivers them.
    /// Between bytes it looks, without waiting, for anything the server sent: an answer, or a
    /// close, before the last byte is sent is a server that did not wait for the whole request,
    /// whatever the timing.
    pub fn trickle(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        for (index, byte) in bytes.iter().enumerate() {
            self.send(std::slice::from_ref(byte))?;
            if self.send_failed.is_some() || index + 1 == bytes.len() {
                break;
            }
            let early = self.peek_without_waiting();
            let sent = index + 1;
            let total = bytes.len();
            match early {
                Some(true) => {
                    return Err(self
                        .failure(format!(
                            "the server answered after {sent} of the request's {total} bytes, \
                             before it was whole: it must read until the blank line \
                             (\\r\\n\\r\\n) that ends the head, however many reads that takes"
                        ))
                        .with_got(self.pending.clone()));
                }
                Some(false) => {
                    return Err(self.failure(format!(
                        "the server closed the connection after {sent} of the request's {total} \
                         bytes, without answering: it must read until the blank line \
                         (\\r\\n\\r\\n) that ends the head, however many reads that takes"
                    )));
                }
                None => {}
            }
        }
        Ok(())
    }

    /// One read that does not wait: `Some(true)` if bytes came (kept in `pending`),
    /// `Some(false)` if the server has closed or reset, `None` if there is nothing yet.
    fn peek_without_waiting(&mut self) -> Option<bool> {
        if self.stream.set_nonblocking(true).is_err() {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let got = match self.stream.read(&mut chunk) {
            Ok(0) => Some(false),
            Ok(n) => {
                self.pending.extend_from_slice(&chunk[..n]);
                Some(true)
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                self.reset = true;
                Some(false)
            }
            Err(_) => None,
        };
        let _ = self.stream.set_nonblocking(false);
        got
    }

    /// Says this client will send nothing more (a FIN), as `nc -N` does at the end of input.
    pub fn finish_sending(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Exactly one final response, by its framing; `to_head` says it answers a `HEAD` request.
    /// Interim answers (1xx other than 101, such as `100 Continue` or `103 Early Hints`) that
    /// come before it are passed over, as a client does.
    pub fn response(&mut self, to_head: bool) -> Result<Response, Failure> {
        loop {
            let response = self.any_response(to_head)?;
            if !(100..200).contains(&response.status) || response.status == 101 {
                return Ok(response);
            }
        }
    }

    /// Exactly one response, interim or final.
    pub fn any_response(&mut self, to_head: bool) -> Result<Response, Failure> {
        self.one_response(to_head)
            .map_err(|failure| self.or_send_failure(failure))
    }

    fn one_response(&mut self, to_head: bool) -> Result<Response, Failure> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match response::split(&self.pending, to_head) {
                Ok(Framing::Whole(length)) => {
                    let bytes: Vec<u8> = self.pending.drain(..length).collect();
                    return Response::parse(bytes).map_err(|f| f.with_sent(&self.sent));
                }
                Ok(Framing::Incomplete) => {}
                Err(failure) => {
                    let got = std::mem::take(&mut self.pending);
                    let failure = if self.sent.starts_with(&got) {
                        failure.explained(
                            "What came back is the request itself, as an echo server (chapter \
                             1) sends it: an HTTP server answers with a status line.",
                        )
                    } else {
                        failure
                    };
                    return Err(failure.with_sent(&self.sent).with_got(got));
                }
            }
            if !self.read_some(deadline)? {
                return self.whole_at_close(to_head);
            }
        }
    }

    /// Exactly `count` bytes, for the echo server, whose answers have no framing.
    pub fn exactly(&mut self, count: usize) -> Result<Vec<u8>, Failure> {
        self.exactly_or_not(count)
            .map_err(|failure| self.or_send_failure(failure))
    }

    fn exactly_or_not(&mut self, count: usize) -> Result<Vec<u8>, Failure> {
        let deadline = Instant::now() + self.timeout;
        while self.pending.len() < count {
            if !self.read_some(deadline)? {
                let got = std::mem::take(&mut self.pending);
                return Err(self
                    .failure(format!(
                        "the server closed the connection after {} of the {count} bytes expected",
                        got.len()
                    ))
                    .with_got(got));
            }
        }
        Ok(self.pending.drain(..count).collect())
    }

    /// Everything else until the server closes the connection, within the deadline.
    pub fn until_close(&mut self) -> Result<Vec<u8>, Failure> {
        let deadline = Instant::now() + self.timeout;
        while self.read_some(deadline)? {}
        Ok(std::mem::take(&mut self.pending))
    }

    /// Whether the server closes the connection within the deadline with nothing more to say;
    /// `Err` when it sent more, or left the connection open.
    pub fn expect_close(&mut self, after: &str) -> Result<(), Failure> {
        let rest = self.until_close().map_err(|f| {
            f.with_problem(format!(
                "the connection stayed open {after} for {} s: the server should close it",
                self.timeout.as_secs_f32()
            ))
        })?;
        if rest.is_empty() {
            return Ok(());
        }
        Err(self
            .failure(format!(
                "{} more bytes came {after}, where the server should have closed the \
                 connection: a body longer than its Content-Length, or an answer to a request \
                 that should not have been read",
                rest.len()
            ))
            .with_got(rest)
            .with_caret(0))
    }

    /// Reads once into `pending`: `Ok(false)` when the server has closed. A reset counts as a
    /// close: what the server sent before it still counts.
    fn read_some(&mut self, deadline: Instant) -> Result<bool, Failure> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.no_answer());
            }
            self.stream
                .set_read_timeout(Some(left))
                .map_err(|e| Failure::new(format!("cannot set a read deadline: {e}")))?;
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    self.closed = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.pending.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                    self.reset = true;
                    self.closed = true;
                    return Ok(false);
                }
                Err(e) if is_timeout(&e) => return Err(self.no_answer()),
                Err(e) => return Err(self.failure(format!("reading the answer failed: {e}"))),
            }
        }
    }

    /// The server closed: what is pending is a whole response only if its body runs to the close.
    fn whole_at_close(&mut self, to_head: bool) -> Result<Response, Failure> {
        let bytes = std::mem::take(&mut self.pending);
        if bytes.is_empty() {
            return Err(self.failure(
                "the server closed the connection without answering anything".to_string(),
            ));
        }
        match response::split_at_close(&bytes, to_head) {
            Ok(()) => Response::parse(bytes).map_err(|f| f.with_sent(&self.sent)),
            Err(failure) => Err(failure.with_sent(&self.sent).with_got(bytes)),
        }
    }

    fn no_answer(&mut self) -> Failure {
        let got = std::mem::take(&mut self.pending);
        if let Some(at) = response::lacks_length(&got) {
            return self
                .failure(format!(
                    "the answer has no Content-Length, and the connection stayed open for {} s \
                     after it: a client cannot know where the body ends, so it waits",
                    self.timeout.as_secs_f32()
                ))
                .with_expected("a Content-Length field saying how long the body is")
                .with_got(got)
                .with_caret(at)
                .of_kind(&crate::check::NO_CONTENT_LENGTH);
        }
        let problem = if got.is_empty() {
            format!(
                "no answer within {} s: the server is still waiting for something (the rest of \
                 the request? another client to finish?) or is stuck",
                self.timeout.as_secs_f32()
            )
        } else {
            format!(
                "no whole answer within {} s: {} bytes came, then nothing, and the connection \
                 stayed open",
                self.timeout.as_secs_f32(),
                got.len()
            )
        };
        self.failure(problem).with_got(got)
    }

    fn failure(&self, problem: String) -> Failure {
        Failure::new(problem).with_sent(&self.sent)
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        if let Ok(mut open) = OPEN.lock()
            && let Some(open) = open.as_mut()
        {
            open.remove(&self.id);
        }
    }
}

/// The kind a timed-out read or write gives differs between platforms.
fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
