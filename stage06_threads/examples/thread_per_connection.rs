//! The design chapter 6 does not use, run to see how it falls over:
//! `cargo run --release -p stage06_threads --example thread_per_connection -- 1000`.
//!
//! It serves chapter 5's demo site with a thread for every connection and an accept loop that
//! ends at its first error, as a first attempt would. Then, in the same process, it opens N
//! keep-alive connections (1,000 unless told), makes one request on each and keeps them all
//! open, and prints how many threads the process has and how much memory it uses (from
//! `/proc/self/status`, so on Linux). Its access log goes to standard error: add `2>/dev/null`.
//! A demonstration, not a test.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use stage05_framework::server::drive;
use stage05_framework::site::{SiteOptions, demo_app};
use stage05_framework::{AlwaysKeep, Config};

// ANCHOR: serve
/// The first attempt: a thread per connection, and `?` on `accept`.
fn serve(listener: &TcpListener) -> io::Result<()> {
    let app = Arc::new(demo_app(&SiteOptions::default())?);
    let config = Config::default();
    for stream in listener.incoming() {
        let stream = stream?; // the first error ends the loop, and the server
        let app = Arc::clone(&app);
        thread::spawn(move || drive(stream, None, &config, &*app, &AlwaysKeep));
    }
    Ok(())
}
// ANCHOR_END: serve

/// A line of `/proc/self/status`, such as `Threads` or `VmRSS`.
fn status(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .map_or("(not on this system)".into(), |v| v.trim().to_string())
}

/// Opens a connection, asks `/hello` on it, and returns it still open.
fn idle_client(addr: std::net::SocketAddr) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    stream.write_all(b"GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")?;
    let mut answer = [0u8; 512];
    match stream.read(&mut answer)? {
        0 => Err(io::Error::other("closed without an answer")),
        _ => Ok(stream),
    }
}

fn main() -> io::Result<()> {
    let clients: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = thread::spawn(move || serve(&listener));
    let report = |what: &str| {
        let (threads, rss, size) = (status("Threads"), status("VmRSS"), status("VmSize"));
        println!("{what}: {threads} threads, {rss} resident, {size} of address space");
    };
    report("before");
    let mut open = Vec::new();
    for n in 0..clients {
        match idle_client(addr) {
            Ok(stream) => open.push(stream),
            Err(e) => {
                println!("connection {}: {e}", n + 1);
                break;
            }
        }
    }
    report(&format!("{} idle keep-alive connections", open.len()));
    if server.is_finished() {
        match server.join() {
            Ok(Err(e)) => println!("the accept loop ended: {e}; nothing listens any more"),
            _ => println!("the accept loop ended"),
        }
    }
    Ok(())
}
