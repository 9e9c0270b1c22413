//! The pool and chapter 5's connection with almost no application: one route, `GET /hello`, and
//! no middleware. The benchmark (`cargo run --release -p tests --bin bench -- --peers`) loads it
//! next to tiny_http's hello server, which is as bare: the two then differ only in how they move
//! bytes, not in what the demo site does per request (its access log, its rate limit).
//!
//! `cargo run --release -p stage06_threads --example hello_pool -- [--addr HOST:PORT]
//! [--workers N]`

use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, usage_error};
use stage05_framework::{App, Input};
use stage06_threads::Server;
use stage06_threads::server::{DEFAULT_QUEUE, DEFAULT_WORKERS};

const USAGE: &str = "\
hello_pool [--addr HOST:PORT] [--workers N]: GET /hello on chapter 6's pool, and nothing else.";

fn main() -> ExitCode {
    let Some(mut args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    let parsed = args.addr().and_then(|addr| {
        let workers = match args.value("--workers")? {
            Some(n) => n.parse().ok().filter(|n: &usize| *n > 0).ok_or_else(|| {
                stage01_tcp_echo::cli::CliError(format!("--workers wants 1 or more, not {n:?}"))
            })?,
            None => DEFAULT_WORKERS,
        };
        Ok((addr, workers))
    });
    let (addr, workers) = match parsed.and_then(|parsed| args.finish().map(|()| parsed)) {
        Ok(parsed) => parsed,
        Err(e) => return usage_error("hello_pool", &e),
    };
    let mut app = App::new();
    app.get("/hello", |_: Input| "Hello, World!");
    let server = match Server::bind(addr) {
        Ok(server) => server.with_pool(workers, DEFAULT_QUEUE),
        Err(e) => {
            eprintln!("hello_pool: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match server.local_addr() {
        Ok(local) => println!("listening on http://{local}"),
        Err(e) => eprintln!("hello_pool: {e}"),
    }
    match server.run(app) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hello_pool: cannot start the workers: {e}");
            ExitCode::FAILURE
        }
    }
}
