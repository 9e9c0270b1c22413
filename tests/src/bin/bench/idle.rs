//! Chapter 6's memory per idle keep-alive connection: its resident memory before and after
//! opening [`IDLE_CONNECTIONS`], each after one request.

use std::time::Duration;

use tests::raw::ResponseReader;

use crate::client::{KEEP_ALIVE_REQUEST, is_open, newcomer};
use crate::procfs::proc_status;
use crate::server::{Server, Subject};

/// Idle connections for the memory figure. Each has a worker of its own (the server runs with
/// this many workers), since chapter 6 closes idle connections when others wait for a worker.
pub const IDLE_CONNECTIONS: usize = 64;

/// Opens idle keep-alive connections, each after one request, and prints what they cost in the
/// server's resident memory.
pub fn idle_memory(subject: &Subject) -> Result<(), String> {
    let server = Server::start(subject)?;
    // A first request, so that what the server allocates once (not per connection) is counted
    // before.
    let _ = newcomer(server.addr, Duration::from_secs(5));
    let before = proc_status(server.pid(), "VmRSS:");
    let mut idle = Vec::new();
    for _ in 0..IDLE_CONNECTIONS {
        let mut connection = ResponseReader::connect(server.addr);
        connection.send(KEEP_ALIVE_REQUEST);
        let status = connection.next_response(false).status;
        if status != 200 {
            return Err(format!("an idle connection's request got {status}"));
        }
        idle.push(connection);
    }
    let after = proc_status(server.pid(), "VmRSS:");
    let open = idle
        .iter_mut()
        .map(|c| is_open(c.stream()))
        .filter(|open| *open)
        .count();
    let (Some(before), Some(after)) = (before, after) else {
        return Err("cannot read VmRSS in /proc (Linux only)".into());
    };
    let per_connection = (after as f64 - before as f64) * 1024.0 / IDLE_CONNECTIONS as f64;
    println!(
        "Memory per idle keep-alive connection, {}: {IDLE_CONNECTIONS} connections that each \
         made one request ({open} still open at the end)",
        subject.name
    );
    println!(
        "  VmRSS {before} kB before, {after} kB after: {:.1} kB per connection",
        per_connection / 1024.0
    );
    println!(
        "  It counts what each connection's worker touched for the first time: its 8 KiB read \
         buffer and the connection's"
    );
    println!(
        "  state, the pages of the worker's stack it used, its share of the allocator's memory. \
         A worker's stack (2 MiB)"
    );
    println!(
        "  is reserved when the pool starts, per worker, not per connection, and only pages \
         touched count in RSS; the"
    );
    println!(
        "  kernel's socket buffers are not counted. One worker per connection here: with fewer, \
         chapter 6 closes idle"
    );
    println!("  connections after 100 ms when others wait for a worker.");
    Ok(())
}
