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
mod launch;
mod outcome;
mod report;
mod response;
mod runner;
mod show;
mod wire;

use std::io::Write;
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
        Ok(Parsed::List(chapter)) => list(chapter),
        Ok(Parsed::Grade(options)) => grade(&options),
        Err(problem) => {
            eprintln!("check: {problem}\n(check --help says how)");
            ExitCode::from(2)
        }
    }
}

fn list(chapter: u8) -> ExitCode {
    for check in chapters::for_chapter(chapter) {
        let origin = if check.is_new_in(chapter) {
            "new".to_string()
        } else {
            format!("ch{}", check.introduced())
        };
        let hostile = if check.hostile { " [hostile]" } else { "" };
        say!("{origin:<4}{hostile} {}\n       {}", check.name, check.hint);
    }
    ExitCode::SUCCESS
}

fn grade(options: &Options) -> ExitCode {
    let checks = chapters::for_chapter(options.chapter);
    // Kept alive until the checks are done; dropping it stops the server.
    let launched;
    let addr = match &options.server {
        Server::At(addr) => *addr,
        Server::Run(command) => match launch::launch(command, options.startup) {
            Ok(server) => {
                launched = server;
                launched.addr
            }
            Err(problem) => return not_started(options, &checks, &problem),
        },
    };
    let target = Target {
        addr,
        timeout: options.timeout,
    };
    if !options.json {
        let hostile = checks.iter().filter(|c| c.hostile).count();
        say!(
            "chapter {} at {addr}: {} checks, {hostile} of them [hostile]",
            options.chapter,
            checks.len()
        );
    }
    let results = runner::run_all(&checks, target, options.hostile, |result| {
        if !options.json {
            say!("{}", report::text(result));
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
                Verdict::Failed(Failure::new("the server did not start"))
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
