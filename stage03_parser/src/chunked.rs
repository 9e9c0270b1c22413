//! Decoding a chunked body as it arrives (RFC 9112 §7.1).
//!
//! ```text
//! 5;name=value\r\n      chunk size in hex, optional extensions (ignored)
//! hello\r\n             exactly that many bytes, then CRLF
//! 0\r\n                 the last chunk
//! Trailer: x\r\n        optional trailer fields (checked, then dropped)
//! \r\n                  the end
//! ```

use crate::error::ParseError;
use crate::head::parse_field;
use crate::limits::Limits;
use crate::line::{LineError, LineReader};

/// Longest chunk-size line, extensions included. Extensions carry nothing we use; without a cap,
/// a client could send megabytes of them around one byte of body.
pub const MAX_CHUNK_LINE: usize = 4096;

/// Most bytes of extensions in a whole body. The line cap alone is not enough: a body of one-byte
/// chunks, each with 4 KiB of extensions, would make a server buffer 4 GiB to receive 1 MiB.
/// hyper refuses past 16 KiB in all too.
pub const MAX_CHUNK_EXTENSIONS: usize = 16 * 1024;

/// The most hex digits a chunk size may have, leading zeros included (httparse's limit too).
const MAX_SIZE_DIGITS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Size,
    Data { remaining: usize },
    DataEnd,
    Trailers { fields: usize, start: usize },
}

/// What one trailer line turned out to be.
enum Trailer {
    NeedMore,
    Field,
    /// The blank line: the body ends here in the buffer.
    End(usize),
}

// ANCHOR: chunked_decoder
/// A resumable chunked-body decoder: it remembers where it stopped, so every byte is read once
/// however the body is split across reads.
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    lines: LineReader,
    state: State,
    limits: Limits,
    /// Bytes of chunk extensions seen so far in this body.
    extensions: usize,
}

impl ChunkedDecoder {
    /// A decoder for a body that starts at `start` in the buffer.
    pub fn new(start: usize, limits: Limits) -> ChunkedDecoder {
        ChunkedDecoder {
            lines: LineReader::new(start),
            state: State::Size,
            limits,
            extensions: 0,
        }
    }

    /// Appends what `buf` holds of the body to `body`; `Some(end)` once the last chunk and the
    /// trailers are in, `end` being where the request ends in `buf`.
    pub fn decode(
        &mut self,
        buf: &[u8],
        body: &mut Vec<u8>,
        work: &mut u64,
    ) -> Result<Option<usize>, ParseError> {
        loop {
            match self.state {
                State::Size => match self.line(buf, work)? {
                    None => return Ok(None),
                    Some(size) => self.state = self.after_size(size, body.len())?,
                },
                State::Data { remaining } => {
                    let at = self.lines.position();
                    let take = remaining.min(buf.len().saturating_sub(at));
                    body.extend_from_slice(&buf[at..at + take]);
                    *work += take as u64;
                    self.lines = LineReader::new(at + take);
                    if take < remaining {
                        self.state = State::Data {
                            remaining: remaining - take,
                        };
                        return Ok(None);
                    }
                    self.state = State::DataEnd;
                }
                State::DataEnd => {
                    if !self.data_end(buf, work)? {
                        return Ok(None);
                    }
                }
                State::Trailers { fields, start } => {
                    match self.trailer(buf, work, fields, start)? {
                        Trailer::NeedMore => return Ok(None),
                        Trailer::Field => {
                            self.state = State::Trailers {
                                fields: fields + 1,
                                start,
                            }
                        }
                        Trailer::End(end) => return Ok(Some(end)),
                    }
                }
            }
        }
    }
}
// ANCHOR_END: chunked_decoder

impl ChunkedDecoder {
    /// The CRLF after a chunk's data: `false` until it is all there.
    fn data_end(&mut self, buf: &[u8], work: &mut u64) -> Result<bool, ParseError> {
        let at = self.lines.position();
        let missing_crlf = ParseError::BadChunk("chunk data not followed by CRLF");
        match buf.get(at..at + 2) {
            Some(b"\r\n") => {}
            Some(_) => return Err(missing_crlf),
            None if buf.get(at).is_some_and(|b| *b != b'\r') => return Err(missing_crlf),
            None => return Ok(false),
        }
        *work += 2;
        self.lines = LineReader::new(at + 2);
        self.state = State::Size;
        Ok(true)
    }

    /// The next chunk-size line, parsed.
    fn line(&mut self, buf: &[u8], work: &mut u64) -> Result<Option<usize>, ParseError> {
        let found = self
            .lines
            .next_line(buf, MAX_CHUNK_LINE, work)
            .map_err(line_error)?;
        let Some(range) = found else {
            return Ok(None);
        };
        *work += range.len() as u64;
        let (size, extensions) = parse_chunk_size(&buf[range], &self.limits)?;
        self.extensions += extensions;
        if self.extensions > MAX_CHUNK_EXTENSIONS {
            return Err(ParseError::BadChunk("more than 16 KiB of chunk extensions"));
        }
        Ok(Some(size))
    }

    /// What follows a chunk of `size` bytes when the body so far is `decoded` bytes long.
    fn after_size(&self, size: usize, decoded: usize) -> Result<State, ParseError> {
        if size == 0 {
            let start = self.lines.position();
            return Ok(State::Trailers { fields: 0, start });
        }
        // Refuse before the data arrives: the whole point of a limit.
        if size > self.limits.max_body.saturating_sub(decoded) {
            return Err(ParseError::BodyTooLarge {
                limit: self.limits.max_body,
            });
        }
        Ok(State::Data { remaining: size })
    }

    /// One trailer line, checked.
    fn trailer(
        &mut self,
        buf: &[u8],
        work: &mut u64,
        fields: usize,
        start: usize,
    ) -> Result<Trailer, ParseError> {
        // Trailers share the head's budget: it counts from the first trailer line.
        let max_head = self.limits.max_head;
        let budget = max_head.saturating_sub(self.lines.position() - start + 2);
        let found = self
            .lines
            .next_line(buf, budget, work)
            .map_err(|error| match error {
                LineError::TooLong => ParseError::HeadTooLarge { limit: max_head },
                other => line_error(other),
            })?;
        if self.lines.position() - start > max_head {
            return Err(ParseError::HeadTooLarge { limit: max_head });
        }
        match found {
            None => Ok(Trailer::NeedMore),
            Some(range) if range.is_empty() => Ok(Trailer::End(self.lines.position())),
            Some(range) => {
                if fields == self.limits.max_headers {
                    return Err(ParseError::TooManyHeaders {
                        limit: self.limits.max_headers,
                    });
                }
                *work += range.len() as u64;
                // Checked like a header, then dropped: merging trailers into the headers would let
                // a trailer such as `Content-Length` change a request after it was framed.
                parse_field(&buf[range])?;
                Ok(Trailer::Field)
            }
        }
    }
}

/// `1*HEXDIG [ BWS ";" chunk-ext ]` (RFC 9112 §7.1.1): the size, and how many bytes follow it
/// (the whitespace and the extensions, which all count against [`MAX_CHUNK_EXTENSIONS`]).
/// Whitespace may come before a `;`, never alone: `5 ` is refused.
fn parse_chunk_size(line: &[u8], limits: &Limits) -> Result<(usize, usize), ParseError> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err(ParseError::BadChunk("the chunk size must be hex digits"));
    }
    let mut size: usize = 0;
    for &b in &line[..digits] {
        let digit = crate::url::hex_value(b).unwrap_or_default() as usize;
        size = size
            .checked_mul(16)
            .and_then(|s| s.checked_add(digit))
            .ok_or(ParseError::BodyTooLarge {
                limit: limits.max_body,
            })?;
    }
    // Sixteen hex digits hold any 64-bit size (a larger one is a 413 above). More digits are
    // leading zeros: framing that no limit would count, thousands before every one-byte chunk.
    if digits > MAX_SIZE_DIGITS {
        return Err(ParseError::BadChunk(
            "a chunk size has at most 16 hex digits",
        ));
    }
    let after = &line[digits..];
    let rest = after.trim_ascii_start();
    match rest.first() {
        None if after.is_empty() => Ok((size, 0)),
        Some(b';') => Ok((size, after.len())),
        _ => Err(ParseError::BadChunk("unexpected text after the chunk size")),
    }
}

fn line_error(error: LineError) -> ParseError {
    ParseError::BadChunk(match error {
        LineError::BareCr => "bare CR",
        LineError::BareLf => "a line ends in LF without CR",
        LineError::Control => "a control character in a chunk line",
        LineError::TooLong => "chunk-size line too long",
    })
}

#[cfg(test)]
mod tests {
    use super::ChunkedDecoder;
    use crate::Limits;

    type Decoded = Result<Option<(Vec<u8>, usize)>, u16>;

    fn decode(input: &[u8]) -> Result<Option<(Vec<u8>, usize)>, u16> {
        let limits = Limits {
            max_body: 32,
            max_headers: 2,
            ..Limits::default()
        };
        let mut decoder = ChunkedDecoder::new(0, limits);
        let mut body = Vec::new();
        let mut work = 0;
        match decoder.decode(input, &mut body, &mut work) {
            Ok(Some(end)) => Ok(Some((body, end))),
            Ok(None) => Ok(None),
            Err(e) => Err(e.status().code()),
        }
    }

    #[test]
    fn chunked_bodies() {
        let done = |body: &str, end: usize| Ok(Some((body.as_bytes().to_vec(), end)));
        let cases: &[(&[u8], Decoded)] = &[
            (b"5\r\nhello\r\n0\r\n\r\n", done("hello", 15)),
            (
                b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT",
                done("hello world", 26),
            ),
            (b"A\r\n0123456789\r\n0\r\n\r\n", done("0123456789", 20)),
            (b"5;ext=1;other\r\nhello\r\n0;x\r\n\r\n", done("hello", 29)),
            (b"5 ;ext\r\nhello\r\n0\r\n\r\n", done("hello", 20)),
            (b"5 \r\nhello\r\n0\r\n\r\n", Err(400)),
            (b"5\t\r\nhello\r\n0\r\n\r\n", Err(400)),
            (b"0\r\nTrailer: x\r\nOther: y\r\n\r\n", done("", 27)),
            (b"000\r\n\r\n", done("", 7)),
            (b"5\r\nhel", Ok(None)),
            (b"5\r\nhello\r", Ok(None)),
            (b"5\r\nhello\r\n0\r\n", Ok(None)),
            (b"0\r\nTrailer: x\r\n", Ok(None)),
            (b"\r\n", Err(400)),
            (b"x\r\n", Err(400)),
            (b"0x5\r\nhello\r\n0\r\n\r\n", Err(400)),
            (b"+5\r\nhello\r\n0\r\n\r\n", Err(400)),
            (b"5\r\nhelloX", Err(400)),
            (b"5\r\nhello\n0\r\n\r\n", Err(400)),
            (b"5\nhello\r\n", Err(400)),
            (b"0\r\nbad trailer\r\n\r\n", Err(400)),
            (b"0\r\n a: folded\r\n\r\n", Err(400)),
            (b"0\r\na: 1\r\nb: 2\r\nc: 3\r\n\r\n", Err(431)),
            (b"21\r\n", Err(413)),
            (b"10\r\n0123456789abcdef\r\n11\r\n", Err(413)),
            (b"ffffffffffffffffffff\r\n", Err(413)),
        ];
        for (input, want) in cases {
            assert_eq!(&decode(input), want, "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn extensions_are_capped_for_the_whole_body() {
        // One-byte chunks with 4000 bytes of extensions each: each line is under the line cap,
        // the fifth one takes the body past the cap for all of them.
        let extension = format!(";{}", "x".repeat(3999));
        let chunk = format!("1{extension}\r\na\r\n");
        let at_cap = format!("{}0\r\n\r\n", chunk.repeat(4));
        assert_eq!(
            decode(at_cap.as_bytes()),
            Ok(Some((b"aaaa".to_vec(), at_cap.len())))
        );
        let past_cap = format!("{}0\r\n\r\n", chunk.repeat(5));
        assert_eq!(decode(past_cap.as_bytes()), Err(400));
    }

    #[test]
    fn leading_zeros_and_whitespace_are_framing_too() {
        // Without a cap on digits, 4 KiB of zeros before each one-byte chunk would be framing
        // that nothing counts; the same for whitespace before a `;`.
        assert_eq!(
            decode(b"0000000000000005\r\nhello\r\n0\r\n\r\n"),
            Ok(Some((b"hello".to_vec(), 30)))
        );
        assert_eq!(decode(b"00000000000000005\r\nhello\r\n0\r\n\r\n"), Err(400));
        let spaces = format!("1{};\r\na\r\n", " ".repeat(4000));
        let past_cap = format!("{}0\r\n\r\n", spaces.repeat(5));
        assert_eq!(decode(past_cap.as_bytes()), Err(400));
    }

    #[test]
    fn an_endless_extension_is_refused_before_its_end() {
        let mut input = b"5;".to_vec();
        input.extend(std::iter::repeat_n(b'x', super::MAX_CHUNK_LINE));
        assert_eq!(decode(&input), Err(400));
    }
}
