//! One HTTP/1.1 connection, as a state machine that does no I/O.
//!
//! Everything that happens on a connection between "bytes arrived" and "bytes to send" is here:
//! parsing (chapter 3's [`Parser`]), `100 Continue`, keep-alive and `Connection: close`, pipelined
//! requests answered in order, `HEAD` without a body, the first-byte, request, idle and response
//! deadlines, and when to close. Bytes and the current time go in; requests for the application,
//! bytes to write, the next deadline and "close now" come out. It reads no socket and no clock,
//! which is the shape of Python's h11 `Connection`, and what lets one type serve this chapter's
//! blocking server, chapter 6's thread pool and chapter 7's reactor: they only move bytes.
//!
//! One read does happen inside it: a response whose body is a stream (a file, part 6) is read
//! from its source by [`Connection::next`], at most 64 KiB at a time and only when the output is
//! empty. For a file that is a read from the disk's cache, and on a slow disk a wait, on whichever
//! thread drives the connection (chapter 7's reactor thread included).
//!
//! A driver calls [`Connection::next`] and does what it says, again and again:
//!
//! ```text
//! Read     read the socket (until `deadline()` at the latest): `receive(bytes)`, or
//!          `receive_eof()` when the read returns 0; on a timeout just call `next` again
//! Request  hand the request to the application, and its response to `respond`
//! Write    write `output()` and report with `wrote(n)`
//! Busy     the application still has the last request: wait for its response
//! Close    close the socket (gently when it says `linger`) and forget the connection
//! ```

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use stage03_parser::body_stream::BodyStream;
use stage03_parser::response::Response;
use stage03_parser::server::error_response;
use stage03_parser::status::Status;
use stage03_parser::{Limits, Method, ParseError, Parsed, Parser, Request, Timeouts, Version};

/// How much of a streamed body is read into the output at a time.
const STREAM_PIECE: usize = 64 * 1024;

/// The most output held back while pipelined requests are answered, so that a client that sends
/// a thousand requests at once and reads nothing does not make the server buffer a thousand
/// answers: past this, what is there is written first.
const BATCH_LIMIT: usize = 64 * 1024;

/// `start + wait`, or a time thirty years on when `wait` is too long for the clock to add
/// (`Duration::MAX` given as "no limit"): a deadline that does not come, rather than a panic.
pub fn after(start: Instant, wait: Duration) -> Instant {
    start
        .checked_add(wait)
        .unwrap_or_else(|| start + Duration::from_secs(30 * 365 * 86_400))
}

/// The current time as both clocks tell it: `instant` for deadlines, `date` for the `Date`
/// header. The driver reads the clocks ([`Now::read`]); tests make up times of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub instant: Instant,
    pub date: SystemTime,
}

impl Now {
    /// The clocks' time now.
    pub fn read() -> Now {
        Now {
            instant: Instant::now(),
            date: SystemTime::now(),
        }
    }

    /// The same moment, `time` later on both clocks.
    pub fn after(self, time: Duration) -> Now {
        Now {
            instant: self.instant + time,
            date: self.date + time,
        }
    }
}

/// How one connection behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The parser's size limits (chapter 3).
    pub limits: Limits,
    /// The first-byte, request and response deadlines (chapter 3).
    pub timeouts: Timeouts,
    /// How long a kept-alive connection may wait for its next request. Default 5 s.
    pub idle: Duration,
    /// Whether a connection may carry more than one request. Default `true`; a server that
    /// serves one connection at a time turns it off, or one idle browser would stall everyone.
    pub keep_alive: bool,
    /// The slowest a client may take its answer, in bytes per second: an answer must be written
    /// within `timeouts.response` plus its size at this rate, and a client that takes nothing
    /// at all for `timeouts.response` is dropped whatever is left. Default 8 KiB/s, so a 4 MiB
    /// page has 8 minutes, and a client that stops reading is dropped after 10 s. "Takes" is
    /// what the driver reports with `wrote`: a kernel with a large send buffer may report no
    /// room for longer than that to a client that reads slowly, which is then dropped too.
    pub min_send_rate: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            idle: Duration::from_secs(5),
            keep_alive: true,
            min_send_rate: 8 * 1024,
        }
    }
}

// ANCHOR: next_enum
/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Read from the socket, and wait no later than [`Connection::deadline`].
    Read,
    /// Hand this request to the application, and its response to [`Connection::respond`].
    Request(Request),
    /// The request was refused with this error. Its answer is in the output already; the driver
    /// logs it and carries on.
    Refused(ParseError),
    /// Write [`Connection::output`], then report how much went with [`Connection::wrote`].
    Write,
    /// The application has the last request; there is nothing to do until it answers.
    Busy,
    /// Close the socket. With `linger`, close gently (chapter 2's lingering close): the client
    /// may still be sending, and a plain close would reset the answer away.
    Close { linger: bool },
}
// ANCHOR_END: next_enum

// ANCHOR: phase
/// Where the connection is between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No byte of the next request yet. `since`: the connection opened (first request) or the
    /// last response was written (later ones).
    Waiting { since: Instant },
    /// Part of a request has arrived; it must all be in by `deadline`. A pipelined request that
    /// arrived with an earlier one gets its time from when that one's answer is written
    /// (`restart_when_written`).
    Reading {
        deadline: Instant,
        restart_when_written: bool,
    },
    /// The application has a request: answer it without a body if `head_only`, and keep the
    /// connection open after it if `keep_alive` (saying so, if the client speaks `http10`).
    Busy {
        head_only: bool,
        keep_alive: bool,
        http10: bool,
    },
    /// The output is the last thing this connection sends: close once it is written.
    Closing { linger: bool },
    /// Nothing more: the driver closes the socket.
    Closed { linger: bool },
}
// ANCHOR_END: phase

/// One HTTP/1.1 connection. See the [module documentation](self) for how to drive it.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    peer: Option<SocketAddr>,
    parser: Parser,
    /// Received and not yet parsed into a request.
    input: Vec<u8>,
    /// When bytes last arrived: they are judged by that, not by when `next` happens to run.
    received_at: Instant,
    /// More was sent than any request may be: what is over is dropped, and the connection
    /// refuses or closes.
    overflowed: bool,
    /// To send: the bytes of `output` from `written` on. Written bytes are dropped only when all
    /// are, so a partial write costs nothing (no copy of the rest to the front).
    output: Vec<u8>,
    written: usize,
    /// When the output must have been written by: `response` plus its size at `min_send_rate`.
    output_deadline: Option<Instant>,
    /// When the client last took some output, and when the output now pending was queued: a
    /// client that takes nothing for `response` is dropped, however long its answer was granted.
    last_progress: Instant,
    output_started: Instant,
    /// An answer is being written (its head, or its streamed body): a request that arrives
    /// meanwhile gets its time once the answer is out, and nothing else is put in the output.
    answering: bool,
    /// A body still to be read from its source (a file) into the output, and how much of it is
    /// left: it is read a piece at a time, as the client takes what was read before.
    streaming: Option<(BodyStream, u64)>,
    phase: Phase,
    /// Requests answered so far.
    answered: u64,
    /// New input since the parser last looked.
    unparsed: bool,
    sent_continue: bool,
    /// The client has closed its sending half: no more bytes will come.
    peer_closed: bool,
}

impl Connection {
    /// A connection that has just been accepted at `now`, from `peer` if known.
    pub fn new(config: Config, peer: Option<SocketAddr>, now: Now) -> Connection {
        Connection {
            config,
            peer,
            parser: Parser::new(config.limits),
            input: Vec::new(),
            received_at: now.instant,
            overflowed: false,
            output: Vec::new(),
            written: 0,
            output_deadline: None,
            last_progress: now.instant,
            output_started: now.instant,
            answering: false,
            streaming: None,
            phase: Phase::Waiting { since: now.instant },
            answered: 0,
            unparsed: false,
            sent_continue: false,
            peer_closed: false,
        }
    }

    /// Bytes read from the socket at `now`. A driver reads only after [`Next::Read`]; what it
    /// reads past the most one request may take (its head and body limits, twice over for
    /// chunked framing) is dropped, and the request refused, so the input stays bounded.
    pub fn receive(&mut self, bytes: &[u8], now: Now) {
        if bytes.is_empty() || matches!(self.phase, Phase::Closing { .. } | Phase::Closed { .. }) {
            return; // nobody will read them
        }
        self.received_at = now.instant;
        let room = self.input_cap().saturating_sub(self.input.len());
        if bytes.len() > room {
            self.overflowed = true;
        }
        self.input
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
        self.unparsed = true;
        if let Phase::Waiting { since } = self.phase {
            // Empty lines before a request are not its first byte (RFC 9112 §2.2): some clients
            // send a CRLF after a body.
            self.skip_empty_lines();
            if self.input.is_empty() || self.input == b"\r" {
                return;
            }
            // The first request must be in within `request` of the connection; a later one
            // within `request` of its first byte.
            let start = if self.answered == 0 {
                since
            } else {
                now.instant
            };
            self.phase = Phase::Reading {
                deadline: after(start, self.config.timeouts.request),
                // Arriving while an answer is still going out: its time starts after it.
                restart_when_written: self.answering,
            };
        }
    }

    /// The client closed its sending half (a read returned 0). Requests already received are
    /// still answered; then the connection closes.
    pub fn receive_eof(&mut self) {
        self.peer_closed = true;
        self.unparsed = true;
    }

    // ANCHOR: next
    /// What to do next, at `now`.
    pub fn next(&mut self, now: Now) -> Next {
        // Bytes that came before a deadline are read before the deadline is applied to them.
        let arrived_in_time = self.unparsed
            && self.output_len() == 0
            && self.deadline().is_some_and(|d| self.received_at < d);
        if !arrived_in_time && self.deadline().is_some_and(|d| now.instant >= d) {
            self.deadline_passed(now);
        }
        if self.output_len() == 0 && self.streaming.is_some() {
            self.read_stream();
        }
        if self.output_len() != 0 {
            // Answers wait while the pipelined requests already here are answered too, so that
            // the whole batch goes out in one write: small writes one after another meet Nagle's
            // algorithm and the client's delayed ACK, about 40 ms each.
            return match self.next_in_batch() {
                Some(request) => Next::Request(request),
                None => Next::Write,
            };
        }
        match self.phase {
            Phase::Closing { linger } => {
                self.close(linger);
                Next::Close { linger }
            }
            // A closed connection has no deadline and no output: it always ends here.
            Phase::Closed { linger } => Next::Close { linger },
            Phase::Busy { .. } => Next::Busy,
            Phase::Waiting { .. } | Phase::Reading { .. } => self.read_on(now),
        }
    }
    // ANCHOR_END: next

    // ANCHOR: respond
    /// The application's answer to the request [`Next::Request`] gave, at `now`.
    ///
    /// # Panics
    ///
    /// If no request is waiting for an answer: that is a bug in the driver.
    pub fn respond(&mut self, mut response: Response, now: Now) {
        let Phase::Busy {
            head_only,
            keep_alive,
            http10,
        } = self.phase
        else {
            panic!("Connection::respond called with no request waiting for an answer");
        };
        // A refused header would be written as a bare 500: build that here, so it says `close`
        // too. A 1xx is not an answer at all: the client would wait on for the real one.
        // Either is the application's bug: the connection closes after the 500.
        let broken = response.refused_header().is_some() || response.status().is_informational();
        if broken {
            response = Response::text(Status::INTERNAL_SERVER_ERROR, "Internal Server Error\n");
        }
        // After a half-close, the requests already received are still answered.
        let more_may_come = !self.peer_closed || !self.input.is_empty();
        if keep_alive && more_may_come && !broken && !self.overflowed && !closes(&response) {
            if http10 && !response.headers().contains("Connection") {
                // HTTP/1.0 closes unless told otherwise (RFC 9112 §9.3).
                response.set_header("Connection", "keep-alive");
            }
            self.phase = match self.input.is_empty() {
                true => Phase::Waiting { since: now.instant },
                // Pipelined: the next request has begun already; its time starts when this
                // answer has been written.
                false => Phase::Reading {
                    deadline: after(now.instant, self.config.timeouts.request),
                    restart_when_written: true,
                },
            };
        } else {
            // Telling the client spares it a failed read on a connection it hoped to reuse.
            response.set_header("Connection", "close");
            self.phase = Phase::Closing { linger: true };
        }
        self.answering = true;
        self.queue(now, |out| response.write_to(out, head_only, now.date));
        // A streamed body follows its head, read as it is sent; its time is counted now.
        if let Some(stream) = response.take_stream() {
            if !head_only && !response.status().forbids_body() && !stream.is_empty() {
                let rate = f64::from(self.config.min_send_rate.max(1));
                let transfer = Duration::from_secs_f64(stream.len() as f64 / rate);
                self.output_deadline = self.output_deadline.map(|d| after(d, transfer));
                let left = stream.len();
                self.streaming = Some((stream, left));
            }
        }
        self.answered += 1;
    }
    // ANCHOR_END: respond

    /// The bytes to send, oldest first.
    pub fn output(&self) -> &[u8] {
        &self.output[self.written..]
    }

    /// The first `written` bytes of [`Connection::output`] have been sent, at `now`.
    pub fn wrote(&mut self, written: usize, now: Now) {
        debug_assert!(written <= self.output_len(), "wrote more than the output");
        self.written += written.min(self.output_len());
        if written > 0 {
            self.last_progress = now.instant;
        }
        if self.output_len() != 0 {
            return;
        }
        if self.streaming.is_some() {
            // More of the body is to come: keep the buffer, and the deadline for the whole body.
            self.output.clear();
            self.written = 0;
            return;
        }
        // An idle connection keeps no buffer: chapter 7 holds ten thousand of them.
        self.output = Vec::new();
        self.written = 0;
        self.output_deadline = None;
        self.answering = false;
        match &mut self.phase {
            // The idle wait starts when the client has the whole answer.
            Phase::Waiting { since } => *since = now.instant,
            Phase::Reading {
                deadline,
                restart_when_written,
            } if *restart_when_written => {
                *deadline = after(now.instant, self.config.timeouts.request);
                *restart_when_written = false;
            }
            _ => {}
        }
    }

    // ANCHOR: deadline
    /// When the driver must call [`Connection::next`] even if nothing happens; `None` while the
    /// application works or once the connection is closed.
    pub fn deadline(&self) -> Option<Instant> {
        let timeouts = &self.config.timeouts;
        let writing = self.output_len() != 0 || self.streaming.is_some();
        let phase = match self.phase {
            // While an answer goes out, only the output's deadline counts: the idle wait and a
            // next request's time start when it is written.
            _ if self.answering => None,
            Phase::Waiting { .. } if writing => None,
            Phase::Waiting { since } if self.answered == 0 => {
                Some(after(since, timeouts.first_byte.min(timeouts.request)))
            }
            Phase::Waiting { since } => Some(after(since, self.config.idle)),
            Phase::Reading { deadline, .. } => Some(deadline),
            Phase::Busy { .. } | Phase::Closing { .. } | Phase::Closed { .. } => None,
        };
        // A `100 Continue` waiting to be written does not stop the request's own deadline.
        match (self.output_due(), phase) {
            (Some(output), Some(phase)) => Some(output.min(phase)),
            (output, phase) => output.or(phase),
        }
    }
    // ANCHOR_END: deadline

    /// Whether the connection is between requests with nothing in hand: it has answered at
    /// least one request, written all of it, and has no byte of the next. Closing it now loses
    /// nothing the client has been promised, which is what a driver that needs its thread back
    /// (chapter 6's pool, when others wait for a worker) may do before the idle time is out.
    /// A connection that has not answered yet is not idle in this sense: its first request may
    /// be in the socket already, unread.
    pub fn is_idle(&self) -> bool {
        self.holds_nothing() && self.answered > 0
    }

    /// Whether the connection has nothing in hand: no byte of a request, nothing to write. As
    /// [`Connection::is_idle`], but a connection that has not answered yet counts too. A driver
    /// that reads the socket once more before it closes (a stopping server) may close such a
    /// connection: a browser's "preconnect", which sends nothing, would otherwise hold up the
    /// stop for its whole first-byte time.
    pub fn holds_nothing(&self) -> bool {
        matches!(self.phase, Phase::Waiting { .. })
            && self.input.is_empty()
            && self.output_len() == 0
            && self.streaming.is_none()
    }

    /// How many requests this connection has answered.
    pub fn answered(&self) -> u64 {
        self.answered
    }

    /// The bytes of buffer this connection holds now, input and output, counting capacity: what
    /// an idle connection costs in memory (nothing, once it has answered and written).
    pub fn buffered_capacity(&self) -> usize {
        self.input.capacity() + self.output.capacity()
    }

    // ANCHOR: read_on
    /// Parses what has arrived: a request, a refusal, a `100 Continue`, or a wish for more.
    fn read_on(&mut self, now: Now) -> Next {
        if self.overflowed {
            let error = ParseError::BodyTooLarge {
                limit: self.config.limits.max_body,
            };
            self.refuse(&error, now);
            return Next::Refused(error);
        }
        if self.unparsed {
            self.unparsed = false;
            match self.parser.parse(&self.input) {
                Ok(Parsed::Complete { request, consumed }) => {
                    return Next::Request(self.hand_over(request, consumed));
                }
                Err(error) => {
                    self.refuse(&error, now);
                    return Next::Refused(error);
                }
                Ok(Parsed::Incomplete) => {}
            }
            // The head is in, and the client waits for our go-ahead before it sends the body.
            // The limits are checked already: a body too large was refused with 413 instead.
            if !self.sent_continue && self.parser.head().is_some_and(Request::expects_continue) {
                self.sent_continue = true;
                self.queue(now, |out| {
                    out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
                });
                return Next::Write;
            }
        }
        if self.peer_closed {
            // Nothing more will come: an unfinished request has nobody to answer.
            self.close(false);
            return Next::Close { linger: false };
        }
        Next::Read
    }
    // ANCHOR_END: read_on

    /// A pipelined request that is complete in the input while the answers before it wait to be
    /// written, if there is one and the output has room. Anything else (a request not all here,
    /// one to refuse, a `100 Continue`) waits until the output is written: the parser remembers
    /// where it got to, and an error, so parsing again then gives the same answer.
    ///
    /// The cost: an answer waits for the handlers of the requests after it in the batch. A
    /// client that pipelines `/sleep/2000` after `/` gets both answers in 2 s, where it would
    /// have had the first at once; it could not use the second any sooner either way.
    fn next_in_batch(&mut self) -> Option<Request> {
        let pipelined = matches!(
            self.phase,
            Phase::Reading {
                restart_when_written: true,
                ..
            }
        );
        if !pipelined
            || !self.unparsed
            || self.overflowed
            || self.streaming.is_some()
            || self.output_len() >= BATCH_LIMIT
        {
            return None;
        }
        match self.parser.parse(&self.input) {
            Ok(Parsed::Complete { request, consumed }) => {
                self.unparsed = false;
                Some(self.hand_over(request, consumed))
            }
            Ok(Parsed::Incomplete) | Err(_) => None,
        }
    }

    /// Takes a complete request out of the input, and notes how to answer it.
    fn hand_over(&mut self, mut request: Request, consumed: usize) -> Request {
        self.input.drain(..consumed);
        self.skip_empty_lines();
        if self.input.is_empty() {
            self.input = Vec::new();
        } else {
            // Pipelined: the next request has begun already. Do not keep a whole body's
            // capacity for the few bytes that follow it.
            if self.input.capacity() > 4 * self.input.len().max(8 * 1024) {
                self.input.shrink_to_fit();
            }
            self.unparsed = true;
        }
        self.sent_continue = false;
        request.peer = self.peer;
        self.phase = Phase::Busy {
            head_only: request.method == Method::Head,
            keep_alive: self.config.keep_alive && request.keep_alive(),
            http10: request.version == Version::Http10,
        };
        request
    }

    /// Answers a refused request with its status, and closes after it: the parser cannot know
    /// where the next request would start.
    fn refuse(&mut self, error: &ParseError, now: Now) {
        let mut response = error_response(error);
        response.set_header("Connection", "close");
        self.queue(now, |out| response.write_to(out, false, now.date));
        self.input = Vec::new();
        self.phase = Phase::Closing { linger: true };
    }

    /// A deadline has passed at `now`.
    fn deadline_passed(&mut self, now: Now) {
        if self.output_due().is_some_and(|due| now.instant >= due) {
            // The client does not take its answer: nothing more can be done for it.
            self.close(false);
            return;
        }
        match self.phase {
            Phase::Waiting { .. } => self.close(false),
            Phase::Reading { .. } => {
                let mut response =
                    Response::text(Status::REQUEST_TIMEOUT, "request not received in time\n");
                response.set_header("Connection", "close");
                self.queue(now, |out| response.write_to(out, false, now.date));
                self.input = Vec::new();
                self.phase = Phase::Closing { linger: true };
            }
            Phase::Busy { .. } | Phase::Closing { .. } | Phase::Closed { .. } => {}
        }
    }

    /// Appends to the output with `write`, starting the response deadline if it was empty.
    fn queue(&mut self, now: Now, write: impl FnOnce(&mut Vec<u8>)) {
        if self.output_deadline.is_none() {
            self.output_started = now.instant;
        }
        let before = self.output.len();
        write(&mut self.output);
        // `response` for the first byte, and then time for the bytes at the slowest rate allowed.
        let rate = f64::from(self.config.min_send_rate.max(1));
        let transfer = Duration::from_secs_f64((self.output.len() - before) as f64 / rate);
        let start = self
            .output_deadline
            .unwrap_or_else(|| after(now.instant, self.config.timeouts.response));
        self.output_deadline = Some(after(start, transfer));
    }

    /// Reads the next piece of a streamed body into the empty output. If the source fails or
    /// ends early, the `Content-Length` already sent can no longer be kept: the connection closes
    /// at once, and the client sees a body cut short rather than a wrong one.
    fn read_stream(&mut self) {
        let Some((stream, left)) = self.streaming.take() else {
            return;
        };
        let piece = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(STREAM_PIECE);
        match stream.read_into(&mut self.output, piece) {
            Ok(0) | Err(_) => self.close(false),
            Ok(n) => {
                let left = left - n as u64;
                if left > 0 {
                    self.streaming = Some((stream, left));
                }
            }
        }
    }

    /// When the output must be out: within its whole time, and never more than `response`
    /// after the client last took any of it (or after it was queued).
    fn output_due(&self) -> Option<Instant> {
        let stalled = after(
            self.last_progress.max(self.output_started),
            self.config.timeouts.response,
        );
        self.output_deadline.map(|whole| whole.min(stalled))
    }

    fn output_len(&self) -> usize {
        self.output.len() - self.written
    }

    /// The most input kept: one request at its limits, its body twice over for chunked framing.
    fn input_cap(&self) -> usize {
        let limits = &self.config.limits;
        limits.max_head + 2 * limits.max_body
    }

    /// Drops the empty lines a client may send before a request.
    fn skip_empty_lines(&mut self) {
        let skip = self
            .input
            .chunks(2)
            .take_while(|pair| *pair == b"\r\n")
            .count();
        self.input.drain(..skip * 2);
    }

    fn close(&mut self, linger: bool) {
        self.streaming = None;
        self.answering = false;
        self.phase = Phase::Closed { linger };
        self.input = Vec::new();
        self.output = Vec::new();
        self.written = 0;
        self.output_deadline = None;
    }
}

/// Whether the application's response asks to close the connection itself.
fn closes(response: &Response) -> bool {
    response
        .headers()
        .get_all("connection")
        .flat_map(|v| v.as_bytes().split(|b| *b == b','))
        .any(|option| option.trim_ascii().eq_ignore_ascii_case(b"close"))
}
