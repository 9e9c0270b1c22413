//! Stopping a server: a signal the accept loop checks, and a server running on a thread of its own
//! that stops and is joined when it is dropped.
//!
//! A blocked `accept` does not return because a flag changed, and std has no way to interrupt it.
//! So [`StopSignal::stop`] sets the flag and then connects to the listener itself: `accept`
//! returns that connection, the loop sees the flag and ends. Chapter 6 uses the same signal for
//! graceful shutdown on Ctrl+C; tests use it so that every server they start is stopped again,
//! instead of leaking a thread and a listening socket per test.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long `stop` tries to connect to wake the loop. Loopback connects at once; this only bounds
/// the wait if the listen queue is full.
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// How often a stopping [`RunningServer`] tries again to wake its loop when connecting failed.
const RETRY_WAKE: Duration = Duration::from_millis(100);

/// Tells an accept loop to stop. Clones share one signal.
#[derive(Clone)]
pub struct StopSignal {
    shared: Arc<Shared>,
}

struct Shared {
    stopped: Mutex<bool>,
    changed: Condvar,
    /// Where to connect to wake a loop blocked in `accept`.
    wake: SocketAddr,
}

impl StopSignal {
    /// A signal for the loop that accepts on `listener`.
    pub fn for_listener(listener: &TcpListener) -> io::Result<StopSignal> {
        let bound = listener.local_addr()?;
        // A listener on 0.0.0.0 or [::] is reached through loopback.
        let ip = match bound.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Ok(StopSignal {
            shared: Arc::new(Shared {
                stopped: Mutex::new(false),
                changed: Condvar::new(),
                wake: SocketAddr::new(ip, bound.port()),
            }),
        })
    }

    /// Asks the loop to stop: it finishes the connection it is serving, accepts no other, and
    /// returns. Calling it again does nothing more.
    pub fn stop(&self) {
        {
            let mut stopped = self.lock();
            if *stopped {
                return;
            }
            *stopped = true;
        }
        self.shared.changed.notify_all();
        self.wake();
    }

    /// Connects to the listener so that a loop blocked in `accept` returns and sees the flag.
    /// `false` when the connection could not be made: the loop may still be blocked (this
    /// process may be out of file descriptors itself), so [`RunningServer`] tries again.
    fn wake(&self) -> bool {
        TcpStream::connect_timeout(&self.shared.wake, WAKE_TIMEOUT).is_ok()
    }

    /// Whether [`StopSignal::stop`] has been called.
    pub fn is_stopped(&self) -> bool {
        *self.lock()
    }

    /// Waits `time`, or less if the signal is given meanwhile; `true` if it was.
    pub fn wait(&self, time: Duration) -> bool {
        let deadline = Instant::now() + time;
        let mut stopped = self.lock();
        while !*stopped {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            stopped = self
                .shared
                .changed
                .wait_timeout(stopped, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *stopped
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, bool> {
        // A bool cannot be left half-written: a panic elsewhere does not make it wrong.
        self.shared
            .stopped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for StopSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopSignal")
            .field("stopped", &self.is_stopped())
            .field("wake", &self.shared.wake)
            .finish()
    }
}

// ANCHOR: running_server
/// A server running on a thread of its own. [`RunningServer::stop`], or dropping it, stops the
/// accept loop, lets the connection in progress finish, and joins the thread.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use stage01_tcp_echo::server::EchoServer;
///
/// let server = EchoServer::bind("127.0.0.1:0")?.spawn();
/// let mut stream = std::net::TcpStream::connect(server.addr())?;
/// stream.write_all(b"ping")?;
/// stream.shutdown(std::net::Shutdown::Write)?;
/// let mut echoed = String::new();
/// stream.read_to_string(&mut echoed)?;
/// assert_eq!(echoed, "ping");
/// server.stop(); // returns once the server's thread has ended
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    stop: StopSignal,
    thread: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// Runs `run` on a new thread; `stop` must be the signal its accept loop checks.
    pub fn spawn(
        addr: SocketAddr,
        stop: StopSignal,
        run: impl FnOnce() + Send + 'static,
    ) -> RunningServer {
        RunningServer {
            addr,
            stop,
            thread: Some(thread::spawn(run)),
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The signal that stops it, for another thread to hold.
    pub fn stop_signal(&self) -> StopSignal {
        self.stop.clone()
    }

    /// Stops the server and waits until its thread has ended.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.stop();
        if let Some(thread) = self.thread.take() {
            // If the wake-up connection failed, try again until one gets through or the loop
            // has ended anyway; otherwise joining could wait for good on a blocked `accept`.
            while !thread.is_finished() && !self.stop.wake() {
                thread::sleep(RETRY_WAKE);
            }
            // A panic on the server's thread has been printed already; there is nothing to add.
            let _ = thread.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
// ANCHOR_END: running_server

#[cfg(test)]
mod tests {
    use super::StopSignal;
    use std::net::TcpListener;
    use std::thread;
    use std::time::Duration;

    #[test]
    fn stop_wakes_a_blocked_accept() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stop = StopSignal::for_listener(&listener).unwrap();
        let stopper = stop.clone();
        let waiter = thread::spawn(move || {
            let _ = listener.accept(); // blocks until `stop` connects
            stop.is_stopped()
        });
        stopper.stop();
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn wait_ends_early_when_stopped() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stop = StopSignal::for_listener(&listener).unwrap();
        let stopper = stop.clone();
        // An hour's wait that the signal cuts short: the test would hang if it did not.
        let waiter = thread::spawn(move || stop.wait(Duration::from_secs(3600)));
        stopper.stop();
        assert!(waiter.join().unwrap());
        assert!(
            !StopSignal::for_listener(&listener)
                .unwrap()
                .wait(Duration::ZERO)
        );
    }

    #[test]
    fn an_unspecified_address_is_woken_through_loopback() {
        let listener = TcpListener::bind("0.0.0.0:0").unwrap();
        let stop = StopSignal::for_listener(&listener).unwrap();
        assert!(stop.shared.wake.ip().is_loopback());
        assert_eq!(
            stop.shared.wake.port(),
            listener.local_addr().unwrap().port()
        );
    }
}
