//! `stage03_parser`: serves the mirror, a JSON account of what the parser read from each request.

use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, usage_error};
use stage03_parser::Server;
use stage03_parser::mirror::mirror;

const PROGRAM: &str = "stage03_parser";

const USAGE: &str = "\
Usage: stage03_parser [--addr HOST:PORT]

Serves, one connection at a time, a JSON mirror of every request it parses:
method, target, path (as sent) and decoded query, headers, body, form fields, JSON value.
Malformed requests get the matching 4xx/5xx status and a short reason.

Options:
  --addr HOST:PORT   where to listen (default 127.0.0.1:7878; port 0 picks a free one)
  -h, --help         print this help";

fn main() -> ExitCode {
    let Some(mut args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    let addr = match args.addr() {
        Ok(addr) => addr,
        Err(e) => return usage_error(PROGRAM, &e),
    };
    if let Err(e) = args.finish() {
        return usage_error(PROGRAM, &e);
    }
    let server = match Server::bind(addr) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("{PROGRAM}: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match server.local_addr() {
        Ok(bound) => println!("listening on http://{bound}"),
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::FAILURE;
        }
    }
    server.run(mirror);
    ExitCode::SUCCESS
}
