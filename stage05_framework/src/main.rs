//! `stage05_framework [--addr HOST:PORT]`: the demo site, written with chapter 5's framework and
//! served through its connection state machine, one connection at a time.

use std::net::SocketAddr;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage05_framework::Server;
use stage05_framework::site::{SiteOptions, demo_app};
use stage05_framework::site_cli::{SITE_OPTIONS_USAGE, parse_site_options, report_site};

/// `--help`, up to the site's options, which [`SITE_OPTIONS_USAGE`] adds.
const USAGE: &str = "\
Chapter 5: the demo site, written with the framework, served through a sans-IO connection.

Usage:
  stage05_framework [--addr HOST:PORT] [--data DIR] [--admin-password P] [--block IP,IP...]
                    [--rate-limit N]

The site: GET / (a page linking to everything), /hello and /hello/{name}, POST /echo, any
method on /debug/request (chapter 3's mirror), /guestbook (a form) and /api/messages (JSON),
/static/... (files), /cgi-bin/hello.sh (CGI), /admin, /sleep/{ms} and /panic. Underneath,
every connection is one Connection, a state machine that parses, answers pipelined requests in
order, sends 100 Continue, keeps deadlines and decides when to close. This server serves one
connection at a time, so it closes each after its response.

Middleware around every route: an access log on standard error, a blocklist (403), a rate limit
per address (429 with Retry-After) and a password on /admin (401 until the user admin gives it).

Options:
  -h, --help            show this help
  --addr HOST:PORT      where to listen (default 127.0.0.1:7878; port 0 = any free port)
";

fn main() -> ExitCode {
    let Some(args) = Args::from_env_unless_help(&format!("{USAGE}{SITE_OPTIONS_USAGE}")) else {
        return ExitCode::SUCCESS;
    };
    match parse(args) {
        Ok((addr, options)) => serve(addr, &options),
        Err(e) => usage_error("stage05_framework", &e),
    }
}

fn parse(mut args: Args) -> Result<(SocketAddr, SiteOptions), CliError> {
    let addr = args.addr()?;
    let options = parse_site_options(&mut args)?;
    args.finish()?;
    Ok((addr, options))
}

fn serve(addr: SocketAddr, options: &SiteOptions) -> ExitCode {
    let app = match demo_app(options) {
        Ok(app) => app,
        Err(e) => {
            let folder = options.data.display();
            eprintln!(
                "stage05_framework: cannot open the site's folders (the guestbook in {folder}, \
                 static/ and cgi-bin/): {e}"
            );
            return ExitCode::FAILURE;
        }
    };
    let bound = Server::bind(addr).and_then(|server| Ok((server.local_addr()?, server)));
    let (local, server) = match bound {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("stage05_framework: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{local}");
    report_site(options, &app);
    server.run(app);
    ExitCode::SUCCESS
}
