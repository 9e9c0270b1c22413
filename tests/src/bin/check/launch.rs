//! `--run`: start the student's server on a free port, wait until it accepts connections, tell
//! the runner when it has exited, and stop it, and everything it started, when the checks are
//! done, or when the checker itself is stopped (Ctrl-C).

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How much of the server's output is kept, to show if it fails to start or exits.
const TAIL: usize = 4 * 1024;

/// The shell that runs the student's command (`$1`). It is started in a process group of its
/// own, so that one signal to the group reaches everything the command started (`cargo run`'s
/// child, the python that a shell line started). That group is out of the terminal's reach: a
/// Ctrl-C reaches the checker only. So the wrapper watches its stdin, a pipe whose only writer
/// is the checker: when the checker goes, however it goes, the pipe reads as ended, and the
/// watcher stops the group itself (TERM, a second's grace, KILL). This is std-only and needs no
/// `unsafe`: the alternative, the server in the checker's own group where the terminal's SIGINT
/// reaches it, leaves no way to stop the command's grandchildren by group, and std cannot find
/// them one by one. The wrapper exits with the command's status when the command exits, so that
/// the checker can tell a server that crashed.
///
/// The watcher sets its trap only once the pipe has ended: until then a TERM to the group (the
/// checker's own stop) ends it with the rest.
const WRAPPER: &str = r#"exec 3<&0
sh -c "$1" </dev/null 3<&- &
server=$!
(
  while read -r _; do :; done
  trap '' TERM
  kill -TERM 0 2>/dev/null
  sleep 1
  kill -KILL 0 2>/dev/null
) <&3 >/dev/null 2>&1 &
watcher=$!
exec 3<&-
wait "$server"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
"#;

/// How long the port may take to accept, when asked whether the server is still there.
const EXIT_PROBE: Duration = Duration::from_millis(500);

/// A server the checker started; stopped when this is dropped.
pub struct Launched {
    child: Child,
    /// The wrapper's stdin, never written: closing it (the checker gone) stops the server.
    _lifeline: Option<ChildStdin>,
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
/// connection, on 127.0.0.1 or on [::1]. Fails, with the end of what the server printed, if it
/// exits first or does not accept within `startup`.
pub fn launch(command: &str, startup: Duration) -> Result<Launched, String> {
    let port = free_port()?;
    let command = command.replace("{port}", &port.to_string());
    let mut shell = Command::new("sh");
    shell
        .args(["-c", WRAPPER, "sh", &command])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
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
    let lifeline = child.stdin.take();
    let mut launched = Launched {
        child,
        _lifeline: lifeline,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        output,
    };
    launched.wait_until_accepting(&command, port, startup)?;
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

/// An exit status as a student reads it: `exit status 3`, or the signal a shell's 128 + N means.
fn described(status: ExitStatus) -> String {
    match status.code() {
        Some(code) if code > 128 => format!("exit status {code}: killed by signal {}", code - 128),
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

impl Launched {
    /// Polls the port until it accepts. Each failed attempt is a refused connection, which
    /// comes back at once; the pause between attempts keeps this from spinning. The probe
    /// connects and closes without sending anything, as a browser's spare connection does: a
    /// server must survive that.
    fn wait_until_accepting(
        &mut self,
        command: &str,
        port: u16,
        startup: Duration,
    ) -> Result<(), String> {
        let candidates = [
            SocketAddr::from(([127, 0, 0, 1], port)),
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)),
        ];
        let deadline = Instant::now() + startup;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the server exited ({}) before it accepted a connection on port {port}.\n\
                     The command was: {command}\n{}",
                    described(status),
                    self.output_tail()
                ));
            }
            for addr in candidates {
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    self.addr = addr;
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the server did not accept connections on port {port} (127.0.0.1 or [::1]) \
                     within {} s. Does it listen on the port it is given (or does it need longer \
                     to start: --startup)? The command was: {command}\n{}",
                    startup.as_secs_f32(),
                    self.output_tail()
                ));
            }
            thread::sleep(Duration::from_millis(25));
        }
    }

    /// If the server has exited: how (`the server exited (exit status 1)`), and the end of what
    /// it printed. Asked after a check failed, which may be the moment the server died: its
    /// port still accepting means it is alive; refusing means it is going, and its exit is then
    /// waited for (a second at most: a server may close its listener and live on).
    pub fn exited(&mut self) -> Option<(String, String)> {
        let mut status = self.child.try_wait().ok()?;
        if status.is_none() && TcpStream::connect_timeout(&self.addr, EXIT_PROBE).is_err() {
            let deadline = Instant::now() + Duration::from_secs(1);
            while status.is_none() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
                status = self.child.try_wait().ok()?;
            }
        }
        let status = status?;
        Some((
            format!("the server exited ({})", described(status)),
            self.output_tail(),
        ))
    }

    /// The end of what the server printed, to say why it did not start or why it exited.
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

    /// Stops the whole process group: SIGTERM, then, polling, up to a second for every process
    /// in it to be gone, then SIGKILL for what is left.
    fn stop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            signal_group("-TERM", &group);
            let deadline = Instant::now() + Duration::from_secs(1);
            while Instant::now() < deadline {
                // Reaped first: the wrapper, a zombie until waited for, would count as there.
                let _ = self.child.try_wait();
                if !signal_group("-0", &group) {
                    break;
                }
                thread::sleep(Duration::from_millis(10));
            }
            // The shell may be gone while what it started is not.
            signal_group("-KILL", &group);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kill -SIGNAL -GROUP`: std has no way to signal a process group without `unsafe`. Whether
/// the signal reached anyone: `-0` asks whether the group still has a process in it.
#[cfg(unix)]
fn signal_group(signal: &str, group: &str) -> bool {
    Command::new("kill")
        .args([signal, "--", group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

impl Drop for Launched {
    fn drop(&mut self) {
        self.stop();
    }
}
