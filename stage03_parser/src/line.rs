//! Finding CRLF-terminated lines in a growing buffer, without ever looking at a byte twice.

use std::ops::Range;

/// What can be wrong with a line before its content is even read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineError {
    /// A `\r` not followed by `\n`. Some servers treat it as a line end and some do not; two
    /// servers that disagree about where a line ends can be made to read different requests.
    BareCr,
    /// A `\n` without the `\r` before it. HTTP lines end in CRLF (RFC 9112 §2.2).
    BareLf,
    /// A control character (other than tab) where only text may be.
    Control,
    /// No line end within the allowed length.
    TooLong,
}

// ANCHOR: line_reader
/// Where the current line started and how far the buffer has been scanned.
///
/// The buffer may grow between calls; scanning resumes at `scanned`, so a line that arrives one
/// byte per call still costs one look per byte. Re-scanning from `start` on every call would
/// cost quadratic time for a client that trickles bytes.
#[derive(Debug, Clone, Copy)]
pub struct LineReader {
    start: usize,
    scanned: usize,
}

impl LineReader {
    /// Lines start at `at` in the buffer.
    pub fn new(at: usize) -> LineReader {
        LineReader {
            start: at,
            scanned: at,
        }
    }

    /// The next complete line's content (without CRLF), or `None` until its `\n` arrives.
    /// A line longer than `max` bytes is an error as soon as its `max + 3`rd byte arrives:
    /// nothing past that is looked at, so the answer never depends on how the input was split.
    /// `work` counts every byte looked at.
    pub fn next_line(
        &mut self,
        buf: &[u8],
        max: usize,
        work: &mut u64,
    ) -> Result<Option<Range<usize>>, LineError> {
        let window_end = self.start.saturating_add(max).saturating_add(2);
        while self.scanned < window_end {
            let Some(&byte) = buf.get(self.scanned) else {
                return Ok(None);
            };
            *work += 1;
            let after_cr = self.scanned > self.start && buf[self.scanned - 1] == b'\r';
            match byte {
                b'\n' if after_cr => {
                    let line = self.start..self.scanned - 1;
                    self.scanned += 1;
                    self.start = self.scanned;
                    return Ok(Some(line));
                }
                b'\n' => return Err(LineError::BareLf),
                _ if after_cr => return Err(LineError::BareCr),
                b'\r' | b'\t' => {}
                _ if byte < 0x20 || byte == 0x7f => return Err(LineError::Control),
                _ => {}
            }
            self.scanned += 1;
        }
        Err(LineError::TooLong)
    }

    /// Where the next line starts: after the last complete line.
    pub fn position(&self) -> usize {
        self.start
    }
}
// ANCHOR_END: line_reader

#[cfg(test)]
mod tests {
    use super::{LineError, LineReader};

    type Lines<'a> = Result<&'a [&'a [u8]], LineError>;

    fn lines(input: &[u8]) -> Result<Vec<&[u8]>, LineError> {
        let mut reader = LineReader::new(0);
        let mut out = Vec::new();
        let mut work = 0;
        while let Some(range) = reader.next_line(input, 8, &mut work)? {
            out.push(&input[range]);
        }
        Ok(out)
    }

    #[test]
    fn splits_on_crlf_and_refuses_the_rest() {
        let cases: &[(&[u8], Lines)] = &[
            (b"a\r\nb\r\n", Ok(&[b"a", b"b"])),
            (b"a\r\n\r\nrest", Ok(&[b"a", b""])),
            (b"tab\tit\r\n", Ok(&[b"tab\tit"])),
            (b"no end\r", Ok(&[])),
            (b"a\nb", Err(LineError::BareLf)),
            (b"a\rb\r\n", Err(LineError::BareCr)),
            (b"a\r\r\n", Err(LineError::BareCr)),
            (b"nul\0\r\n", Err(LineError::Control)),
            (b"del\x7f", Err(LineError::Control)),
            (b"12345678\r\n", Ok(&[b"12345678"])),
            (b"123456789\r\n", Err(LineError::TooLong)),
            (b"123456789", Ok(&[])),
            (b"1234567890", Err(LineError::TooLong)),
            (b"12345678\r", Ok(&[])),
        ];
        for (input, want) in cases {
            let want = want.map(|w| w.to_vec());
            assert_eq!(lines(input), want, "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn resumes_where_it_stopped() {
        let input = b"hello\r\nworld\r\n";
        let mut reader = LineReader::new(0);
        let mut work = 0;
        let mut found = Vec::new();
        for end in 0..=input.len() {
            if let Some(range) = reader.next_line(&input[..end], 80, &mut work).unwrap() {
                found.push(range);
            }
        }
        assert_eq!(found, [0..5, 7..12]);
        assert_eq!(work, input.len() as u64, "each byte looked at once");
    }
}
