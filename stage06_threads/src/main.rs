//! `stage06_threads [--addr HOST:PORT] [--workers N] [--queue N] [site options]`: chapter 5's
//! demo site on a pool of threads; `stage06_threads chat [--addr HOST:PORT]`: a chat room over TCP.

use std::net::SocketAddr;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage01_tcp_echo::stop::StopSignal;
use stage05_framework::site::{SiteOptions, demo_app};
use stage05_framework::site_cli::{SITE_OPTIONS_USAGE, parse_site_options, report_site};
use stage06_threads::Server;
use stage06_threads::chat::Chat;
use stage06_threads::server::{DEFAULT_QUEUE, DEFAULT_WORKERS};

/// `--help`, up to the site's options, which [`SITE_OPTIONS_USAGE`] adds (chapter 5's).
const USAGE: &str = "\
Chapter 6: chapter 5's demo site, unchanged, on a pool of threads.

Usage:
  stage06_threads [--addr HOST:PORT] [--workers N] [--queue N] [--data DIR]
                  [--admin-password P] [--block IP,IP...] [--rate-limit N]
  stage06_threads chat [--addr HOST:PORT]

Each connection is driven by chapter 5's Connection on one of N worker threads, keep-alive on.
When every worker is busy and N more connections are waiting, the next gets 503 with
Retry-After. Ctrl+C or SIGTERM: stop accepting, finish the requests in flight, exit 0.

`chat` runs a chat room instead: connect with `nc HOST PORT`; every line you send reaches
everyone else; /nick NAME renames you, /quit leaves.

Options:
  -h, --help            show this help
  --addr HOST:PORT      where to listen (default 127.0.0.1:7878; port 0 = any free port)
  --workers N           worker threads (default 8)
  --queue N             connections that may wait for a worker (default 64)
";

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
    let Some(args) = Args::from_env_unless_help(&format!("{USAGE}{SITE_OPTIONS_USAGE}")) else {
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
    let addr = args.addr()?;
    let site_only = [
        "--workers",
        "--queue",
        "--data",
        "--admin-password",
        "--block",
        "--rate-limit",
    ];
    let given = site_only.into_iter().find(|name| args.has(name));
    // Every option is read before the command: a positional is whatever is left over.
    let workers = args.value("--workers")?;
    let queue = args.value("--queue")?;
    let site = parse_site_options(&mut args)?;
    let run = match args.positional().as_deref() {
        Some("chat") => match given {
            Some(name) => return Err(CliError(format!("chat takes no {name}, only --addr"))),
            None => Run::Chat(addr),
        },
        Some(other) => return Err(CliError(format!("unknown command {other:?}"))),
        None => Run::Site(Options {
            addr,
            workers: count("--workers", workers, DEFAULT_WORKERS, 1)?,
            queue: count("--queue", queue, DEFAULT_QUEUE, 1)?,
            site,
        }),
    };
    args.finish()?;
    Ok(run)
}

/// Stops `stop` on Ctrl+C and SIGTERM, where the crate knows how to ask for them.
fn stop_on_signals(stop: StopSignal) {
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd"
    ))]
    if let Err(e) = stage06_threads::signals::stop_on_signals(stop) {
        eprintln!("stage06_threads: Ctrl+C will end the server at once: {e}");
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd"
    )))]
    {
        drop(stop);
        eprintln!("stage06_threads: on this system Ctrl+C ends the server at once");
    }
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
            let folder = options.site.data.display();
            eprintln!(
                "stage06_threads: cannot open the site's folders (the guestbook in {folder}, \
                 static/ and cgi-bin/): {e}"
            );
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
    let workers = match options.workers {
        1 => "1 worker".to_string(),
        n => format!("{n} workers"),
    };
    println!(
        "{workers}, {} connections may wait for one; Ctrl+C stops",
        options.queue
    );
    report_site(&options.site, &app);
    if let Err(e) = server.with_pool(options.workers, options.queue).run(app) {
        eprintln!(
            "stage06_threads: cannot start {} workers: {e}",
            options.workers
        );
        return ExitCode::FAILURE;
    }
    eprintln!("stopped");
    ExitCode::SUCCESS
}
