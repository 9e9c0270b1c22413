//! The chapter checker: grades a server, in any language, against a chapter of BOOK.md, over
//! the network only. `cargo run -q -p tests --bin check -- --help` says how; the README's "For
//! teachers" says how to grade a class with it.
//!
//! It is a binary of the `tests` crate, and so, like the rest of that crate's library half, uses
//! std alone: reqwest is only a dev-dependency, and a checker that depended on an HTTP library
//! would see the bytes through that library's forgiving eyes. Every exchange is written and read
//! by hand, with a deadline on every step.
#![forbid(unsafe_code)]

mod args;
mod chapters;
mod check;
mod http;
mod json;
mod launch;
mod outcome;
mod report;
mod response;
mod runner;
mod show;
mod wire;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

use args::{Options, Parsed, Server};
use check::{Check, Target};
use outcome::Failure;
use runner::Verdict;

/// `println!` that does not panic when the reader has gone (`check ... | head`): the report is
/// cut short, and the exit code still says how the checks went.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    match args::parse(std::env::args().skip(1)) {
        Ok(Parsed::Help) => {
            say!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Parsed::List(chapter, json)) => list(chapter, json),
        Ok(Parsed::Grade(options)) => grade(&options),
        Err(problem) => {
            eprintln!("check: {problem}\n(check --help says how)");
            ExitCode::from(2)
        }
    }
}

fn list(chapter: u8, json: bool) -> ExitCode {
    let checks = chapters::for_chapter(chapter);
    if json {
        say!("{}", report::json_list(chapter, &checks));
        return ExitCode::SUCCESS;
    }
    for check in checks {
        let origin = if check.is_back_in(chapter) {
            format!(
                "back: from chapter {}, left out of chapter {}, back in chapter {chapter}",
                check.introduced(),
                chapter - 1
            )
        } else if check.is_new_in(chapter) {
            "new".to_string()
        } else {
            format!("ch{}", check.introduced())
        };
        let hostile = if check.hostile { " [hostile]" } else { "" };
        say!("{origin:<4}{hostile} {}\n       {}", check.name, check.hint);
    }
    ExitCode::SUCCESS
}

/// The first of `addrs` that accepts a connection, or why none did.
fn reachable(addrs: &[SocketAddr], timeout: std::time::Duration) -> Result<SocketAddr, String> {
    let mut errors = Vec::new();
    for addr in addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(_) => return Ok(*addr),
            Err(e) => errors.push(format!("{addr}: {e}")),
        }
    }
    Err(format!(
        "nothing accepted connections at --addr ({}). Is the server running, and listening \
         on that address and port?",
        errors.join("; ")
    ))
}

fn grade(options: &Options) -> ExitCode {
    let checks = chapters::for_chapter(options.chapter);
    // Kept alive until the checks are done; dropping it stops the server.
    let mut launched = None;
    let addr = match &options.server {
        Server::At(addrs) => match reachable(addrs, options.timeout) {
            Ok(addr) => addr,
            Err(problem) => return not_started(options, &checks, &problem),
        },
        Server::Run(command) => match launch::launch(command, options.startup) {
            Ok(server) => launched.insert(server).addr,
            Err(problem) => return not_started(options, &checks, &problem),
        },
    };
    let target = Target {
        addr,
        timeout: options.timeout,
    };
    if !options.json {
        let hostile = checks.iter().filter(|c| c.hostile).count();
        let left_out = if options.hostile {
            ""
        } else {
            ", skipped: --no-hostile"
        };
        say!(
            "chapter {} at {addr}: {} checks, {hostile} of them [hostile]{left_out}",
            options.chapter,
            checks.len()
        );
    }
    let exited = || launched.as_mut().and_then(launch::Launched::exited);
    let mut seen = report::Seen::default();
    let results = runner::run_all(&checks, target, options.hostile, exited, |result| {
        if !options.json {
            say!("{}", seen.text(options.chapter, result));
        }
    });
    if options.json {
        say!(
            "{}",
            report::json(options.chapter, &addr.to_string(), &results, None)
        );
    } else {
        say!("{}", report::summary(&results));
    }
    let (_, failed) = report::counts(&results);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The server would not start: no check can pass, and the report says why.
fn not_started(options: &Options, checks: &[&'static Check], problem: &str) -> ExitCode {
    let results: Vec<runner::Graded> = checks
        .iter()
        .map(|&check| runner::Graded {
            check,
            verdict: if check.hostile && !options.hostile {
                Verdict::Skipped
            } else {
                Verdict::Failed(Failure::new(
                    "not run: the server did not start, or nothing accepted connections",
                ))
            },
        })
        .collect();
    if options.json {
        let json = report::json(options.chapter, "", &results, Some(problem));
        say!("{json}");
    } else {
        say!("check: {problem}");
        say!("{}", report::summary(&results));
    }
    ExitCode::from(2)
}
