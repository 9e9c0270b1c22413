//! `--run`: start the student's server on a free port, wait until it accepts connections, and
//! stop it, and everything it started, when the checks are done.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How much of the server's output is kept, to show if it fails to start.
const TAIL: usize = 4 * 1024;

/// A server the checker started; stopped when this is dropped.
pub struct Launched {
    child: Child,
    pub addr: SocketAddr,
    output: Arc<Mutex<Vec<u8>>>,
}

/// A port nobody listens on right now: bound, read, and let go for the server to take. Another
/// program could take it in between; then the server fails to start and says so.
fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

/// Starts `command` (with `{port}` replaced) under `sh -c` and waits until its port accepts a
/// connection. Fails, with the end of what the server printed, if it exits first or does not
/// accept within `startup`.
pub fn launch(command: &str, startup: Duration) -> Result<Launched, String> {
    let port = free_port()?;
    let command = command.replace("{port}", &port.to_string());
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut shell = Command::new("sh");
    shell
        .args(["-c", &command])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so that stopping it stops what it started too (`cargo run`'s
    // child, or the python that `sh` started).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut shell, 0);
    let mut child = shell
        .spawn()
        .map_err(|e| format!("cannot start `sh -c {command:?}`: {e}"))?;
    let output = Arc::new(Mutex::new(Vec::new()));
    // Drained for as long as the server runs: a full pipe would block a chatty server.
    for pipe in [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let output = Arc::clone(&output);
        thread::spawn(move || keep_tail(pipe, &output));
    }
    let mut launched = Launched {
        child,
        addr,
        output,
    };
    launched.wait_until_accepting(&command, startup)?;
    Ok(launched)
}

fn keep_tail(mut pipe: Box<dyn Read + Send>, output: &Mutex<Vec<u8>>) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut chunk) {
        if n == 0 {
            return;
        }
        let Ok(mut kept) = output.lock() else { return };
        kept.extend_from_slice(&chunk[..n]);
        let excess = kept.len().saturating_sub(TAIL);
        kept.drain(..excess);
    }
}

impl Launched {
    /// Polls the port until it accepts. Each failed attempt is a refused connection, which
    /// comes back at once; the pause between attempts keeps this from spinning.
    fn wait_until_accepting(&mut self, command: &str, startup: Duration) -> Result<(), String> {
        let deadline = Instant::now() + startup;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the server exited ({status}) before it accepted a connection on port {}.\n\
                     The command was: {command}\n{}",
                    self.addr.port(),
                    self.output_tail()
                ));
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the server did not accept connections on {} within {} s. Does it listen \
                     on the port it is given (or does it need longer to start: --startup)? \
                     The command was: {command}\n{}",
                    self.addr,
                    startup.as_secs_f32(),
                    self.output_tail()
                ));
            }
            thread::sleep(Duration::from_millis(25));
        }
    }

    /// The end of what the server printed, to say why it did not start.
    fn output_tail(&self) -> String {
        let kept = self.output.lock().map(|k| k.clone()).unwrap_or_default();
        if kept.is_empty() {
            return "It printed nothing.".into();
        }
        format!(
            "The end of what it printed:\n{}",
            String::from_utf8_lossy(&kept).trim_end()
        )
    }

    /// Stops the whole process group: politely, then, if it has not gone within a second, not.
    fn stop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            signal_group("-TERM", &group);
            let deadline = Instant::now() + Duration::from_secs(1);
            while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
                thread::sleep(Duration::from_millis(10));
            }
            // The shell may be gone while what it started is not.
            signal_group("-KILL", &group);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kill -SIGNAL -GROUP`: std has no way to signal a process group without `unsafe`.
#[cfg(unix)]
fn signal_group(signal: &str, group: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

impl Drop for Launched {
    fn drop(&mut self) {
        self.stop();
    }
}
