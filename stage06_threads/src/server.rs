//! Chapter 5's connection and application, on a pool of threads.
//!
//! The accept loop is chapter 1's; for each connection it queues a job, and a worker drives the
//! connection with chapter 5's own `drive`, keep-alive on, until the connection closes. Only how
//! connections are spread over threads is new here: all of HTTP is still in chapter 5's
//! `Connection`, and all of the site in its `App`.
//!
//! A keep-alive connection holds its worker while it waits for its next request, so as many
//! idle clients as workers would leave a new client waiting for their whole idle time. The
//! workers therefore give an idle connection up early when another connection is waiting for a
//! worker ([`Demand`]), and at once when the server stops.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use stage01_tcp_echo::accept::serve_one_at_a_time;
use stage01_tcp_echo::log;
use stage01_tcp_echo::stop::{RunningServer, StopSignal};
use stage03_parser::response::Response;
use stage03_parser::status::Status;
use stage05_framework::server::drive;
use stage05_framework::{Application, Config, KeepAlivePolicy};

use crate::pool::ThreadPool;

/// How many workers, and how many connections may wait for one, unless the binary says
/// otherwise.
pub const DEFAULT_WORKERS: usize = 8;
pub const DEFAULT_QUEUE: usize = 64;

/// How long an idle keep-alive connection keeps its worker when another connection is waiting
/// for one, unless the server is told otherwise: long enough for a browser's next request for
/// the page it just got (its stylesheet, its images), far shorter than the idle time.
pub const IDLE_GRACE: Duration = Duration::from_millis(100);

/// How long a connection keeps its worker while others wait for one, however busy it keeps it:
/// after that its next answer is its last (`Connection: close`), and the client joins the queue
/// again like everyone else. Without it, a client that always has its next request ready would
/// keep a worker for as long as it liked.
pub const TURN: Duration = Duration::from_secs(1);

// ANCHOR: demand
/// What a worker must know of the rest of the server to decide whether to keep a connection:
/// whether anyone is waiting for a worker, and whether the server is stopping.
/// Connections still in the queue when it stops are served: the workers take them before the
/// closed queue ends their loop, answer what they send, and close them once they are idle.
#[derive(Debug)]
pub struct Demand {
    /// How long an idle connection is kept while others wait; `None`: its whole idle time.
    grace: Option<Duration>,
    /// Connections queued and not yet taken by a worker.
    waiting: AtomicUsize,
    /// The server's stop signal: once it is given, idle connections close at once.
    stop: StopSignal,
}

impl Demand {
    /// Whether a connection is waiting for a worker. Relaxed is enough: the count is a hint,
    /// read again at every check, guarding no data.
    fn wanted(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > 0
    }
}

impl KeepAlivePolicy for Demand {
    fn keep_after_answer(&self, held: Duration) -> bool {
        let shared = self.grace.is_some() && self.wanted() && held >= TURN;
        !self.stop.is_stopped() && !shared
    }

    fn check_every(&self) -> Duration {
        // Also how soon an idle connection notices that the server stops.
        self.grace.unwrap_or(IDLE_GRACE)
    }

    fn give_up(&self, idle: Duration) -> bool {
        self.stop.is_stopped()
            || self
                .grace
                .is_some_and(|grace| self.wanted() && idle >= grace)
    }
}
// ANCHOR_END: demand

/// A listening server that runs an [`Application`] on a pool of threads.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    stop: StopSignal,
    config: Config,
    workers: usize,
    queue: usize,
    idle_grace: Option<Duration>,
}

impl Server {
    /// Binds and listens; port 0 picks a free port. Keep-alive is on: a connection holds a
    /// worker, not the whole server.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        Ok(Server {
            stop: StopSignal::for_listener(&listener)?,
            listener,
            config: Config::default(),
            workers: DEFAULT_WORKERS,
            queue: DEFAULT_QUEUE,
            idle_grace: Some(IDLE_GRACE),
        })
    }

    /// `workers` threads, and a queue of `queue` connections waiting for them (at least one of
    /// each: a queue of none would hand a connection over only to a worker already waiting in
    /// `recv`, and refuse it while the others are still on their way there).
    pub fn with_pool(mut self, workers: usize, queue: usize) -> Server {
        self.workers = workers.max(1);
        self.queue = queue.max(1);
        self
    }

    /// How long an idle keep-alive connection keeps its worker while other connections wait for
    /// one ([`IDLE_GRACE`] unless set). `None` keeps every connection for as long as it likes
    /// (its idle time, and any number of [`TURN`]s), and then as many idle clients as workers
    /// make everyone else wait: the book shows that first.
    pub fn with_idle_grace(mut self, grace: Option<Duration>) -> Server {
        self.idle_grace = grace;
        self
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

    // ANCHOR: run
    /// Accepts connections until the stop signal, handing each to a worker. When every worker
    /// is busy and the queue is full, a connection is answered `503` with `Retry-After` at once,
    /// rather than left waiting without end. When the loop ends, the workers finish the
    /// requests they have, close their idle connections, and are joined. Fails only if the
    /// workers cannot be started.
    pub fn run(self, app: impl Application) -> io::Result<()> {
        let app = Arc::new(app);
        let demand = Arc::new(Demand {
            grace: self.idle_grace,
            waiting: AtomicUsize::new(0),
            stop: self.stop.clone(),
        });
        let config = self.config;
        let pool = ThreadPool::new(self.workers, self.queue, {
            let demand = Arc::clone(&demand);
            move |(stream, peer)| {
                demand.waiting.fetch_sub(1, Ordering::Relaxed);
                if let Err(e) = drive(stream, Some(peer), &config, &*app, &*demand) {
                    log!("{peer}: {e}");
                }
            }
        })?;
        serve_one_at_a_time(&self.listener, &self.stop, |stream, peer| {
            // Counted before it is queued, so that the worker that takes it never counts below 0.
            demand.waiting.fetch_add(1, Ordering::Relaxed);
            match pool.try_execute((stream, peer)) {
                Ok(()) => Ok(()),
                Err((stream, peer)) => {
                    demand.waiting.fetch_sub(1, Ordering::Relaxed);
                    log!("{peer}: every worker busy and the queue full: 503");
                    busy(stream)
                }
            }
        });
        // Closing the listener at once tells a new client "refused" instead of leaving it in
        // the kernel's queue until the process exits.
        drop(self.listener);
        drop(pool); // waits for the workers to finish
        Ok(())
    }
    // ANCHOR_END: run

    /// Runs the server on a thread of its own; stopping or dropping the handle stops it.
    pub fn spawn(self, app: impl Application) -> io::Result<RunningServer> {
        let addr = self.local_addr()?;
        let stop = self.stop_signal();
        Ok(RunningServer::spawn(addr, stop, move || {
            if let Err(e) = self.run(app) {
                log!("cannot start the workers: {e}");
            }
        }))
    }
}

/// Answers `stream` with `503 Service Unavailable` and closes it.
pub fn busy(mut stream: TcpStream) -> io::Result<()> {
    let response = Response::text(
        Status::SERVICE_UNAVAILABLE,
        "every worker is busy; try again\n",
    )
    .header("Retry-After", "1")
    .header("Connection", "close");
    let mut bytes = Vec::new();
    response.write_to(&mut bytes, false, SystemTime::now());
    stream.set_write_timeout(Some(Duration::from_secs(1)))?;
    // What the client has sent already is read and dropped first: closing a socket with unread
    // bytes would reset it, and the reset could destroy the 503 before the client reads it.
    stream.set_nonblocking(true)?;
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
    stream.set_nonblocking(false)?;
    stream.write_all(&bytes)?;
    stream.shutdown(std::net::Shutdown::Write)
}
