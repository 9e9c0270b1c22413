//! Chapter 5's connection and application, served by this chapter's runtime: one task per
//! connection, many connections per thread, and one runtime per thread.
//!
//! Each task drives chapter 5's `Connection` exactly as chapter 5's and chapter 6's servers do;
//! only what happens when a socket is not ready differs. A blocking server's thread waits in
//! `read`; here the task waits, and the thread serves the other connections meanwhile. An idle
//! keep-alive connection is a task that waits for its socket: about 2.5 kB, not a thread.

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use stage01_tcp_echo::accept::{ACCEPT_BACKOFF, is_one_clients_problem};
use stage01_tcp_echo::log;
use stage01_tcp_echo::stop::{RunningServer, StopSignal};
use stage02_raw_http::server::{LINGER_BYTES, LINGER_IDLE, LINGER_TIME};
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage05_framework::sending::MAX_FILES_SENDING;
use stage05_framework::{Application, Config, Connection, Next, Now, Reply};

use crate::handoff::Runtimes;
use crate::net::{TcpListener, TcpStream};
use crate::race::{Either, race};
use crate::runtime::{Runtime, spawn, wake_all, yield_now};
use crate::shutdown::Shutdown;
use crate::time::{Sleep, sleep, sleep_until, timeout};

/// How many connections the server keeps open at most, unless told otherwise; the next one is
/// answered `503` and closed. (Each may buffer up to its head limit and twice its body limit
/// before its handler runs: with chapter 5's limits about 2 MiB, so where memory is short, lower
/// this or the body limit. A budget for the whole server is left out.)
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// How long a stopping server waits for its connections to finish what they are doing, unless
/// told otherwise; then it closes them. Each connection's own deadlines end a slow client sooner,
/// but a handler that never returns has none.
pub const DEFAULT_DRAIN_TIME: Duration = Duration::from_secs(10);

/// How many connections past the limit the server answers `503` at a time, in all its runtimes;
/// more are closed unanswered. Each refusal is a task that writes a small answer and lingers: without a bound, a
/// flood of clients would make as many tasks as it liked, and the limit would limit nothing.
const MAX_REFUSING: usize = 64;

/// Files the server keeps open besides its connections: standard streams, the listener, the
/// signal socket, the guestbook, a CGI script's pipes, the refusals being answered, and the files
/// being sent (chapter 5 sends at most `MAX_FILES_SENDING` at once, static and named files alike).
const FILES_PER_SERVER: usize = 32 + MAX_REFUSING + MAX_FILES_SENDING;

/// Files each runtime keeps open besides its connections: its epoll, its wake-up socket pair,
/// its copy of the listener (4); and a CGI script's while one runs (8: its three pipes, the pipe
/// that reports a failed start, and what killing its group takes). A plain handler holds its
/// runtime's thread, so a runtime runs one script at a time.
const FILES_PER_RUNTIME: usize = 4 + 8;

/// Files each connection holds: its socket. A file it sends is one of the server's.
const FILES_PER_CONNECTION: usize = 1;

/// How long a refused client has to take its `503`.
const REFUSAL_TIME: Duration = Duration::from_secs(1);

/// How many steps (reads, answers, writes) a connection may take without waiting before it lets
/// the other connections of its thread run: a client that pipelines without pause keeps its
/// socket readable, so it would never wait on its own.
const BUDGET: u32 = 64;

/// How much one read takes in. One buffer per thread, shared by all its connections: a read goes
/// into it and at once into the connection, so no connection holds a buffer of its own.
const READ_CHUNK: usize = 64 * 1024;

thread_local! {
    static READ_BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; READ_CHUNK]);
}

/// A listening server that runs an [`Application`] on one runtime per thread.
#[derive(Debug)]
pub struct Server {
    listener: std::net::TcpListener,
    stop: StopSignal,
    config: Config,
    threads: usize,
    max_connections: usize,
    drain_time: Duration,
    #[cfg(target_os = "linux")]
    signals: Option<stage06_threads::signals::Signals>,
}

/// What every runtime of one server shares.
struct Shared {
    config: Config,
    stop: StopSignal,
    shutdown: Shutdown,
    max_connections: usize,
    drain_time: Duration,
    /// Connections open, across all runtimes.
    open: AtomicUsize,
    /// Connections past the limit being answered `503` (at most [`MAX_REFUSING`]).
    refusing: AtomicUsize,
    /// Each runtime's connections, and the ones handed to it.
    runtimes: Runtimes,
}

/// What the connections of one runtime share with its accept loop.
struct Local {
    /// This runtime's number, in [`Shared::runtimes`].
    me: usize,
    /// The server is stopping: idle connections close.
    stopping: Cell<bool>,
    /// Who waits for this runtime's connections to have closed.
    all_closed: Cell<Option<Waker>>,
}

impl Server {
    /// Binds and listens; port 0 picks a free port. One runtime, on the thread that calls
    /// [`Server::run`], unless [`Server::with_threads`] says more.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = std::net::TcpListener::bind(addr)?;
        Ok(Server {
            stop: StopSignal::for_listener(&listener)?,
            listener,
            config: Config::default(),
            threads: 1,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            drain_time: DEFAULT_DRAIN_TIME,
            #[cfg(target_os = "linux")]
            signals: None,
        })
    }

    /// Runs `threads` runtimes (at least one), each on a thread of its own, each accepting from
    /// the same listener.
    pub fn with_threads(mut self, threads: usize) -> Server {
        self.threads = threads.max(1);
        self
    }

    /// Replaces the connections' configuration (limits, deadlines, keep-alive).
    pub fn with_config(mut self, config: Config) -> Server {
        self.config = config;
        self
    }

    /// At most `max` connections open at once (at least one); the next is answered `503`.
    pub fn with_max_connections(mut self, max: usize) -> Server {
        self.max_connections = max.max(1);
        self
    }

    /// How long a stop waits for the connections to finish ([`DEFAULT_DRAIN_TIME`] unless set);
    /// those still open then are closed.
    pub fn with_drain_time(mut self, drain_time: Duration) -> Server {
        self.drain_time = drain_time;
        self
    }

    /// Stops gracefully on Ctrl+C and `SIGTERM`: the socket their bytes arrive on (chapter 6's
    /// [`Signals`](stage06_threads::signals::Signals)) is registered with the first runtime's
    /// reactor, so no thread waits for a signal.
    #[cfg(target_os = "linux")]
    pub fn stop_on(mut self, signals: stage06_threads::signals::Signals) -> Server {
        self.signals = Some(signals);
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// How many connections it will hold at once: as many as asked
    /// ([`Server::with_max_connections`]), or fewer if the process may not open that many
    /// files ([`open_file_limit`](crate::open_files::open_file_limit), `ulimit -n`), since past
    /// that limit a client would get no answer at all instead of the `503`.
    pub fn max_connections(&self) -> usize {
        let reserved = FILES_PER_SERVER + FILES_PER_RUNTIME * self.threads;
        match crate::open_files::open_file_limit() {
            Some(files) => {
                let room = files.saturating_sub(reserved) / FILES_PER_CONNECTION;
                self.max_connections.min(room.max(1))
            }
            None => self.max_connections,
        }
    }

    /// The signal that makes [`Server::run`] return.
    pub fn stop_signal(&self) -> StopSignal {
        self.stop.clone()
    }

    /// Serves until stopped; then finishes the requests in flight (for at most the drain time),
    /// closes idle connections, and returns once every runtime has. Fails if a runtime cannot
    /// be made (not Linux, or out of file descriptors) or a thread cannot be started; then the
    /// runtimes that did start are stopped and waited for first.
    pub fn run(self, app: impl Application) -> io::Result<()> {
        let app = Arc::new(app);
        let max_connections = self.max_connections();
        let shared = Arc::new(Shared {
            config: self.config,
            stop: self.stop,
            shutdown: Shutdown::new(),
            max_connections,
            drain_time: self.drain_time,
            open: AtomicUsize::new(0),
            refusing: AtomicUsize::new(0),
            runtimes: Runtimes::new(self.threads),
        });
        let mut others = Vec::new();
        let mut result = Ok(());
        for n in 1..self.threads {
            let started = self.listener.try_clone().and_then(|listener| {
                let (app, shared) = (Arc::clone(&app), Arc::clone(&shared));
                thread::Builder::new()
                    .name(format!("runtime-{n}"))
                    .spawn(move || serve_on_this_thread(n, listener, app, &shared, None))
            });
            match started {
                Ok(thread) => others.push(thread),
                Err(error) => {
                    result = Err(error);
                    break;
                }
            }
        }
        #[cfg(target_os = "linux")]
        let signals = self.signals;
        #[cfg(not(target_os = "linux"))]
        let signals = None;
        if result.is_ok() {
            result = serve_on_this_thread(0, self.listener, app, &shared, signals);
        }
        shared.shutdown.trigger(); // if this one failed, the others must not serve on alone
        for thread in others {
            let outcome = thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("a runtime thread panicked")));
            match (&result, outcome) {
                (Ok(()), outcome) => result = outcome,
                (Err(_), Err(also)) => log!("another runtime failed too: {also}"),
                (Err(_), Ok(())) => {}
            }
        }
        result
    }

    /// Runs the server on a thread of its own; stopping or dropping the handle stops it.
    pub fn spawn(self, app: impl Application) -> io::Result<RunningServer> {
        let addr = self.local_addr()?;
        let stop = self.stop_signal();
        Ok(RunningServer::spawn(addr, stop, move || {
            if let Err(e) = self.run(app) {
                log!("the server stopped: {e}");
            }
        }))
    }
}

#[cfg(target_os = "linux")]
type MaybeSignals = Option<stage06_threads::signals::Signals>;
#[cfg(not(target_os = "linux"))]
type MaybeSignals = Option<std::convert::Infallible>;

// ANCHOR: serve_on_this_thread
/// Runtime `me`: it accepts connections and serves each as a task (or hands it to a runtime
/// with fewer), until the server stops; then it waits for its connections to close.
fn serve_on_this_thread<A: Application>(
    me: usize,
    listener: std::net::TcpListener,
    app: Arc<A>,
    shared: &Arc<Shared>,
    signals: MaybeSignals,
) -> io::Result<()> {
    // However this runtime ends, even by a panic, the others stop too and nothing more is handed
    // to it.
    let _stopped = Stopped { me, shared };
    Runtime::new().and_then(|runtime| {
        runtime.block_on(async {
            crate::runtime::with_owner(|owner| shared.runtimes.started(me, owner));
            // Once, at start, while this runtime has no task yet: a wait that blocks the thread
            // would hold up its tasks if it had any. A few milliseconds when every runtime
            // starts; if one fails, it stops the server, and this ends within the second.
            shared.runtimes.wait_for_the_others(Duration::from_secs(1));
            let listener = TcpListener::from_std(listener)?;
            if let Some(signals) = signals {
                spawn(stop_on_signals(signals, Arc::clone(shared)));
            }
            let local = Rc::new(Local {
                me,
                stopping: Cell::new(false),
                all_closed: Cell::new(None),
            });
            if shared.runtimes.count() > 1 {
                spawn(take_handed_over(
                    Arc::clone(&app),
                    Arc::clone(shared),
                    Rc::clone(&local),
                ));
            }
            accept_connections(&listener, &app, shared, &local).await;
            // Closing this runtime's copy of the listener; the kernel refuses new clients once
            // every runtime has closed its copy.
            drop(listener);
            local.stopping.set(true);
            wake_all(); // each idle connection sees `stopping`, and closes
            let drain = shared.drain_time;
            // Only what awaits can be cut short: a plain handler that blocks keeps its thread
            // until it returns, drain time or not.
            if let Either::Right(()) = race(all_closed(shared, &local), sleep(drain)).await {
                let left = shared.runtimes.open(me);
                log!("{left} connection(s) still busy {drain:?} after the stop: closing them");
            }
            Ok(())
        })
        // The runtime is dropped here, and with it the tasks of the connections still open.
    })
}
// ANCHOR_END: serve_on_this_thread

// ANCHOR: accept_connections
/// Marks a runtime stopped when dropped, on return or by a panic: the server stops, its inbox is
/// closed, and what was handed to it and never taken is closed and counted closed.
struct Stopped<'a> {
    me: usize,
    shared: &'a Shared,
}

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        self.shared.shutdown.trigger();
        for (stream, _) in self.shared.runtimes.close(self.me) {
            drop(stream);
            self.shared.runtimes.closed(self.me);
            self.shared.open.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Accepts until the server stops, spawning a task for each connection.
async fn accept_connections<A: Application>(
    listener: &TcpListener,
    app: &Arc<A>,
    shared: &Arc<Shared>,
    local: &Rc<Local>,
) {
    let mut budget = BUDGET;
    loop {
        // A burst of clients keeps the listener ready: without a turn now and then, the
        // connections already accepted would wait for the burst to end.
        budget -= 1;
        if budget == 0 {
            yield_now().await;
            budget = BUDGET;
        }
        // Looked at first, not only after an accept: while accepting fails (out of file
        // descriptors) or new clients keep coming, the stop must still be seen.
        if shared.stop.is_stopped() || shared.shutdown.is_triggered() {
            shared.shutdown.trigger();
            return;
        }
        let accepted = match race(listener.accept_std(), shared.shutdown.wait()).await {
            Either::Left(accepted) => accepted,
            Either::Right(()) => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_one_clients_problem(&e) => {
                log!("accept failed: {e}");
                continue;
            }
            // Out of file descriptors, say: the next accept would fail the same way, so wait.
            Err(e) => {
                log!("accept failed: {e}; trying again in {ACCEPT_BACKOFF:?}");
                race(sleep(ACCEPT_BACKOFF), shared.shutdown.wait()).await;
                continue;
            }
        };
        // `StopSignal::stop` wakes an accept loop by connecting; that runtime tells the others.
        if shared.stop.is_stopped() || shared.shutdown.is_triggered() {
            shared.shutdown.trigger();
            return;
        }
        if shared.open.fetch_add(1, Ordering::SeqCst) >= shared.max_connections {
            shared.open.fetch_sub(1, Ordering::SeqCst);
            turn_away(stream, peer, shared);
            continue;
        }
        match shared.runtimes.least_loaded(local.me) {
            me if me == local.me => {
                shared.runtimes.opened(me);
                serve_accepted(stream, peer, app, shared, local);
            }
            other => {
                if let Err((stream, peer)) = shared.runtimes.hand_over(other, stream, peer) {
                    // That runtime has stopped since it was chosen: serve it here.
                    shared.runtimes.opened(local.me);
                    serve_accepted(stream, peer, app, shared, local);
                }
            }
        }
    }
}
// ANCHOR_END: accept_connections

/// Serves, as a task of this runtime, a connection counted as open here already.
fn serve_accepted<A: Application>(
    stream: std::net::TcpStream,
    peer: SocketAddr,
    app: &Arc<A>,
    shared: &Arc<Shared>,
    local: &Rc<Local>,
) {
    let open = OpenConnection {
        shared: Arc::clone(shared),
        local: Rc::clone(local),
    };
    let stream = match TcpStream::from_std(stream) {
        Ok(stream) => stream,
        Err(e) => {
            log!("{peer}: {e}");
            return; // dropping `open` counts it closed
        }
    };
    let app = Arc::clone(app);
    spawn(async move {
        if let Err(e) = serve(&stream, peer, &*app, &open).await {
            log!("{peer}: {e}");
        }
        drop(open);
    });
}

/// Serves the connections other runtimes hand to this one, for as long as the runtime runs.
async fn take_handed_over<A: Application>(app: Arc<A>, shared: Arc<Shared>, local: Rc<Local>) {
    loop {
        for (stream, peer) in shared.runtimes.handed_to(local.me).await {
            serve_accepted(stream, peer, &app, &shared, &local);
        }
    }
}

/// Answers a connection past the limit `503`, as a task of its own so that a client slow to take
/// it holds up nobody; past [`MAX_REFUSING`] such tasks, closes it unanswered instead.
fn turn_away(stream: std::net::TcpStream, peer: SocketAddr, shared: &Arc<Shared>) {
    let max = shared.max_connections;
    if shared.refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
        shared.refusing.fetch_sub(1, Ordering::SeqCst);
        log!("{peer}: at the limit of {max} open, and {MAX_REFUSING} being refused: closed");
        return;
    }
    log!("{peer}: at the limit of {max} connections open: 503");
    let refusal = Refusal(Arc::clone(shared));
    spawn(async move {
        let _counted = refusal; // counts it done however the task ends
        let response = Response::text(
            Status::SERVICE_UNAVAILABLE,
            "too many connections open; try again\n",
        )
        .header("Retry-After", "1")
        .header("Connection", "close");
        let mut bytes = Vec::new();
        response.write_to(&mut bytes, false, SystemTime::now());
        if let Ok(stream) = TcpStream::from_std(stream) {
            if let Ok(Ok(())) = timeout(REFUSAL_TIME, stream.write_all(&bytes)).await {
                // What the client sent is read and dropped before the close, which would
                // otherwise reset the connection and could destroy the 503 unread.
                linger(&stream).await;
            }
        }
    });
}

/// Counts a refusal as being answered until it is dropped, with its task.
struct Refusal(Arc<Shared>);

impl Drop for Refusal {
    fn drop(&mut self) {
        self.0.refusing.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a connection as open until it is dropped, with its task.
struct OpenConnection {
    shared: Arc<Shared>,
    local: Rc<Local>,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.shared.open.fetch_sub(1, Ordering::SeqCst);
        if self.shared.runtimes.closed(self.local.me) == 0 {
            if let Some(waker) = self.local.all_closed.take() {
                waker.wake();
            }
        }
    }
}

/// Ready once every connection of this runtime has closed.
async fn all_closed(shared: &Shared, local: &Local) {
    poll_fn(|cx| {
        if shared.runtimes.open(local.me) == 0 {
            return Poll::Ready(());
        }
        local.all_closed.set(Some(cx.waker().clone()));
        Poll::Pending
    })
    .await;
}

// ANCHOR: serve
/// Drives one connection to its end: chapter 5's `Connection` says what to do, and this only
/// moves bytes, waiting as a task whenever the socket is not ready.
async fn serve(
    stream: &TcpStream,
    peer: SocketAddr,
    app: &impl Application,
    open: &OpenConnection,
) -> io::Result<()> {
    // The clocks are read again only where time may have passed: after each wait, and after
    // the application (whose handler may block). The steps between take microseconds.
    let mut now = Now::read();
    let mut connection = Connection::new(open.shared.config, Some(peer), now);
    let mut timer = None; // kept from one wait to the next: see `wait`
    let mut budget = BUDGET;
    loop {
        budget -= 1;
        if budget == 0 {
            yield_now().await;
            budget = BUDGET;
            now = Now::read();
        }
        match connection.next(now) {
            Next::Read => {
                let stopping = &open.local.stopping;
                // Not `is_idle`: a connection that has sent nothing yet closes too, or a silent
                // one would hold up the stop for its first-byte time.
                if stopping.get() && connection.holds_nothing() {
                    // A request may have reached the socket since the last read: it is not
                    // given up with the connection.
                    read_into(stream, &mut connection, now)?;
                    if connection.holds_nothing() {
                        return Ok(()); // nothing in hand: as if the idle time were out
                    }
                    continue;
                }
                let deadline = connection.deadline();
                let ready = wait(stream, Ready::Read, deadline, &mut timer, || {
                    stopping.get() && connection.holds_nothing()
                })
                .await;
                now = Now::read();
                if ready {
                    read_into(stream, &mut connection, now)?;
                }
            }
            Next::Request(request) => {
                let in_handler = open.shared.runtimes.in_handler(open.local.me);
                let mut response = answer(app.call(request)).await;
                drop(in_handler);
                if open.local.stopping.get() {
                    response.set_header("Connection", "close"); // its last: the server stops
                }
                now = Now::read();
                connection.respond(response, now);
            }
            Next::Refused(error) => {
                log!("refused a request: {error} -> {}", error.status().code());
            }
            Next::Write => match stream.try_write(connection.output()) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => connection.wrote(n, now),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let deadline = connection.deadline();
                    wait(stream, Ready::Write, deadline, &mut timer, || false).await;
                    now = Now::read();
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            },
            // This loop answers each request before it asks again, so this cannot happen; if it
            // ever did, only this connection is dropped.
            Next::Busy => return Err(io::Error::other("the connection waits for an answer")),
            Next::Close { linger: true } => {
                linger(stream).await;
                return Ok(());
            }
            Next::Close { linger: false } => return Ok(()),
        }
    }
}
// ANCHOR_END: serve

/// What to wait for on the socket.
#[derive(Debug, Clone, Copy)]
enum Ready {
    Read,
    Write,
}

/// Waits until the socket is ready, `deadline` has come, or `give_up()` says so (checked on
/// every wake, and `wake_all` wakes every task when the server stops); `true` if it is ready.
///
/// `timer` is the connection's, kept from one wait to the next. A keep-alive connection waits
/// once per request, each time with a deadline a little later than the last; setting a timer and
/// cancelling it each time would cost two changes to the reactor's table per request. So a timer
/// due no later than `deadline` is kept: if it fires first, the wait sets one for `deadline`
/// then, which for a busy connection is once per idle time, not once per request.
async fn wait(
    stream: &TcpStream,
    ready: Ready,
    deadline: Option<Instant>,
    timer: &mut Option<Sleep>,
    give_up: impl Fn() -> bool,
) -> bool {
    poll_fn(|cx| {
        let socket = match ready {
            Ready::Read => stream.poll_readable(cx),
            Ready::Write => stream.poll_writable(cx),
        };
        if socket.is_ready() {
            return Poll::Ready(true);
        }
        if give_up() {
            return Poll::Ready(false);
        }
        let Some(deadline) = deadline else {
            return Poll::Pending;
        };
        loop {
            let sleep = match timer {
                Some(sleep) if sleep.deadline() <= deadline => sleep,
                _ => timer.insert(sleep_until(deadline)), // none, or one due too late
            };
            let early = sleep.deadline() < deadline;
            match Pin::new(sleep).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) if !early => return Poll::Ready(false), // out of time
                Poll::Ready(()) => *timer = None, // an earlier deadline's: set one for this one
            }
        }
    })
    .await
}

/// Reads what has arrived into the thread's buffer and gives it to the connection, as having
/// arrived `now`.
fn read_into(stream: &TcpStream, connection: &mut Connection, now: Now) -> io::Result<()> {
    READ_BUFFER.with_borrow_mut(|buffer| match stream.try_read(buffer) {
        Ok(0) => {
            connection.receive_eof();
            Ok(())
        }
        Ok(n) => {
            connection.receive(&buffer[..n], now);
            Ok(())
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    })
}

// ANCHOR: answer
/// The application's response: ready now (a plain handler), or a future to await (an `async`
/// handler), which this task does while the thread serves other connections. A panic while the
/// future is polled is this request's 500. Chapter 5's `App` catches its own handlers' and
/// layers' panics, polled or not, so this catch is for any other `Application`: whoever wrote it,
/// the client gets an answer and the connection goes on.
async fn answer(reply: Reply) -> Response {
    let mut future = match reply {
        Reply::Ready(response) => return response,
        Reply::Later(future) => future,
    };
    let polled =
        poll_fn(
            |cx| match panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                Ok(poll) => poll.map(Some),
                Err(_) => Poll::Ready(None),
            },
        );
    polled.await.unwrap_or_else(|| {
        log!("an async handler panicked");
        Response::text(Status::INTERNAL_SERVER_ERROR, "Internal Server Error\n")
    })
}
// ANCHOR_END: answer

/// Chapter 2's lingering close, as a task: shut our sending half, then read and drop what the
/// client still sends until it closes, within chapter 2's limits of time, silence and size, so
/// that a reset cannot destroy the answer before the client has read it.
async fn linger(stream: &TcpStream) {
    if stream.shutdown(std::net::Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER_TIME;
    let mut drained = 0u64;
    while drained < LINGER_BYTES {
        let until = deadline.min(Instant::now() + LINGER_IDLE);
        if !wait(stream, Ready::Read, Some(until), &mut None, || false).await {
            return; // silent for too long, or out of time
        }
        let read = READ_BUFFER.with_borrow_mut(|buffer| stream.try_read(buffer));
        match read {
            Ok(0) => return,
            Ok(n) => drained += n as u64,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
    }
}

/// Waits for Ctrl+C or `SIGTERM`, as a task: the socket their bytes arrive on is registered
/// with this runtime's reactor like any other.
#[cfg(target_os = "linux")]
async fn stop_on_signals(signals: stage06_threads::signals::Signals, shared: Arc<Shared>) {
    use std::io::Read;
    let receiver = match signals.receiver().try_clone().and_then(crate::Async::new) {
        Ok(receiver) => receiver,
        Err(e) => {
            // Ctrl+C then ends the process at once, as it would without our handler: better
            // than a signal written to a socket that nobody reads.
            signals.restore_defaults();
            log!("cannot watch for Ctrl+C: {e}; it will stop the server at once");
            return;
        }
    };
    let signalled = receiver
        .read_with(|mut socket| socket.read(&mut [0]))
        .await
        .is_ok();
    // The next signal ends the process at once: a way out when something will not finish.
    signals.restore_defaults();
    if signalled {
        log!("stopping: finishing what is in flight (again to quit at once)");
        shared.shutdown.trigger();
    }
}

#[cfg(not(target_os = "linux"))]
async fn stop_on_signals(never: std::convert::Infallible, _: Arc<Shared>) {
    match never {}
}
