//! `stage02_raw_http server [--addr A] [--pitfall P]` and `stage02_raw_http client URL [--data BODY]`.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage02_raw_http::answer::Pitfall;
use stage02_raw_http::client::{self, Response};
use stage02_raw_http::server::Server;

const USAGE: &str = "\
Chapter 2: HTTP by hand.

Usage:
  stage02_raw_http server [--addr HOST:PORT] [--pitfall no-content-length|bare-lf]
  stage02_raw_http client URL [--data BODY]

The server prints every request it receives with \\r and \\n made visible, and answers each one
with `Hello, World!`. --pitfall makes it send a broken response on purpose, to see what clients
do with it: no-content-length (no Content-Length, connection left open) or bare-lf (\\n, not \\r\\n).

The client fetches an http:// URL with a request written by hand (a POST with --data) and prints
the status line, the headers and the body separately.

Options:
  --addr HOST:PORT  where to listen (default 127.0.0.1:7878; port 0 = any free port)
  --pitfall P       answer with a deliberate mistake (see above)
  --data BODY       send BODY in a POST instead of a GET
  -h, --help        show this help";

enum Command {
    Server(SocketAddr, Option<Pitfall>),
    Client(String, Option<String>),
}

fn main() -> ExitCode {
    let Some(args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    match parse(args) {
        Ok(Command::Server(addr, pitfall)) => serve(addr, pitfall),
        Ok(Command::Client(url, data)) => fetch(&url, data),
        Err(e) => usage_error("stage02_raw_http", &e),
    }
}

fn parse(mut args: Args) -> Result<Command, CliError> {
    let command = match args.positional().as_deref() {
        Some("server") => {
            let addr = args.addr()?;
            let pitfall = match args.value("--pitfall")? {
                Some(name) => Some(name.parse().map_err(CliError)?),
                None => None,
            };
            Command::Server(addr, pitfall)
        }
        Some("client") => {
            let data = args.value("--data")?;
            let url = args.positional().ok_or_else(|| {
                CliError("client needs a URL, like http://127.0.0.1:7878/".into())
            })?;
            Command::Client(url, data)
        }
        Some(other) => return Err(CliError(format!("unknown command {other:?}"))),
        None => return Err(CliError("say `server` or `client`".into())),
    };
    args.finish()?;
    Ok(command)
}

fn serve(addr: SocketAddr, pitfall: Option<Pitfall>) -> ExitCode {
    match Server::bind(addr) {
        Ok(server) => {
            println!("listening on http://{}", server.local_addr());
            if let Some(p) = pitfall {
                println!("answering with the {p} pitfall, on purpose");
            }
            server.with_pitfall(pitfall).run();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("stage02_raw_http: cannot listen on {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn fetch(url: &str, data: Option<String>) -> ExitCode {
    match client::fetch(url, data.as_deref().map(str::as_bytes)) {
        Ok(response) => match print(&response) {
            Ok(()) => ExitCode::SUCCESS,
            // A closed pipe (`| head`) is not worth a message.
            Err(_) => ExitCode::FAILURE,
        },
        Err(e) => {
            eprintln!("stage02_raw_http: {e}");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: print_response
fn print(response: &Response) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "status line: {}", response.status_line)?;
    writeln!(out, "headers:")?;
    for (name, value) in &response.headers {
        writeln!(out, "  {name}: {value}")?;
    }
    writeln!(out, "body ({} bytes):", response.body.len())?;
    out.write_all(&response.body)?;
    if !response.body.ends_with(b"\n") {
        writeln!(out)?;
    }
    out.flush()
}
// ANCHOR_END: print_response
