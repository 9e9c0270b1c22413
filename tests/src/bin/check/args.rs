//! The command line: which chapter, which server, and how to report.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

pub const USAGE: &str = "\
Grades a student's server, in any language, against a chapter of BOOK.md, over the network.

Usage:
  cargo run -q -p tests --bin check -- --chapter N --addr HOST:PORT [options]
  cargo run -q -p tests --bin check -- --chapter N --run \"COMMAND {port}\" [options]
  cargo run -q -p tests --bin check -- --chapter N --list

It runs chapter N's checks, and the checks of earlier chapters that chapter N keeps, against a
server already listening at --addr, or one it starts itself with --run: COMMAND is run with
`sh -c` once {port} is replaced by a free port, waited for until it accepts connections, and
stopped (with its whole process group) after the checks, or when the checker is stopped.
To tell when it accepts, the checker connects and closes without sending anything, so a
server must survive a connection that sends nothing (in Python, `recv` then returns b\"\"
and `request.split()[1]` raises: check for the empty request first). If the server exits
during the run, the check it exited in says so, with the end of what it printed, and the
checks after it are not run (each counted failed).

Each check prints one line when it passes. A failure shows what was sent, what was expected,
what came back (\\r and \\n written out, a ^ under the first wrong byte) and the section of
BOOK.md that explains it. The last line is `N passed, M failed`; the exit code is 0 only when
every check passed (1 when one failed, 2 for a command line, a server that would not start,
or nothing accepting connections at --addr).

Options:
  --chapter N        the chapter to grade, 1 to 7
  --addr HOST:PORT   the server to check, already running
  --run COMMAND      start the server with this command; it must contain {port}
  --timeout SECS     how long the server may take over any one step (default 5)
  --startup SECS     with --run, how long the server may take to accept connections
                     (default 10; more if the command compiles first, as `cargo run` does)
  --no-hostile       leave out the checks marked [hostile]: smuggling, size limits, slow or
                     misbehaving clients (for a first assignment)
  --json             print the results as JSON instead, for a grading script
  --list             list the chapter's checks without running them (with --json, as JSON;
                     not with --addr or --run)
  -h, --help         show this help

Examples:
  cargo run -q -p tests --bin check -- --chapter 2 --run \"python3 server.py --port {port}\"
  cargo run -q -p tests --bin check -- --chapter 4 --addr 127.0.0.1:7878 --no-hostile";

/// Where the server under test is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server {
    /// Already running at one of these addresses (all that HOST:PORT resolves to).
    At(Vec<SocketAddr>),
    /// Started by the checker with this command, `{port}` still in it.
    Run(String),
}

/// How to grade: which chapter, which server, and how to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub chapter: u8,
    pub server: Server,
    pub timeout: Duration,
    /// With `--run`, how long the server may take to start accepting connections.
    pub startup: Duration,
    pub hostile: bool,
    pub json: bool,
}

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Grade(Options),
    /// `--list`: the chapter's checks, without a server; as JSON if the `bool` says so.
    List(u8, bool),
    Help,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut args = args.into_iter();
    let (mut chapter, mut addr, mut run, mut list) = (None, None, None, false);
    let (mut timeout, mut startup) = (Duration::from_secs(5), Duration::from_secs(10));
    let (mut hostile, mut json) = (true, false);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--chapter" => chapter = Some(parse_chapter(&value("--chapter")?)?),
            "--addr" => addr = Some(parse_addr(&value("--addr")?)?),
            "--run" => run = Some(value("--run")?),
            "--timeout" => timeout = parse_seconds("--timeout", &value("--timeout")?)?,
            "--startup" => startup = parse_seconds("--startup", &value("--startup")?)?,
            "--no-hostile" => hostile = false,
            "--json" => json = true,
            "--list" => list = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let chapter = chapter.ok_or("say which chapter: --chapter N")?;
    if list && (addr.is_some() || run.is_some()) {
        return Err("--list runs no check: give it without --addr or --run".into());
    }
    let server = match (addr, run) {
        (Some(_), Some(_)) => return Err("give --addr or --run, not both".into()),
        (Some(addr), None) => Server::At(addr),
        (None, Some(command)) if !command.contains("{port}") => {
            return Err(format!(
                "the --run command must say where to listen with {{port}}: {command:?}"
            ));
        }
        (None, Some(command)) => Server::Run(command),
        (None, None) if list => return Ok(Parsed::List(chapter, json)),
        (None, None) => return Err("say which server: --addr HOST:PORT or --run COMMAND".into()),
    };
    Ok(Parsed::Grade(Options {
        chapter,
        server,
        timeout,
        startup,
        hostile,
        json,
    }))
}

fn parse_chapter(text: &str) -> Result<u8, String> {
    match text.parse() {
        Ok(n) if crate::chapters::CHAPTERS.contains(&n) => Ok(n),
        _ => Err(format!("--chapter is 1 to 7, not {text:?}")),
    }
}

fn parse_addr(text: &str) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| format!("--addr {text:?}: {e} (give HOST:PORT, like 127.0.0.1:7878)"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("--addr {text:?} names no address"));
    }
    Ok(addrs)
}

fn parse_seconds(name: &str, text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 600.0 => Ok(Duration::from_secs_f64(secs)),
        _ => Err(format!(
            "{name} is seconds, more than 0 and at most 600, not {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::{Parsed, Server, parse};

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn reads_a_chapter_and_a_server() {
        let Ok(Parsed::Grade(options)) = parse(args("--chapter 3 --addr 127.0.0.1:9 --json"))
        else {
            panic!("not parsed");
        };
        assert_eq!(options.chapter, 3);
        assert_eq!(
            options.server,
            Server::At(vec!["127.0.0.1:9".parse().unwrap()])
        );
        assert!(options.json && options.hostile);
        let run = vec![
            "--chapter".into(),
            "2".into(),
            "--run".into(),
            "x {port}".into(),
        ];
        let Ok(Parsed::Grade(options)) = parse(run) else {
            panic!("not parsed");
        };
        assert_eq!(options.server, Server::Run("x {port}".into()));
        assert_eq!(
            parse(args("--chapter 4 --list")),
            Ok(Parsed::List(4, false))
        );
        assert_eq!(
            parse(args("--chapter 4 --list --json")),
            Ok(Parsed::List(4, true))
        );
    }

    #[test]
    fn says_what_is_wrong() {
        for (line, said) in [
            ("--addr 127.0.0.1:9", "--chapter N"),
            ("--chapter 9 --addr 127.0.0.1:9", "1 to 7"),
            ("--chapter 2", "--addr HOST:PORT or --run"),
            ("--chapter 2 --run server.py", "{port}"),
            ("--chapter 2 --addr 127.0.0.1:9 --timeout 0", "--timeout"),
            ("--chapter 2 --addr 127.0.0.1:9 --startup 601", "--startup"),
            ("--chapter 2 --frobnicate", "unknown argument"),
            (
                "--chapter 2 --list --addr 127.0.0.1:9",
                "--list runs no check",
            ),
        ] {
            let error = parse(args(line)).expect_err(line);
            assert!(error.contains(said), "{line}: {error}");
        }
        assert_eq!(parse(args("--chapter 2 --help")), Ok(Parsed::Help));
    }
}
