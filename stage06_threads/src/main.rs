//! `stage06_threads [--addr HOST:PORT] [--workers N] [--queue N] [--data DIR]`: chapter 5's demo
//! site on a pool of threads.

use std::net::SocketAddr;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage05_framework::site::{SiteOptions, demo_app};
use stage06_threads::Server;
use stage06_threads::server::{DEFAULT_QUEUE, DEFAULT_WORKERS};

const USAGE: &str = "\
Chapter 6: chapter 5's demo site, unchanged, on a pool of threads.

Usage:
  stage06_threads [--addr HOST:PORT] [--workers N] [--queue N] [--data DIR]

Each connection is driven by chapter 5's Connection on one of N worker threads, keep-alive on.
When every worker is busy and N more connections are waiting, the next gets 503 with
Retry-After. Ctrl+C or SIGTERM: stop accepting, finish the requests in flight, exit 0.

Options:
  --addr HOST:PORT  where to listen (default 127.0.0.1:7878; port 0 = any free port)
  --workers N       worker threads (default 8)
  --queue N         connections that may wait for a worker (default 64)
  --data DIR        the guestbook's folder (as chapter 5's)
  -h, --help        show this help";

struct Options {
    addr: SocketAddr,
    workers: usize,
    queue: usize,
    site: SiteOptions,
}

fn main() -> ExitCode {
    let Some(args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    match parse(args) {
        Ok(options) => serve(&options),
        Err(e) => usage_error("stage06_threads", &e),
    }
}

fn number(args: &mut Args, name: &str, default: usize) -> Result<usize, CliError> {
    match args.value(name)? {
        None => Ok(default),
        Some(text) => text
            .parse()
            .ok()
            .filter(|n: &usize| *n > 0 || name == "--queue")
            .ok_or_else(|| CliError(format!("{name} wants a number, not {text:?}"))),
    }
}

fn parse(mut args: Args) -> Result<Options, CliError> {
    let addr = args.addr()?;
    let workers = number(&mut args, "--workers", DEFAULT_WORKERS)?;
    let queue = number(&mut args, "--queue", DEFAULT_QUEUE)?;
    let mut site = SiteOptions::default();
    if let Some(folder) = args.value("--data")? {
        site.data = folder.into();
    }
    args.finish()?;
    Ok(Options {
        addr,
        workers,
        queue,
        site,
    })
}

fn serve(options: &Options) -> ExitCode {
    let app = match demo_app(&options.site) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("stage06_threads: cannot open the site's folders: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bound = Server::bind(options.addr).and_then(|s| Ok((s.local_addr()?, s)));
    let (local, server) = match bound {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("stage06_threads: cannot listen on {}: {e}", options.addr);
            return ExitCode::FAILURE;
        }
    };
    #[cfg(unix)]
    if let Err(e) = stage06_threads::signals::stop_on_signals(server.stop_signal()) {
        eprintln!("stage06_threads: Ctrl+C will end the server at once: {e}");
    }
    println!("listening on http://{local}");
    println!(
        "{} workers, {} connections may wait for one; Ctrl+C stops",
        options.workers, options.queue
    );
    server.with_pool(options.workers, options.queue).run(app);
    eprintln!("stopped");
    ExitCode::SUCCESS
}
