//! `stage04_router [--addr HOST:PORT]`: the demo site's first routes, served one request at a time.

use std::net::SocketAddr;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage03_parser::server::Server;
use stage04_router::dispatch::respond;
use stage04_router::site::demo_router;

const USAGE: &str = "\
Chapter 4: the demo site's first routes, through a router.

Usage:
  stage04_router [--addr HOST:PORT]

Routes: GET /, GET /hello, GET /hello/{name}, POST /echo, and any method on /debug/request
(chapter 3's mirror). Unknown paths get 404, known paths with the wrong method 405 with Allow,
and a path with a stray trailing slash a 308 redirect to the route's own form.

Options:
  --addr HOST:PORT  where to listen (default 127.0.0.1:7878; port 0 = any free port)
  -h, --help        show this help";

fn main() -> ExitCode {
    let Some(args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    match parse(args) {
        Ok(addr) => serve(addr),
        Err(e) => usage_error("stage04_router", &e),
    }
}

fn parse(mut args: Args) -> Result<SocketAddr, CliError> {
    let addr = args.addr()?;
    args.finish()?;
    Ok(addr)
}

fn serve(addr: SocketAddr) -> ExitCode {
    let router = demo_router();
    let bound = Server::bind(addr).and_then(|server| Ok((server.local_addr()?, server)));
    let (local, server) = match bound {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("stage04_router: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{local}");
    println!("routes:");
    for route in router.routes() {
        let method = route.method.as_ref().map_or("ANY", |m| m.as_str());
        println!("  {method:<7} {}", route.pattern);
    }
    server.run(|request| respond(&router, request));
    ExitCode::SUCCESS
}
