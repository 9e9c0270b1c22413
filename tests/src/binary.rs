//! Starting a stage's real binary the way a reader does, and finding out where it listens.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
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
    stdout: Option<BufReader<ChildStdout>>,
}

impl RunningBinary {
    /// Runs `program args...` and waits for its first line, `listening on [http://]ADDR`.
    pub fn start(program: &str, args: &[&str]) -> RunningBinary {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (tx, rx) = mpsc::channel();
        // Read the line on another thread so a binary that never prints cannot hang the test.
        thread::spawn(move || {
            let mut line = String::new();
            let result = stdout.read_line(&mut line).map(|_| (line, stdout));
            let _ = tx.send(result);
        });
        let (first_line, stdout) = match rx.recv_timeout(STARTUP_GUARD) {
            Ok(Ok((line, stdout))) if !line.is_empty() => (line, stdout),
            other => {
                let _ = child.kill();
                let mut stderr = String::new();
                if let Some(mut err) = child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                panic!("{program} printed no first line ({other:?}); stderr: {stderr}");
            }
        };
        let first_line = first_line.trim_end().to_string();
        let addr = address_in(&first_line)
            .unwrap_or_else(|| panic!("no address in first line {first_line:?}"));
        // Nothing reads stderr from here on: a chatty server could fill the pipe and block, so
        // drain it in the background.
        if let Some(mut err) = child.stderr.take() {
            thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        }
        RunningBinary {
            child,
            addr,
            first_line,
            stdout: Some(stdout),
        }
    }

    /// The rest of standard output so far, as lines, read until `until` returns true for one.
    pub fn read_stdout_until(&mut self, until: impl Fn(&str) -> bool) -> Vec<String> {
        let mut lines = Vec::new();
        let Some(stdout) = self.stdout.as_mut() else {
            return lines;
        };
        for line in stdout.lines() {
            let Ok(line) = line else { break };
            let done = until(&line);
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    }
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
