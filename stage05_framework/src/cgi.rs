//! CGI: answering a request by running a program, as web servers did before WSGI.
//!
//! The Common Gateway Interface (RFC 3875, 1993) is the oldest server/application split: for each
//! request the server starts a program, tells it about the request in environment variables
//! (`REQUEST_METHOD`, `QUERY_STRING`, …), gives it the body on its standard input, and reads the
//! response from its standard output: a few header lines, a blank line, the body. Any language
//! works, which made it the way the early web ran Perl, shell and C. One process per request is
//! also why it gave way to WSGI and its kind: starting a program costs far more than calling a
//! function.
//!
//! This runner gives a script nothing of the server's own environment but a fixed `PATH`, bounds
//! how long it may run (then kills it and what it started, and waits for it, so no zombie is
//! left) and how much it may print, and turns a script that fails, hangs or prints garbage into
//! `502` or `504` while the server goes on.
//!
//! A script runs in a process group of its own, so that a timeout can end what it started too.
//! The price: the terminal's Ctrl-C, which goes to the server's group, no longer reaches it. A
//! server that stops gracefully (chapters 6 and 7) waits for its scripts, each within its time
//! limit; one that dies at once (this chapter's on Ctrl-C, any on `kill -9`) leaves a script that
//! is running to end by itself. What a script leaves running after it has answered, or starts in
//! a session of its own (`setsid`), is its own: scripts are the site's code, not a client's.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use stage01_tcp_echo::log;
use stage03_parser::{Request, Response, Status, Version};

use crate::connection::after;
use crate::error::{Error, ErrorStyle};

/// The longest a script may run. Default for [`Cgi::new`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The most a script may print, head and body; past it, the answer is a 502.
pub const MAX_OUTPUT: usize = 1024 * 1024;

/// The folder of scripts `/cgi-bin/{script}` runs.
#[derive(Debug, Clone)]
pub struct Cgi {
    folder: PathBuf,
    timeout: Duration,
}

impl Cgi {
    /// Runs the executables in `folder`, each for at most [`DEFAULT_TIMEOUT`].
    pub fn new(folder: impl AsRef<Path>) -> io::Result<Cgi> {
        Ok(Cgi {
            folder: fs::canonicalize(folder)?,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The same runner with another time limit.
    pub fn with_timeout(mut self, timeout: Duration) -> Cgi {
        self.timeout = timeout;
        self
    }

    // ANCHOR: cgi_run
    /// The answer to `request` from the script `name`, with `path_info` the rest of the path
    /// after it (`/cgi-bin/hello.sh/extra` runs `hello.sh` with `PATH_INFO=/extra`).
    pub fn run(&self, request: &Request, name: &str, path_info: &str) -> Response {
        // Worked out only for an error: most requests never need it.
        let style = || ErrorStyle::of(request);
        let Some(script) = self.script(name) else {
            return Error::not_found("no such script").render(style());
        };
        let mut command = Command::new(&script);
        command
            .env_clear()
            .envs(environment(request, name, path_info))
            .current_dir(&self.folder)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        in_a_group_of_its_own(&mut command);
        let spawned = command.spawn();
        let Ok(child) = spawned else {
            log!("cgi: cannot run {}", script.display());
            return Error::new(Status::BAD_GATEWAY, "the script could not be started")
                .render(style());
        };
        match finish(child, &request.body, self.timeout) {
            Outcome::Output(output) => parse(&output).unwrap_or_else(|why| {
                log!("cgi: {name} printed garbage: {why}");
                Error::new(
                    Status::BAD_GATEWAY,
                    "the script's answer is not a CGI response",
                )
                .render(style())
            }),
            Outcome::Failed(why) => {
                log!("cgi: {name} failed: {why}");
                Error::new(Status::BAD_GATEWAY, "the script failed").render(style())
            }
            Outcome::TimedOut => {
                log!("cgi: {name} ran past {:?} and was killed", self.timeout);
                Error::new(Status::GATEWAY_TIMEOUT, "the script took too long").render(style())
            }
        }
    }
    // ANCHOR_END: cgi_run

    /// The script called `name` in the folder: a plain name (no `/`, no leading dot), an
    /// executable file, really inside the folder once links are followed.
    fn script(&self, name: &str) -> Option<PathBuf> {
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\', ':', '\0']) {
            return None;
        }
        let path = fs::canonicalize(self.folder.join(name)).ok()?;
        let metadata = fs::metadata(&path).ok()?;
        (path.starts_with(&self.folder) && metadata.is_file() && is_executable(&metadata))
            .then_some(path)
    }
}

#[cfg(unix)]
fn is_executable(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &fs::Metadata) -> bool {
    true
}

// ANCHOR: cgi_environment
/// RFC 3875 §4.1's variables for `request`, and nothing of the server's own environment but a
/// `PATH` for the script's own commands.
fn environment(request: &Request, name: &str, path_info: &str) -> HashMap<String, String> {
    let (host, port) = match request.host().unwrap_or("localhost").rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (host, port),
        _ => (request.host().unwrap_or("localhost"), "80"),
    };
    let protocol = match request.version {
        Version::Http10 => "HTTP/1.0",
        Version::Http11 => "HTTP/1.1",
    };
    let mut env: HashMap<String, String> = [
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("SERVER_SOFTWARE", "stage05_framework"),
        ("SERVER_PROTOCOL", protocol),
        ("SERVER_NAME", host),
        // The port the client named in `Host`: the application never learns the socket's own.
        ("SERVER_PORT", port),
        ("REQUEST_METHOD", request.method.as_str()),
        ("QUERY_STRING", request.raw_query().unwrap_or_default()),
        ("PATH_INFO", path_info),
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("SCRIPT_NAME".into(), format!("/cgi-bin/{name}"));
    if let Some(peer) = request.peer {
        env.insert("REMOTE_ADDR".into(), peer.ip().to_string());
        env.insert("REMOTE_PORT".into(), peer.port().to_string());
    }
    if !request.body.is_empty() {
        env.insert("CONTENT_LENGTH".into(), request.body.len().to_string());
    }
    if let Some(content_type) = request.header("content-type") {
        env.insert("CONTENT_TYPE".into(), content_type.to_string());
    }
    for (field, value) in request.headers.iter() {
        let key = format!("HTTP_{}", field.to_ascii_uppercase().replace('-', "_"));
        // `Proxy:` would become `HTTP_PROXY`, which many HTTP libraries take as their proxy
        // setting: a client could then route the script's own requests ("httpoxy", 2016). The
        // credentials are the server's business, not the script's (RFC 3875 §4.1.18), a name
        // with `_` could pass itself off as one with `-` (`X_Forwarded_For`), and the
        // connection's own fields describe the connection, not the request.
        let skip = field.contains('_')
            || matches!(
                key.as_str(),
                "HTTP_PROXY"
                    | "HTTP_AUTHORIZATION"
                    | "HTTP_PROXY_AUTHORIZATION"
                    | "HTTP_CONTENT_TYPE"
                    | "HTTP_CONTENT_LENGTH"
                    | "HTTP_CONNECTION"
                    | "HTTP_TRANSFER_ENCODING"
            );
        if let (false, Ok(value)) = (skip, value.to_str()) {
            env.entry(key)
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(value);
                })
                .or_insert_with(|| value.to_string());
        }
    }
    env
}
// ANCHOR_END: cgi_environment

/// How a script ended.
enum Outcome {
    Output(Vec<u8>),
    Failed(String),
    TimedOut,
}

/// Gives the script its body, takes its output, and waits for it to end, within `timeout`.
fn finish(mut child: Child, body: &[u8], timeout: Duration) -> Outcome {
    let deadline = after(Instant::now(), timeout);
    let mut stdin = child.stdin.take();
    let body = body.to_vec();
    // On other threads, so that a script that prints before it reads cannot deadlock us.
    thread::spawn(move || {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(&body);
        }
    });
    let mut stdout = child.stdout.take();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(stdout) = stdout.as_mut() {
            let _ = stdout.take(MAX_OUTPUT as u64 + 1).read_to_end(&mut out);
        }
        let _ = tx.send(out);
    });
    if let Some(mut stderr) = child.stderr.take() {
        // What a script says on its error output goes to the server's, like any log line.
        thread::spawn(move || io::copy(&mut stderr, &mut io::stderr()));
    }
    let Ok(output) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) else {
        // Its output has not ended in time: the script still runs, or it has ended and a
        // process it started still holds the output open. Either way the whole group goes, and
        // before the script is reaped: until then its number, the group's, is no one else's.
        kill_group(&mut child);
        return match child.wait() {
            // It had exited by itself (with a code, not by the signal): the output was the
            // problem, not the time.
            Ok(status) if status.code().is_some() => Outcome::Failed(
                "its output stayed open after it exited (a process it started?)".into(),
            ),
            _ => Outcome::TimedOut,
        };
    };
    // The output has ended; the script may still be running (it closed its output early).
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            _ => break None,
        }
    };
    let Some(status) = status else {
        kill_group(&mut child); // not reaped yet, as above
        let _ = child.wait(); // reaped: no zombie is left behind
        return Outcome::TimedOut;
    };
    if output.len() > MAX_OUTPUT {
        Outcome::Failed(format!("more than {MAX_OUTPUT} bytes"))
    } else if !status.success() {
        Outcome::Failed(format!("it exited with {status}"))
    } else {
        Outcome::Output(output)
    }
}

/// Starts the script as the leader of a process group of its own: whatever it starts joins the
/// group, so [`kill_group`] can end them all, and the threads reading its output are not left
/// waiting for a background process that still holds the pipe.
#[cfg(unix)]
fn in_a_group_of_its_own(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn in_a_group_of_its_own(_: &mut Command) {}

// ANCHOR: kill_group
/// Ends the script and every process in its group. `std` can signal one process only
/// ([`Child::kill`]), so the group is signalled by the shell's `kill` (POSIX: a negative number
/// names a process group); the script itself is killed directly too, in case that failed.
#[cfg(unix)]
fn kill_group(child: &mut Child) {
    // The group's number is the script's process id (`process_group(0)`), never 0 or 1 here.
    let group = format!("-{}", child.id());
    let _ = Command::new("sh")
        .args(["-c", "kill -s KILL -- \"$1\"", "sh", &group])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
}
// ANCHOR_END: kill_group

#[cfg(not(unix))]
fn kill_group(child: &mut Child) {
    let _ = child.kill();
}

// ANCHOR: cgi_parse
/// A script's output as a response: header lines (`Content-Type`, `Status`, `Location` and any
/// others), a blank line, then the body (RFC 3875 §6).
fn parse(output: &[u8]) -> Result<Response, String> {
    let (head, body) = split_head(output).ok_or("no blank line after the headers")?;
    let head = std::str::from_utf8(head).map_err(|_| "headers that are not text")?;
    let mut response = Response::new(Status::OK);
    let (mut typed, mut located) = (false, false);
    for line in head.lines().map(|l| l.trim_end_matches('\r')) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("a header line without a colon: {line:?}"))?;
        let value = value.trim();
        let name = name.trim();
        match name.to_ascii_lowercase().as_str() {
            "status" => {
                let code: Option<u16> = value.split(' ').next().and_then(|c| c.parse().ok());
                let status = code
                    .filter(|c| (200..600).contains(c))
                    .and_then(Status::from_code)
                    .ok_or("a Status that is not a final status from 200 to 599")?;
                response.set_status(status);
            }
            // The server frames the body itself.
            "content-length" | "transfer-encoding" | "connection" => {}
            "content-type" => {
                typed = true;
                response.set_header("Content-Type", value);
            }
            "location" => {
                located = true;
                if response.status() == Status::OK {
                    response.set_status(Status::FOUND);
                }
                response.set_header("Location", value);
            }
            // As the script spelled it: `X-Powered-By`, not `x-powered-by`.
            _ => response.append_header(name, value),
        }
    }
    if !typed && !located {
        return Err("neither Content-Type nor Location".into());
    }
    if let Some(error) = response.refused_header() {
        return Err(error.to_string());
    }
    let content_type = response
        .headers()
        .get("Content-Type")
        .cloned()
        .unwrap_or_else(|| "text/plain; charset=utf-8".into());
    Ok(response.with_body(body.to_vec(), content_type))
}
// ANCHOR_END: cgi_parse

/// The head and the body, split at the first blank line (`\n\n` or `\r\n\r\n`).
fn split_head(output: &[u8]) -> Option<(&[u8], &[u8])> {
    let lf = output
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|at| (at, at + 2));
    let crlf = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, at + 4));
    let (end, body) = match (lf, crlf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some((&output[..end], &output[body..]))
}
