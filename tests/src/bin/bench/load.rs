//! The load table: a row per server and load, measured with wrk, with the server's CPU time
//! around it and a look at the server halfway through.

use std::thread;
use std::time::Duration;

use crate::client::{Newcomer, newcomer};
use crate::procfs::{cpu_time, proc_status};
use crate::server::{Server, Subject};
use crate::watch::answered_connections;
use crate::wrk::{Mode, Run, wrk};

/// The width of the table's first column.
const NAME: usize = 26;

pub fn print_table_head(seconds: u32) {
    println!(
        "GET /hello, {seconds} s per row, wrk -t2 (-t1 at 1 connection), release builds. Halfway \
         through each row: the server's threads;"
    );
    println!(
        "answered: how many of wrk's kept-alive connections got an answer within half a second \
         (wrk times only those);"
    );
    println!(
        "a newcomer: one more GET /hello on a connection of its own. CPU per request counts \
         every answer, 503s too;"
    );
    println!("socket errors are connect/read/write/timeout, as wrk counts them.");
    println!(
        "{:<NAME$}  {:<10}  {:>5}  {:>10}  {:>11}  {:>11}  {:>11}  {:>7}  {:>13}  {:>7}  {:>8}  \
         a newcomer",
        "server",
        "mode",
        "conns",
        "requests/s",
        "p50 latency",
        "p99 latency",
        "CPU/request",
        "non-2xx",
        "socket errors",
        "threads",
        "answered"
    );
}

/// A heading between groups of rows.
pub fn print_group(title: &str) {
    println!("-- {title}");
}

/// A row of the table, and the load it was measured under.
pub struct Measured {
    pub mode: Mode,
    pub connections: u32,
    pub row: Row,
}

/// Starts `subject` once and prints a row for each load as it is measured. A load wrk could not
/// measure prints why, and the others go on; a server that does not start is an error.
pub fn load_rows(
    subject: &Subject,
    loads: &[(Mode, &[u32])],
    seconds: u32,
) -> Result<Vec<Measured>, String> {
    let mut server = Server::start(subject)?;
    let mut rows = Vec::new();
    for &(mode, loads) in loads {
        for &connections in loads {
            match measure(&server, mode, connections, seconds) {
                Ok(row) => {
                    print_row(&subject.name, mode, connections, &row);
                    rows.push(Measured {
                        mode,
                        connections,
                        row,
                    });
                }
                Err(e) => {
                    let name = &subject.name;
                    let mode = mode.label();
                    let gone = if server.is_running() {
                        ""
                    } else {
                        "; the server is gone"
                    };
                    println!("{name:<NAME$}  {mode:<10}  {connections:>5}  no figures: {e}{gone}");
                }
            }
        }
    }
    Ok(rows)
}

/// What one row shows.
pub struct Row {
    pub run: Run,
    pub cpu_per_request: Option<Duration>,
    pub halfway: Halfway,
}

/// What is seen halfway through a load, besides wrk's figures.
pub struct Halfway {
    /// The server's threads: tiny_http's grow with its connections.
    pub threads: Option<u64>,
    /// Of wrk's keep-alive connections open throughout half a second, how many were answered
    /// during it, and how many there were: wrk's figures are those of the answered ones only.
    pub answered: Option<(usize, usize)>,
    /// What one more client, on a connection of its own, got.
    pub newcomer: Newcomer,
}

/// One wrk run, with the server's CPU time around it and a look at it halfway through.
fn measure(server: &Server, mode: Mode, connections: u32, seconds: u32) -> Result<Row, String> {
    let pid = server.pid();
    let addr = server.addr;
    let halfway = Duration::from_secs(seconds.into()) / 2;
    let look = thread::spawn(move || {
        thread::sleep(halfway);
        let threads = proc_status(pid, "Threads:");
        // A connection per request changes every time: only kept-alive ones can be followed.
        let answered = match mode {
            Mode::KeepAlive => answered_connections(addr.port()),
            Mode::Close => None,
        };
        // It may wait for the whole rest of the load, and a little after.
        let newcomer = newcomer(addr, halfway + Duration::from_secs(5));
        Halfway {
            threads,
            answered,
            newcomer,
        }
    });
    let before = cpu_time(pid);
    let run = wrk(&format!("http://{addr}/hello"), mode, connections, seconds);
    let after = cpu_time(pid);
    let halfway = look.join().expect("the look halfway does not panic");
    let run = run.map_err(|e| e.to_string())?;
    let cpu_per_request = match (before, after) {
        (Some(b), Some(a)) if run.requests > 0 => {
            Some(a.saturating_sub(b).div_f64(run.requests as f64))
        }
        _ => None,
    };
    Ok(Row {
        run,
        cpu_per_request,
        halfway,
    })
}

fn print_row(name: &str, mode: Mode, connections: u32, row: &Row) {
    let mode = mode.label();
    let cpu = row
        .cpu_per_request
        .map_or("n/a".into(), |t| format!("{:.1} µs", t.as_secs_f64() * 1e6));
    let Halfway {
        threads,
        answered,
        newcomer,
    } = &row.halfway;
    let threads = threads.map_or("n/a".into(), |n| n.to_string());
    let answered = answered.map_or("-".into(), |(answered, of)| format!("{answered}/{of}"));
    let run = &row.run;
    let [c, r, w, t] = run.socket_errors;
    println!(
        "{name:<NAME$}  {mode:<10}  {connections:>5}  {:>10.0}  {:>11}  {:>11}  {cpu:>11}  \
         {:>7}  {:>13}  {threads:>7}  {answered:>8}  {newcomer}",
        run.per_second,
        run.p50,
        run.p99,
        run.non_2xx,
        format!("{c}/{r}/{w}/{t}"),
    );
}
