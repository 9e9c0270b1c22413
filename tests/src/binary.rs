//! Starting a stage's real binary the way a reader does, and finding out where it listens.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long a binary may take to print its first line. Only a guard against a hung test; no test
/// passes or fails on how fast a binary starts.
const STARTUP_GUARD: Duration = Duration::from_secs(60);

/// A server binary running in the background; it is killed when this is dropped.
pub struct RunningBinary {
    child: Child,
    /// The address from the binary's first line of output.
    pub addr: SocketAddr,
    /// The first line itself, exactly as printed.
    pub first_line: String,
    /// The lines it prints after the first, read on a thread of their own as they come, so that
    /// a chatty binary never blocks on a full pipe and a test waiting for a line can give up.
    stdout: mpsc::Receiver<std::io::Result<String>>,
    /// The command line, for messages: the program's file name and its arguments.
    command: String,
}

impl RunningBinary {
    /// Runs `program args...` and waits for its first line, `listening on [http://]ADDR`.
    ///
    /// Panics (failing the test) if the binary exits, or prints nothing for [`STARTUP_GUARD`],
    /// before that line, saying what it printed on standard error: usually why it stopped (an
    /// argument it does not know yet, an address it cannot bind).
    #[track_caller]
    pub fn start(program: &str, args: &[&str]) -> RunningBinary {
        let command = command_line(program, args);
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        let pipe = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (tx, stdout) = mpsc::channel();
        // Read on another thread so a binary that never prints cannot hang the test. The first
        // item is the first line (or why there is none); then every line, until the output ends.
        thread::spawn(move || {
            for line in pipe.lines() {
                let failed = line.is_err();
                if tx.send(line).is_err() || failed {
                    return;
                }
            }
        });
        let first = stdout.recv_timeout(STARTUP_GUARD);
        let first_line = match first {
            Ok(Ok(line)) => line,
            other => {
                let _ = child.kill();
                let status = child.wait();
                let mut stderr = String::new();
                if let Some(mut err) = child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                let what = match (other, status) {
                    (Err(mpsc::RecvTimeoutError::Timeout), _) => format!(
                        "printed nothing within {} s and was stopped",
                        STARTUP_GUARD.as_secs()
                    ),
                    (Ok(Err(e)), _) => format!("gave output that could not be read ({e})"),
                    // The output ended: it exited, or closed its standard output (and was then
                    // stopped here, so it has no exit code of its own).
                    (_, Ok(status)) if status.code().is_some() => format!("exited ({status})"),
                    _ => "closed its standard output".to_string(),
                };
                let stderr = match stderr.trim_end() {
                    "" => "It printed nothing on standard error.".to_string(),
                    text => format!("On standard error it said:\n{text}"),
                };
                panic!(
                    "`{command}` {what} before printing the address it listens on \
                     (`listening on ADDR`). {stderr}"
                );
            }
        };
        let first_line = first_line.trim_end().to_string();
        let Some(addr) = address_in(&first_line) else {
            panic!(
                "`{command}` printed {first_line:?} first, where a line `listening on ADDR` was \
                 expected"
            )
        };
        // Nothing reads stderr from here on: a chatty server could fill the pipe and block, so
        // drain it in the background.
        if let Some(mut err) = child.stderr.take() {
            thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        }
        RunningBinary {
            child,
            addr,
            first_line,
            stdout,
            command,
        }
    }

    /// The rest of standard output so far, as lines, read until `until` returns true for one, or
    /// until the output ends. Panics (failing the test) if no such line has come within
    /// [`STARTUP_GUARD`] and the binary is still running, saying what it did print.
    #[track_caller]
    pub fn read_stdout_until(&mut self, until: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + STARTUP_GUARD;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(Ok(line)) => {
                    let done = until(&line);
                    lines.push(line);
                    if done {
                        return lines;
                    }
                }
                // The output ended, or cannot be read any more: that is all it printed.
                Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Disconnected) => return lines,
                Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                    "`{}` has not printed the line this test waits for within {} s, and is \
                     still running; after its first line it printed {lines:?}",
                    self.command,
                    STARTUP_GUARD.as_secs()
                ),
            }
        }
    }
}

/// `program args...` as a person would type it, with the program's file name only.
fn command_line(program: &str, args: &[&str]) -> String {
    let name = Path::new(program)
        .file_name()
        .map_or(program.into(), |name| name.to_string_lossy());
    std::iter::once(name.as_ref())
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

impl RunningBinary {
    /// The process id, to send the binary a signal (`kill -TERM <id>`).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the binary to exit by itself, and its status. Panics (failing the test) if it
    /// has not exited within a minute: a guard against a hung test, never a measurement.
    pub fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + STARTUP_GUARD;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                other => panic!("the binary did not exit: {other:?}"),
            }
        }
    }
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The socket address in a line like `listening on http://127.0.0.1:41234`.
pub fn address_in(line: &str) -> Option<SocketAddr> {
    let word = line.split_whitespace().last()?;
    let word = word.strip_prefix("http://").unwrap_or(word);
    word.trim_end_matches('/').parse().ok()
}

/// How long a binary run by [`run`] may take to finish. Only a guard against a hung test.
const RUN_GUARD: Duration = Duration::from_secs(60);

/// Runs a binary to completion with the given standard input and returns what it did.
///
/// A binary that has not finished after [`RUN_GUARD`] is killed and the test fails saying so,
/// with what it printed so far, rather than hanging: a client waiting for bytes that will never
/// come is a common bug.
pub fn run(program: &str, args: &[&str], stdin: &[u8]) -> Output {
    run_within(RUN_GUARD, program, args, stdin)
}

fn run_within(guard: Duration, program: &str, args: &[&str], stdin: &[u8]) -> Output {
    let deadline = Instant::now() + guard;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let mut input = child.stdin.take().expect("stdin is piped");
    let stdin = stdin.to_vec();
    thread::spawn(move || {
        use std::io::Write;
        let _ = input.write_all(&stdin);
    });
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = mpsc::channel();
    // The pipes reach their end when the binary exits (or closes them); read them on other
    // threads so that this one can give up at the deadline.
    thread::spawn(move || {
        let errors = thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes);
            bytes
        });
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        let _ = tx.send((out, errors.join().unwrap_or_default()));
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let mut received = rx.recv_timeout(left).ok();
    if let Some((stdout, stderr)) = received.take() {
        // Almost always it has exited already; a binary that closed its pipes and went on
        // running is polled until the deadline.
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    return Output {
                        status,
                        stdout,
                        stderr,
                    };
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                _ => break,
            }
        }
        received = Some((stdout, stderr));
    }
    let _ = child.kill();
    let _ = child.wait();
    // Killing it closed its pipes: what it printed before is the best clue to what it awaited.
    let printed = received
        .or_else(|| rx.recv_timeout(Duration::from_secs(1)).ok())
        .map(|(out, err)| {
            format!(
                "stdout {:?}, stderr {:?}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&err)
            )
        })
        .unwrap_or_else(|| "nothing that could be read".to_string());
    panic!(
        "`{program} {}` had not finished after {} s and was stopped: it is waiting for \
         something that never comes. It printed: {printed}",
        args.join(" "),
        guard.as_secs()
    );
}

#[cfg(test)]
mod tests {
    use super::address_in;

    /// A program that closes its output and goes on running is still stopped at the guard, and
    /// one that hangs is reported with what it printed.
    #[cfg(unix)]
    #[test]
    fn the_guard_stops_a_program_that_does_not_finish() {
        use std::panic::catch_unwind;
        use std::time::Duration;
        let guard = Duration::from_secs(1);
        let closed = catch_unwind(|| {
            super::run_within(guard, "sh", &["-c", "exec >&- 2>&-; exec sleep 30"], b"")
        });
        assert!(
            closed.is_err(),
            "a program that closed its pipes was not stopped"
        );
        let hung = catch_unwind(|| {
            super::run_within(guard, "sh", &["-c", "echo partial; exec sleep 30"], b"")
        })
        .expect_err("a hung program was not stopped");
        let message = hung.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains("partial"), "{message}");
        let done = super::run_within(guard, "sh", &["-c", "echo done"], b"");
        assert_eq!(done.stdout, b"done\n");
    }

    /// A binary that stops before it listens is reported with why it stopped, in its words.
    #[cfg(unix)]
    #[test]
    fn a_binary_that_exits_before_listening_says_why() {
        let stopped = std::panic::catch_unwind(|| {
            super::RunningBinary::start("sh", &["-c", "echo 'sh: no --upper here' >&2; exit 2"])
        })
        .err()
        .expect("a binary that prints no address fails the test");
        let message = stopped
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            message,
            "`sh -c echo 'sh: no --upper here' >&2; exit 2` exited (exit status: 2) before \
             printing the address it listens on (`listening on ADDR`). On standard error it \
             said:\nsh: no --upper here"
        );
    }

    #[test]
    fn finds_the_address_in_a_listening_line() {
        let cases = [
            (
                "listening on http://127.0.0.1:41234",
                Some("127.0.0.1:41234"),
            ),
            ("listening on 127.0.0.1:7", Some("127.0.0.1:7")),
            ("listening on http://[::1]:80/", Some("[::1]:80")),
            ("hello", None),
        ];
        for (line, want) in cases {
            assert_eq!(address_in(line), want.map(|a| a.parse().unwrap()), "{line}");
        }
    }
}
