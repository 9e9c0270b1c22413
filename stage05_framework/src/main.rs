//! `stage05_framework [--addr HOST:PORT]`: the demo site, written with chapter 5's framework and
//! served through its connection state machine, one connection at a time.

use std::net::SocketAddr;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage05_framework::Server;
use stage05_framework::site::{DEMO_PASSWORD, SiteOptions, demo_app};

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
  --addr HOST:PORT      where to listen (default 127.0.0.1:7878; port 0 = any free port)
  --data DIR            the guestbook's folder (default: stage05-guestbook in the system's
                        temporary directory)
  --admin-password P    the password of the user admin, for /admin and deleting guestbook
                        messages (default: the environment variable ADMIN_PASSWORD, which
                        other users cannot see in `ps` as they can an argument; else
                        \"admin\", with a warning)
  --block IP,IP...      addresses answered 403 for everything
  --rate-limit N        requests per minute per address (default 600)
  -h, --help            show this help";

fn main() -> ExitCode {
    let Some(args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    match parse(args) {
        Ok((addr, options)) => serve(addr, &options),
        Err(e) => usage_error("stage05_framework", &e),
    }
}

fn parse(mut args: Args) -> Result<(SocketAddr, SiteOptions), CliError> {
    let addr = args.addr()?;
    let mut options = SiteOptions::default();
    let from_env = match std::env::var("ADMIN_PASSWORD") {
        Ok(password) => Some(password),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(CliError("ADMIN_PASSWORD is not UTF-8 text".into()));
        }
    };
    if let Some(password) = args.value("--admin-password")?.or(from_env) {
        if password.is_empty() {
            return Err(CliError(
                "an empty admin password would let anyone in; give one, or none for the demo's"
                    .into(),
            ));
        }
        options.admin_password = password;
    }
    if let Some(list) = args.value("--block")? {
        options.blocked = list
            .split(',')
            .map(|ip| ip.trim().parse())
            .collect::<Result<_, _>>()
            .map_err(|_| CliError(format!("--block wants IP addresses, not {list:?}")))?;
    }
    if let Some(folder) = args.value("--data")? {
        options.data = folder.into();
    }
    if let Some(limit) = args.value("--rate-limit")? {
        options.rate_limit = limit.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            CliError(format!(
                "--rate-limit wants requests per minute, 1 or more, not {limit:?}"
            ))
        })?;
    }
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
    eprintln!("guestbook: {}", options.data.display());
    if options.admin_password == DEMO_PASSWORD {
        eprintln!(
            "warning: /admin uses the demo password {DEMO_PASSWORD:?}; set --admin-password or \
             ADMIN_PASSWORD before anyone else can reach this server"
        );
    }
    println!("routes:");
    for route in app.routes() {
        let method = route.method.as_ref().map_or("ANY", |m| m.as_str());
        println!("  {method:<7} {}", route.pattern);
    }
    server.run(app);
    ExitCode::SUCCESS
}
