//! How many files this process may open (`ulimit -n`): every connection is one, and past the
//! limit `accept` fails, so a client gets nothing at all, not even a `503`. The server therefore
//! holds no more connections than the limit leaves room for.

/// The soft limit on open files, from Linux's `/proc/self/limits`; `None` where there is no such
/// file, or it says "unlimited".
pub fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    soft_limit(&limits)
}

/// The "Max open files" line's soft limit: `Max open files  1024  524288  files`.
fn soft_limit(limits: &str) -> Option<usize> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::soft_limit;

    #[test]
    fn the_soft_limit_is_read_from_its_line() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max cpu time              unlimited            unlimited            seconds   \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(soft_limit(limits), Some(1024));
        let unlimited =
            "Max open files            unlimited            unlimited            files\n";
        assert_eq!(soft_limit(unlimited), None);
        assert_eq!(soft_limit(""), None);
    }
}
