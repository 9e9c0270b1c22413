//! `stage07_async [--addr HOST:PORT] [--threads N|auto] [--max-connections N] [site options]`:
//! chapter 5's demo site on this chapter's async runtime.

use std::net::SocketAddr;
use std::process::ExitCode;

/// `--help`, up to the site's options, which `SITE_OPTIONS_USAGE` adds (chapter 5's).
const USAGE: &str = "\
Chapter 7: chapter 5's demo site, on an async runtime built from scratch.

Usage:
  stage07_async [--addr HOST:PORT] [--threads N|auto] [--max-connections N] [--data DIR]
                [--admin-password P] [--block IP,IP...] [--rate-limit N]

Each connection is a task driving chapter 5's Connection, keep-alive on; one thread serves
thousands of them, waiting on epoll. /sleep/{ms} is async: it holds no thread while it waits.
Past --max-connections open connections, the next gets 503. Ctrl+C or SIGTERM: stop accepting,
finish the requests in flight (async ones for at most 10 s), exit 0; a second Ctrl+C quits at
once.

Options:
  -h, --help            show this help
  --addr HOST:PORT      where to listen (default 127.0.0.1:7878; port 0 = any free port)
  --threads N|auto      runtimes, one thread each (default 1; auto: one per core)
  --max-connections N   connections open at once (default 10000)
";

#[cfg(target_os = "linux")]
fn main() -> ExitCode {
    use stage01_tcp_echo::cli::{Args, usage_error};
    use stage05_framework::site_cli::SITE_OPTIONS_USAGE;

    let Some(args) = Args::from_env_unless_help(&format!("{USAGE}{SITE_OPTIONS_USAGE}")) else {
        return ExitCode::SUCCESS;
    };
    match linux::parse(args) {
        Ok(options) => linux::serve(&options),
        Err(e) => usage_error("stage07_async", &e),
    }
}

#[cfg(not(target_os = "linux"))]
fn main() -> ExitCode {
    let _ = USAGE;
    eprintln!(
        "stage07_async: this chapter's reactor uses epoll, which only Linux has; \
         a poll(2) or kqueue backend in stage07_async/src/sys.rs is what is missing"
    );
    ExitCode::FAILURE
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;
    use stage01_tcp_echo::cli::{Args, CliError};
    use stage05_framework::site::SiteOptions;
    use stage05_framework::site_cli::{parse_site_options, report_site};
    use stage07_async::Server;
    use stage07_async::server::DEFAULT_MAX_CONNECTIONS;
    use stage07_async::site::demo_app;

    pub struct Options {
        addr: SocketAddr,
        threads: usize,
        max_connections: usize,
        site: SiteOptions,
    }

    pub fn parse(mut args: Args) -> Result<Options, CliError> {
        let addr = args.addr()?;
        let threads = match args.value("--threads")?.as_deref() {
            None => 1,
            Some("auto") => std::thread::available_parallelism().map_or(1, |n| n.get()),
            Some(text) => at_least_one("--threads", text)?,
        };
        let max_connections = match args.value("--max-connections")? {
            None => DEFAULT_MAX_CONNECTIONS,
            Some(text) => at_least_one("--max-connections", &text)?,
        };
        let site = parse_site_options(&mut args)?;
        args.finish()?;
        Ok(Options {
            addr,
            threads,
            max_connections,
            site,
        })
    }

    fn at_least_one(name: &str, text: &str) -> Result<usize, CliError> {
        text.parse()
            .ok()
            .filter(|n: &usize| *n >= 1)
            .ok_or_else(|| CliError(format!("{name} wants a number from 1, not {text:?}")))
    }

    pub fn serve(options: &Options) -> ExitCode {
        let app = match demo_app(&options.site) {
            Ok(app) => app,
            Err(e) => {
                let folder = options.site.data.display();
                eprintln!(
                    "stage07_async: cannot open the site's folders (the guestbook in {folder}, \
                     static/ and cgi-bin/): {e}"
                );
                return ExitCode::FAILURE;
            }
        };
        let bound = Server::bind(options.addr).and_then(|s| Ok((s.local_addr()?, s)));
        let (local, mut server) = match bound {
            Ok(bound) => bound,
            Err(e) => {
                eprintln!("stage07_async: cannot listen on {}: {e}", options.addr);
                return ExitCode::FAILURE;
            }
        };
        match stage06_threads::signals::Signals::install() {
            Ok(signals) => server = server.stop_on(signals),
            Err(e) => eprintln!("stage07_async: Ctrl+C will end the server at once: {e}"),
        }
        let server = server
            .with_threads(options.threads)
            .with_max_connections(options.max_connections);
        println!("listening on http://{local}");
        let threads = match options.threads {
            1 => "1 thread".to_string(),
            n => format!("{n} threads"),
        };
        let held = server.max_connections();
        let connections = match held {
            1 => "1 connection".to_string(),
            n => format!("{n} connections"),
        };
        println!("{threads}, at most {connections}; Ctrl+C stops");
        if held < options.max_connections {
            let files = stage07_async::open_files::open_file_limit().unwrap_or(0);
            println!(
                "(not {}: this process may open {files} files; `ulimit -n` raises that)",
                options.max_connections
            );
        }
        report_site(&options.site, &app);
        if let Err(e) = server.run(app) {
            eprintln!("stage07_async: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!("stopped");
        ExitCode::SUCCESS
    }
}
