//! `stage05_framework [--addr HOST:PORT]`: the demo site, written with chapter 5's framework and
//! served through its connection state machine, one connection at a time.

use std::net::SocketAddr;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage05_framework::Server;
use stage05_framework::site::demo_app;

const USAGE: &str = "\
Chapter 5: the demo site, written with the framework, served through a sans-IO connection.

Usage:
  stage05_framework [--addr HOST:PORT]

The routes so far are chapter 4's (GET /, GET /hello, GET /hello/{name}, POST /echo, any method
on /debug/request), written as the framework's handlers. Underneath, every connection is one
Connection, a state machine that parses, answers pipelined requests in order, sends 100 Continue,
keeps deadlines and decides when to close. This server serves one connection at a time, so it
closes each after its response.

Options:
  --addr HOST:PORT  where to listen (default 127.0.0.1:7878; port 0 = any free port)
  -h, --help        show this help";

fn main() -> ExitCode {
    let Some(args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    match parse(args) {
        Ok(addr) => serve(addr),
        Err(e) => usage_error("stage05_framework", &e),
    }
}

fn parse(mut args: Args) -> Result<SocketAddr, CliError> {
    let addr = args.addr()?;
    args.finish()?;
    Ok(addr)
}

fn serve(addr: SocketAddr) -> ExitCode {
    let app = demo_app();
    let bound = Server::bind(addr).and_then(|server| Ok((server.local_addr()?, server)));
    let (local, server) = match bound {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("stage05_framework: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{local}");
    println!("routes:");
    for route in app.routes() {
        let method = route.method.as_ref().map_or("ANY", |m| m.as_str());
        println!("  {method:<7} {}", route.pattern);
    }
    server.run(app);
    ExitCode::SUCCESS
}
