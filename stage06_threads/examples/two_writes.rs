//! Why a response goes out in one write: `cargo run --release -p stage06_threads --example
//! two_writes`.
//!
//! A tiny server on a free port answers each request on a kept-alive connection, first with the
//! head and the body in one `write`, then in two. A client sends 50 requests, one after the
//! other, on one connection for each way, and prints the time per request. With two writes the
//! kernel holds the body back until the client has acknowledged the head (Nagle's algorithm), and
//! the client's kernel holds that acknowledgement back, hoping to send it with data of its own
//! (delayed ACK): on Linux about 40 ms per response. `TCP_NODELAY` would turn Nagle off; one write
//! needs no option at all.
//!
//! Last, the same client sends three pipelined requests at a time to this chapter's own server,
//! which answers each batch in one write (chapter 5's `Connection` batches them). A
//! demonstration, not a test: the figures depend on the machine.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

const REQUESTS: u32 = 50;
const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n";
const BODY: &[u8] = b"Hello, World!";

/// Reads one request head (these requests have no body), or `false` at the end of the stream.
fn read_head(stream: &mut TcpStream) -> io::Result<bool> {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Ok(false);
        }
        head.push(byte[0]);
    }
    Ok(true)
}

/// Answers every request on `stream`, in one write or in two.
fn serve(mut stream: TcpStream, split: bool) -> io::Result<()> {
    while read_head(&mut stream)? {
        if split {
            stream.write_all(HEAD)?;
            stream.write_all(BODY)?;
        } else {
            stream.write_all(&[HEAD, BODY].concat())?;
        }
    }
    Ok(())
}

/// The average time per request for `REQUESTS` requests on one connection.
fn per_request(addr: std::net::SocketAddr) -> io::Result<Duration> {
    let mut client = TcpStream::connect(addr)?;
    let mut answer = vec![0u8; HEAD.len() + BODY.len()];
    let start = Instant::now();
    for _ in 0..REQUESTS {
        client.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")?;
        client.read_exact(&mut answer)?;
    }
    Ok(start.elapsed() / REQUESTS)
}

/// The average time for `REQUESTS` batches of three pipelined requests on one connection.
fn per_pipelined_batch(addr: std::net::SocketAddr) -> io::Result<Duration> {
    let mut client = TcpStream::connect(addr)?;
    let request = b"GET /hello HTTP/1.1\r\nHost: a\r\n\r\n".repeat(3);
    let mut answers = Vec::new();
    let mut buffer = [0u8; 4096];
    let start = Instant::now();
    for batch in 1..=REQUESTS as usize {
        client.write_all(&request)?;
        while answers.windows(BODY.len()).filter(|w| *w == BODY).count() < 3 * batch {
            match client.read(&mut buffer)? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => answers.extend_from_slice(&buffer[..n]),
            }
        }
    }
    Ok(start.elapsed() / REQUESTS)
}

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    thread::spawn(move || {
        // The first connection is answered in one write, the second in two.
        for (stream, split) in listener.incoming().zip([false, true]) {
            let stream = stream.expect("accept");
            thread::spawn(move || serve(stream, split));
        }
    });
    println!("{REQUESTS} requests on one kept-alive connection, {addr}:");
    println!(
        "  head and body in one write:  {:?} per request",
        per_request(addr)?
    );
    println!(
        "  head and body in two writes: {:?} per request",
        per_request(addr)?
    );
    let mut app = stage05_framework::App::new();
    app.get("/hello", |_: stage05_framework::Input| "Hello, World!");
    let server = stage06_threads::Server::bind("127.0.0.1:0")?.spawn(app)?;
    println!(
        "  three pipelined requests to chapter 6's server: {:?} per batch",
        per_pipelined_batch(server.addr())?
    );
    Ok(())
}
