//! The accept loop: the one every blocking server in this repository runs, from the echo server
//! of this chapter to the parsing and routing servers of chapters 3 and 4.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use crate::log;
use crate::stop::StopSignal;

/// How long the loop waits after an accept error that is not one client's fault (the process is
/// out of file descriptors, say) before it tries again. Retrying at once would spin a core and
/// flood the log while nothing can change; hyper and axum wait one second too.
pub const ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Where connections come from: a [`TcpListener`], or in tests a listener that fails on purpose.
pub trait Listener {
    /// Waits for the next connection.
    fn accept(&self) -> io::Result<(TcpStream, SocketAddr)>;
}

impl Listener for TcpListener {
    fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        TcpListener::accept(self)
    }
}

// ANCHOR: accept_loop
/// Accepts clients one after another and hands each to `serve`, until `stop` is signalled. The
/// connection in progress when it is signalled is served to its end; then the loop returns.
/// A client that misbehaves is logged and dropped; it never stops the loop.
pub fn serve_one_at_a_time<E: fmt::Display>(
    listener: &impl Listener,
    stop: &StopSignal,
    mut serve: impl FnMut(TcpStream, SocketAddr) -> Result<(), E>,
) {
    while !stop.is_stopped() {
        match listener.accept() {
            // The connection that woke us up to stop (or one that raced it) is not served.
            Ok(_) if stop.is_stopped() => return,
            Ok((stream, peer)) => {
                if let Err(e) = serve(stream, peer) {
                    log!("{peer}: {e}");
                }
            }
            // The client gave up between the kernel's handshake and our accept: its problem.
            Err(e) if is_one_clients_problem(&e) => log!("accept failed: {e}"),
            // Out of file descriptors or memory: the next accept would fail the same way, so wait
            // (or stop, if asked to while waiting) and then go on serving.
            Err(e) => {
                log!("accept failed: {e}; trying again in {ACCEPT_BACKOFF:?}");
                stop.wait(ACCEPT_BACKOFF);
            }
        }
    }
}
// ANCHOR_END: accept_loop

/// Errors that end one connection before we got it, and say nothing about the next one. Linux's
/// `accept` also passes on a network error already pending on the new connection (its man page
/// lists them and says to retry), so those count as one client's too.
pub fn is_one_clients_problem(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::HostUnreachable
    )
}

#[cfg(test)]
mod tests {
    use super::{Listener, is_one_clients_problem, serve_one_at_a_time};
    use crate::stop::StopSignal;
    use std::cell::Cell;
    use std::io::{self, Read, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::thread;

    /// A listener that fails `failures` times the way a process out of file descriptors does
    /// (EMFILE), then hands out real connections.
    struct OutOfDescriptors {
        real: TcpListener,
        failures: Cell<u32>,
    }

    impl Listener for OutOfDescriptors {
        fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
            match self.failures.get() {
                0 => self.real.accept(),
                left => {
                    self.failures.set(left - 1);
                    Err(io::Error::from_raw_os_error(24)) // EMFILE: "Too many open files"
                }
            }
        }
    }

    #[test]
    fn the_loop_survives_running_out_of_file_descriptors() {
        let real = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = real.local_addr().unwrap();
        let stop = StopSignal::for_listener(&real).unwrap();
        let listener = OutOfDescriptors {
            real,
            failures: Cell::new(2),
        };
        let client = thread::spawn(move || {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.write_all(b"x").unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        });
        let stopper = stop.clone();
        let mut served = 0;
        serve_one_at_a_time(&listener, &stop, |mut stream, _| {
            served += 1;
            stopper.stop(); // one client is enough to show the loop went on
            // Read what the client sent: closing with it unread would reset the connection.
            stream.read_exact(&mut [0u8; 1])?;
            stream.write_all(b"served after two failed accepts")
        });
        assert_eq!(served, 1);
        assert_eq!(listener.failures.get(), 0, "both failures were met");
        assert_eq!(client.join().unwrap(), "served after two failed accepts");
    }

    #[test]
    fn which_errors_are_one_clients_problem() {
        let cases = [
            (io::Error::from(io::ErrorKind::ConnectionAborted), true),
            (io::Error::from(io::ErrorKind::Interrupted), true),
            // A network error pending on the new connection (Linux: ENETDOWN, EHOSTUNREACH).
            (io::Error::from(io::ErrorKind::NetworkDown), true),
            (io::Error::from(io::ErrorKind::HostUnreachable), true),
            (io::Error::from_raw_os_error(24), false), // EMFILE
            (io::Error::from_raw_os_error(23), false), // ENFILE: the whole system is out
            (io::Error::from(io::ErrorKind::OutOfMemory), false),
        ];
        for (error, one_client) in cases {
            assert_eq!(is_one_clients_problem(&error), one_client, "{error}");
        }
    }
}
