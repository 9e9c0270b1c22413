//! Which of wrk's kept-alive connections are being answered, seen from outside with `ss`.

use std::collections::HashMap;
use std::process::Command;
use std::thread;
use std::time::Duration;

/// Of wrk's connections to `port` open throughout half a second, how many received something
/// during it, and how many there were; `None` without `ss`.
pub fn answered_connections(port: u16) -> Option<(usize, usize)> {
    let before = received_by_connection(port)?;
    thread::sleep(Duration::from_millis(500));
    let after = received_by_connection(port)?;
    let grew: Vec<bool> = before
        .iter()
        .filter_map(|(connection, bytes)| Some(after.get(connection)? > bytes))
        .collect();
    Some((grew.iter().filter(|g| **g).count(), grew.len()))
}

/// The bytes each client connection to `port` has received, by the client's own port, as `ss`
/// (Linux's socket statistics) reports them: a line for each connection, then an indented line
/// of figures with `bytes_received:N` (left out while it is 0).
fn received_by_connection(port: u16) -> Option<HashMap<u16, u64>> {
    let filter = format!("( dport = :{port} )");
    let output = Command::new("ss").args(["-tniH", &filter]).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let mut received = HashMap::new();
    let mut connection = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if !line.starts_with(char::is_whitespace) {
            // "ESTAB 0 0 127.0.0.1:33314 127.0.0.1:34559": the client's address is the 4th.
            let local = line
                .split_whitespace()
                .nth(3)
                .and_then(|a| a.rsplit(':').next());
            connection = local.and_then(|p| p.parse().ok());
            received.extend(connection.map(|c| (c, 0)));
        } else if let Some(connection) = connection {
            let bytes = line
                .split_whitespace()
                .find_map(|figure| figure.strip_prefix("bytes_received:"))
                .and_then(|n| n.parse().ok());
            received.insert(connection, bytes.unwrap_or(0));
        }
    }
    Some(received)
}
