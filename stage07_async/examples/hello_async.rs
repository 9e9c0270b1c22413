//! This chapter's server with almost no application: one route, `GET /hello`, and no middleware,
//! on one runtime thread. The benchmark (`cargo run --release -p tests --bin bench -- --peers`)
//! loads it next to hyper's hello server on tokio's current-thread runtime, which is as bare:
//! the two then differ only in how they move bytes, not in what the demo site does per request.
//!
//! `cargo run --release -p stage07_async --example hello_async -- [--addr HOST:PORT]`

use std::process::ExitCode;

#[cfg(unix)]
use stage01_tcp_echo::cli::{Args, usage_error};
#[cfg(unix)]
use stage05_framework::{App, Input};
#[cfg(unix)]
use stage07_async::Server;

const USAGE: &str = "\
hello_async [--addr HOST:PORT]: GET /hello on chapter 7's runtime, one thread, and nothing else.";

#[cfg(not(unix))]
fn main() -> ExitCode {
    let _ = USAGE;
    eprintln!("hello_async: chapter 7's runtime needs a Unix system, and epoll: Linux");
    ExitCode::FAILURE
}

#[cfg(unix)]
fn main() -> ExitCode {
    let Some(mut args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    let addr = match args.addr().and_then(|addr| args.finish().map(|()| addr)) {
        Ok(addr) => addr,
        Err(e) => return usage_error("hello_async", &e),
    };
    let mut app = App::new();
    app.get("/hello", |_: Input| "Hello, World!");
    let server = match Server::bind(addr) {
        Ok(server) => server.with_max_connections(20_000),
        Err(e) => {
            eprintln!("hello_async: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match server.local_addr() {
        Ok(local) => println!("listening on http://{local}"),
        Err(e) => eprintln!("hello_async: {e}"),
    }
    match server.run(app) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hello_async: {e}");
            ExitCode::FAILURE
        }
    }
}
