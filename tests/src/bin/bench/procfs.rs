//! What Linux says about a process, read from `/proc`, and its file descriptor limit.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A number from `/proc/PID/status` (Linux): `Threads:`, or `VmRSS:` in kB.
pub fn proc_status(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    line.split_whitespace().next()?.parse().ok()
}

/// The CPU time a process has used, user and system, from `/proc/PID/stat` (Linux). The kernel
/// counts it in clock ticks, 100 a second on Linux.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The process name is in parentheses and may hold spaces: count fields after the last `)`.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// This process's soft limit on open files, from `/proc/self/limits` (Linux).
pub fn fd_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// A command that runs `program` with its file descriptor limit raised to at least `at_least`.
/// std cannot raise the limit, but a shell's `ulimit` can, for the shell and what it `exec`s
/// (the same process, so the same PID). A limit already higher is kept; where the hard limit is
/// lower, it takes the hard limit, and the program finds out how far it gets.
pub fn with_fd_limit(program: &Path, at_least: usize) -> Command {
    let raise = format!(
        "n=$(ulimit -n); [ \"$n\" = unlimited ] || [ \"$n\" -ge {at_least} ] || \
         ulimit -n {at_least} 2>/dev/null || ulimit -n \"$(ulimit -H -n)\" 2>/dev/null; \
         exec \"$0\" \"$@\""
    );
    let mut command = Command::new("sh");
    command.args(["-c", &raise]).arg(program);
    command
}
