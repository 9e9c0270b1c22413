//! `stage01_tcp_echo server [--addr A]` and `stage01_tcp_echo client [--addr A] [MESSAGE]`.

use std::io;
use std::process::ExitCode;

use stage01_tcp_echo::cli::{Args, CliError, usage_error};
use stage01_tcp_echo::{client, server::EchoServer};

const USAGE: &str = "\
Chapter 1: a TCP echo server and client.

Usage:
  stage01_tcp_echo server [--addr HOST:PORT]
  stage01_tcp_echo client [--addr HOST:PORT] [MESSAGE]

The server echoes every byte back to one client at a time. The client sends MESSAGE (and a
newline), or without MESSAGE every line typed on standard input, and prints what comes back.

Options:
  --addr HOST:PORT  where to listen or connect (default 127.0.0.1:7878; port 0 = any free port)
  -h, --help        show this help";

fn main() -> ExitCode {
    let Some(args) = Args::from_env_unless_help(USAGE) else {
        return ExitCode::SUCCESS;
    };
    match parse(args) {
        Ok(Command::Server(addr)) => serve(addr),
        Ok(Command::Client(addr, message)) => connect(addr, message),
        Err(e) => usage_error("stage01_tcp_echo", &e),
    }
}

enum Command {
    Server(std::net::SocketAddr),
    Client(std::net::SocketAddr, Option<String>),
}

fn parse(mut args: Args) -> Result<Command, CliError> {
    let addr = args.addr()?;
    let command = match args.positional().as_deref() {
        Some("server") => Command::Server(addr),
        Some("client") => Command::Client(addr, args.positional()),
        Some(other) => return Err(CliError(format!("unknown command {other:?}"))),
        None => return Err(CliError("say `server` or `client`".into())),
    };
    args.finish()?;
    Ok(command)
}

fn serve(addr: std::net::SocketAddr) -> ExitCode {
    match EchoServer::bind(addr) {
        Ok(server) => {
            println!("listening on {}", server.local_addr());
            server.run();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("stage01_tcp_echo: cannot listen on {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn connect(addr: std::net::SocketAddr, message: Option<String>) -> ExitCode {
    let result = match message {
        Some(text) => client::run(addr, io::Cursor::new(format!("{text}\n")), io::stdout()),
        None => client::run(addr, io::stdin(), io::stdout()),
    };
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stage01_tcp_echo: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
