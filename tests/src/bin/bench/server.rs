//! The servers the benchmark loads: what to start ([`Subject`]) and one running ([`Server`]).

use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tests::binary::address_in;

use crate::procfs::with_fd_limit;

/// Chapter 6's own defaults, passed explicitly so that the labels say what ran.
pub const WORKERS: usize = 8;
pub const QUEUE: usize = 64;
/// How long a server may take to print its address: a guard, never a measurement.
const STARTUP_GUARD: Duration = Duration::from_secs(30);

/// One server to start: a name for the tables, its binary, its arguments.
pub struct Subject {
    pub name: String,
    pub binary: PathBuf,
    pub args: Vec<String>,
    /// The file descriptor limit it needs at least, where it holds many connections.
    pub fd_limit: Option<usize>,
}

impl Subject {
    /// A server run with no arguments but those given.
    pub fn plain(name: &str, binary: &Path, args: &[&str]) -> Subject {
        Subject {
            name: name.into(),
            binary: binary.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            fd_limit: None,
        }
    }

    /// The same server, with its file descriptor limit raised to at least `at_least`.
    pub fn with_fd_limit(mut self, at_least: usize) -> Subject {
        self.fd_limit = Some(at_least);
        self
    }
}

/// The demo site's arguments shared by chapters 5, 6 and 7: the guestbook in `data`, and the
/// rate limit out of the way (every request comes from 127.0.0.1).
fn site_args(data: &Path) -> Vec<String> {
    let mut args = vec!["--data".into(), data.to_string_lossy().into_owned()];
    args.extend(["--rate-limit".into(), u32::MAX.to_string()]);
    args
}

/// Chapter 5's server.
pub fn chapter_5(binary: &Path, data: &Path) -> Subject {
    Subject {
        name: "stage05".into(),
        binary: binary.into(),
        args: site_args(data),
        fd_limit: None,
    }
}

/// Chapter 6's server with `workers` workers and its default queue.
pub fn chapter_6(binary: &Path, data: &Path, workers: usize) -> Subject {
    let mut args = site_args(data);
    args.extend(["--workers".into(), workers.to_string()]);
    args.extend(["--queue".into(), QUEUE.to_string()]);
    Subject {
        name: format!("stage06, {workers} workers"),
        binary: binary.into(),
        args,
        fd_limit: None,
    }
}

/// Chapter 7's server with `--threads threads` (a number, or `auto`: one per core) and
/// `--max-connections max_connections`.
pub fn chapter_7(binary: &Path, data: &Path, threads: &str, max_connections: usize) -> Subject {
    let mut args = site_args(data);
    args.extend(["--threads".into(), threads.into()]);
    args.extend(["--max-connections".into(), max_connections.to_string()]);
    let name = match threads {
        "1" => "stage07, 1 thread".into(),
        "auto" => "stage07, --threads auto".into(),
        n => format!("stage07, {n} threads"),
    };
    Subject {
        name,
        binary: binary.into(),
        args,
        fd_limit: None,
    }
}

/// A server started for some rows, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `subject` and reads the address from its first line, waiting at most
    /// [`STARTUP_GUARD`] for it.
    pub fn start(subject: &Subject) -> Result<Server, String> {
        let cannot = |e: &dyn std::fmt::Display| format!("cannot start {}: {e}", subject.name);
        let mut command = match subject.fd_limit {
            Some(limit) => with_fd_limit(&subject.binary, limit),
            None => Command::new(&subject.binary),
        };
        let mut child = command
            .args(&subject.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null()) // the access log: a line per request
            .spawn()
            .map_err(|e| cannot(&e))?;
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut first = String::new();
            let read = stdout.read_line(&mut first).map(|_| first);
            let _ = tx.send(read);
            // It may print more after the address: read on, or it would write into a closed
            // pipe.
            io::copy(&mut stdout, &mut io::sink())
        });
        let first = rx.recv_timeout(STARTUP_GUARD);
        let addr = first
            .as_ref()
            .ok()
            .and_then(|read| read.as_ref().ok())
            .and_then(|line| address_in(line.trim()));
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(cannot(&format!(
                "no address in its first line within {} s ({first:?})",
                STARTUP_GUARD.as_secs()
            )));
        };
        Ok(Server { child, addr })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
