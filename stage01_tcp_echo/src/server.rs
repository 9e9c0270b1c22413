//! The echo server: bind, listen, accept, then copy every byte back until the client closes.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::accept::serve_one_at_a_time;
use crate::log;
use crate::stop::{RunningServer, StopSignal};
use crate::timeout::is_timeout;

/// How long a connected client may stay silent before the server hangs up. Without a limit one
/// forgotten `nc` session would hold this one-client-at-a-time server forever.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A listening echo server.
///
/// # Examples
///
/// ```no_run
/// let server = stage01_tcp_echo::server::EchoServer::bind("127.0.0.1:0")?;
/// println!("listening on {}", server.local_addr());
/// server.run(); // until its stop signal is given: for a binary, forever
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct EchoServer {
    listener: TcpListener,
    stop: StopSignal,
    idle_timeout: Duration,
}

impl EchoServer {
    /// Binds and starts listening. Port 0 lets the operating system choose a free port.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<EchoServer> {
        let listener = TcpListener::bind(addr)?;
        Ok(EchoServer {
            stop: StopSignal::for_listener(&listener)?,
            listener,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        })
    }

    /// Changes how long a silent client is kept.
    pub fn with_idle_timeout(mut self, timeout: Duration) -> EchoServer {
        self.idle_timeout = timeout;
        self
    }

    /// The address actually bound: with port 0, this is where to find the server.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has a local address")
    }

    /// The signal that makes [`EchoServer::run`] return.
    pub fn stop_signal(&self) -> StopSignal {
        self.stop.clone()
    }

    /// Runs the server on a thread of its own; see [`RunningServer`].
    pub fn spawn(self) -> RunningServer {
        let (addr, stop) = (self.local_addr(), self.stop_signal());
        RunningServer::spawn(addr, stop, move || self.run())
    }

    // ANCHOR: echo_run
    /// Echoes clients one after another, logging each one's arrival and departure, until the
    /// stop signal is given.
    pub fn run(self) {
        serve_one_at_a_time(
            &self.listener,
            &self.stop,
            |stream, peer| -> Result<(), String> {
                log!("{peer} connected");
                let bytes = self
                    .serve_client(stream)
                    .map_err(|e| match is_timeout(&e) {
                        true => "idle too long; hung up".to_string(),
                        false => format!("dropped: {e}"),
                    })?;
                log!("{peer} closed the connection after {bytes} bytes");
                Ok(())
            },
        )
    }
    // ANCHOR_END: echo_run

    /// Echoes one client until it closes; returns how many bytes went round.
    ///
    /// A client that stays silent, or that stops reading its echo, for the idle timeout is hung
    /// up on: the read or the write fails with a timeout error.
    pub fn serve_client(&self, stream: TcpStream) -> io::Result<u64> {
        stream.set_read_timeout(Some(self.idle_timeout))?;
        stream.set_write_timeout(Some(self.idle_timeout))?;
        echo(stream)
    }
}

// ANCHOR: echo
/// Copies everything `stream` sends back to it, until it closes its side.
pub fn echo(mut stream: TcpStream) -> io::Result<u64> {
    let mut buffer = [0u8; 4096];
    let mut total = 0;
    loop {
        // `read` returns as soon as *some* bytes are there: 1 byte or 4096, never "a message".
        let n = match stream.read(&mut buffer) {
            Ok(0) => return Ok(total), // 0 means the client closed its side: end of stream.
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        // `write` may take only part of the buffer; `write_all` loops until all of it is sent.
        stream.write_all(&buffer[..n])?;
        total += n as u64;
    }
}
// ANCHOR_END: echo
