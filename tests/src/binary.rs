//! Starting a stage's real binary the way a reader does, and finding out where it listens.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

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
/// rather than hanging: a client waiting for bytes that will never come is a common bug.
pub fn run(program: &str, args: &[&str], stdin: &[u8]) -> Output {
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
    // The pipes reach their end when the binary exits; read them on other threads so that this
    // one can give up after the guard.
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
    match rx.recv_timeout(RUN_GUARD) {
        Ok((stdout, stderr)) => Output {
            status: child.wait().expect("wait for the binary"),
            stdout,
            stderr,
        },
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`{program} {}` had not finished after {} s and was stopped: it is waiting for \
                 something that never comes (a body after a HEAD? the end of a response that \
                 has none?)",
                args.join(" "),
                RUN_GUARD.as_secs()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::address_in;

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
