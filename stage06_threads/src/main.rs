//! `stage06_threads [--addr HOST:PORT] [--workers N] [--queue N] [--data DIR]`: chapter 5's demo
//! site on a pool of threads; `stage06_threads chat [--addr HOST:PORT]`: a chat room over TCP.

use std::net::SocketAddr;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage01_tcp_echo::stop::StopSignal;
use stage05_framework::site::{SiteOptions, demo_app};
use stage06_threads::Server;
use stage06_threads::chat::Chat;
use stage06_threads::server::{DEFAULT_QUEUE, DEFAULT_WORKERS};

const USAGE: &str = "\
Chapter 6: chapter 5's demo site, unchanged, on a pool of threads.

Usage:
  stage06_threads [--addr HOST:PORT] [--workers N] [--queue N] [--data DIR]
  stage06_threads chat [--addr HOST:PORT]

Each connection is driven by chapter 5's Connection on one of N worker threads, keep-alive on.
When every worker is busy and N more connections are waiting, the next gets 503 with
Retry-After. Ctrl+C or SIGTERM: stop accepting, finish the requests in flight, exit 0.

`chat` runs a chat room instead: connect with `nc HOST PORT`; every line you send reaches
everyone else; /nick NAME renames you, /quit leaves.

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

/// What the binary was asked to run.
enum Run {
    Site(Options),
    Chat(SocketAddr),
}

fn main() -> ExitCode {
    let Some(args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    match parse(args) {
        Ok(Run::Site(options)) => serve(&options),
        Ok(Run::Chat(addr)) => chat(addr),
        Err(e) => usage_error("stage06_threads", &e),
    }
}

/// The number `text` says, at least `least`, or `default` when the option was not given.
fn count(
    name: &str,
    text: Option<String>,
    default: usize,
    least: usize,
) -> Result<usize, CliError> {
    let Some(text) = text else {
        return Ok(default);
    };
    text.parse()
        .ok()
        .filter(|n: &usize| *n >= least)
        .ok_or_else(|| CliError(format!("{name} wants a number from {least}, not {text:?}")))
}

fn parse(mut args: Args) -> Result<Run, CliError> {
    // Every option is read before the command: a positional is whatever is left over.
    let addr = args.addr()?;
    let workers = args.value("--workers")?;
    let queue = args.value("--queue")?;
    let data = args.value("--data")?;
    let run = match args.positional().as_deref() {
        Some("chat") if workers.is_some() || queue.is_some() || data.is_some() => {
            return Err(CliError("chat takes no option but --addr".into()));
        }
        Some("chat") => Run::Chat(addr),
        Some(other) => return Err(CliError(format!("unknown command {other:?}"))),
        None => {
            let mut site = SiteOptions::default();
            if let Some(folder) = data {
                site.data = folder.into();
            }
            Run::Site(Options {
                addr,
                workers: count("--workers", workers, DEFAULT_WORKERS, 1)?,
                queue: count("--queue", queue, DEFAULT_QUEUE, 0)?,
                site,
            })
        }
    };
    args.finish()?;
    Ok(run)
}

/// Stops `stop` on Ctrl+C and SIGTERM, where the system has signals.
fn stop_on_signals(stop: StopSignal) {
    #[cfg(unix)]
    if let Err(e) = stage06_threads::signals::stop_on_signals(stop) {
        eprintln!("stage06_threads: Ctrl+C will end the server at once: {e}");
    }
    #[cfg(not(unix))]
    drop(stop);
}

fn chat(addr: SocketAddr) -> ExitCode {
    let bound = Chat::bind(addr).and_then(|c| Ok((c.local_addr()?, c)));
    let (local, chat) = match bound {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("stage06_threads: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    stop_on_signals(chat.stop_signal());
    println!("listening on {local}");
    println!("a chat room: nc {} {}", local.ip(), local.port());
    chat.run();
    eprintln!("stopped");
    ExitCode::SUCCESS
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
    stop_on_signals(server.stop_signal());
    println!("listening on http://{local}");
    println!(
        "{} workers, {} connections may wait for one; Ctrl+C stops",
        options.workers, options.queue
    );
    server.with_pool(options.workers, options.queue).run(app);
    eprintln!("stopped");
    ExitCode::SUCCESS
}
