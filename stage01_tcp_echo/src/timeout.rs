//! Recognising a socket timeout, which every server in the repository sets and must tell apart
//! from a real failure.

use std::io;

/// True when `error` is a read or write timeout running out. Socket timeouts show up as
/// `WouldBlock` on Unix and `TimedOut` on Windows, so both count.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::is_timeout;
    use std::io::{Error, ErrorKind};

    #[test]
    fn timeouts_and_failures_are_told_apart() {
        let cases = [
            (ErrorKind::WouldBlock, true),
            (ErrorKind::TimedOut, true),
            (ErrorKind::ConnectionReset, false),
            (ErrorKind::UnexpectedEof, false),
        ];
        for (kind, timeout) in cases {
            assert_eq!(is_timeout(&Error::from(kind)), timeout, "{kind:?}");
        }
    }
}
