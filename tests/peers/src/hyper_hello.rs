//! `GET /hello` answered with `Hello, World!` by hyper 1.x, the HTTP library under most of Rust's
//! async web servers, on tokio's current-thread runtime: one thread, as chapter 7's runtime with
//! `--threads 1`. Each connection is a task serving HTTP/1.1 with keep-alive (hyper's default).
//! It prints its address as the chapters' servers do, so the benchmark can start it the same
//! way: `hyper_hello [--addr HOST:PORT]` (default 127.0.0.1:0, any free port).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::ExitCode;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = if request.method() == Method::GET && request.uri().path() == "/hello" {
        Response::builder()
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(Full::new(Bytes::from_static(b"Hello, World!")))
    } else {
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::from_static(b"Not Found")))
    };
    Ok(response.expect("a valid response"))
}

fn addr_from_args() -> Result<SocketAddr, String> {
    let mut args = std::env::args().skip(1);
    let mut addr = SocketAddr::from(([127, 0, 0, 1], 0));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let value = args.next().ok_or("--addr wants HOST:PORT")?;
                addr = value
                    .parse()
                    .map_err(|_| format!("--addr wants HOST:PORT, not {value:?}"))?;
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(addr)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let addr = match addr_from_args() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("hyper_hello: {e}\nusage: hyper_hello [--addr HOST:PORT]");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("hyper_hello: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => println!("listening on http://{local}"),
        Err(e) => eprintln!("hyper_hello: {e}"),
    }
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before it was accepted: go on.
            Err(e) => {
                eprintln!("hyper_hello: accept: {e}");
                tokio::task::yield_now().await;
                continue;
            }
        };
        tokio::spawn(async move {
            let served = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(hello))
                .await;
            // A client that goes away mid-request is not the server's error.
            drop(served);
        });
    }
}
