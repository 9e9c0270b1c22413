//! What a failed check found, in the terms a student can act on: what went wrong, what was sent,
//! what was expected, and what came back with the first wrong byte marked.

/// A check that did not pass.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failure {
    /// One sentence: what went wrong.
    pub problem: String,
    /// The bytes the checker sent, exactly.
    pub sent: Vec<u8>,
    /// What a right answer would have been, in words or as the bytes themselves.
    pub expected: String,
    /// The bytes the server sent back, exactly (empty when nothing came).
    pub got: Vec<u8>,
    /// Where in `got` the first wrong byte is, if one byte is to blame.
    pub caret: Option<usize>,
    /// What kind of mistake it is, when the checker can tell (no Content-Length, bare `\n`…),
    /// and so the section of BOOK.md about it. Several checks failing for one kind are told
    /// in full once.
    pub kind: Option<&'static crate::check::Kind>,
}

/// A check's result: `Ok` when it passed.
pub type Outcome = Result<(), Failure>;

impl Failure {
    pub fn new(problem: impl Into<String>) -> Failure {
        Failure {
            problem: problem.into(),
            ..Failure::default()
        }
    }

    pub fn of_kind(mut self, kind: &'static crate::check::Kind) -> Failure {
        self.kind = Some(kind);
        self
    }

    pub fn with_problem(mut self, problem: impl Into<String>) -> Failure {
        self.problem = problem.into();
        self
    }

    /// Puts `context` in front of the problem: which client, which round.
    pub fn within(mut self, context: &str) -> Failure {
        self.problem = format!("{context}: {}", self.problem);
        self
    }

    /// Adds what the student is likely to have done, after the problem.
    pub fn explained(mut self, why: &str) -> Failure {
        let stop = if self.problem.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        self.problem = format!("{}{stop} {why}", self.problem);
        self
    }

    pub fn with_sent(mut self, sent: &[u8]) -> Failure {
        self.sent = sent.to_vec();
        self
    }

    pub fn with_expected(mut self, expected: impl Into<String>) -> Failure {
        self.expected = expected.into();
        self
    }

    pub fn with_got(mut self, got: Vec<u8>) -> Failure {
        self.got = got;
        self
    }

    /// The caret moved by `offset`: for a failure found in a part of what came back.
    pub fn shifted(mut self, offset: usize) -> Failure {
        self.caret = self.caret.map(|at| at + offset);
        self
    }

    pub fn with_caret(mut self, at: usize) -> Failure {
        self.caret = Some(at);
        self
    }

    /// Expects `expected` at `offset` in what came back: the caret goes under the first byte
    /// that differs (or just past the end, when the answer stopped short).
    pub fn expecting_bytes(mut self, offset: usize, expected: &[u8]) -> Failure {
        self.expected = crate::show::visible(expected);
        let actual = self.got.get(offset..).unwrap_or_default();
        let differs = first_difference(expected, actual);
        self.caret = Some(offset + differs.unwrap_or(expected.len().min(actual.len())));
        self
    }
}

/// The index of the first byte where `a` and `b` differ, or where the shorter one ends; `None`
/// when they are equal.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    (common < a.len() || common < b.len()).then_some(common)
}

#[cfg(test)]
mod tests {
    use super::{Failure, first_difference};

    #[test]
    fn finds_the_first_difference() {
        assert_eq!(first_difference(b"abc", b"abc"), None);
        assert_eq!(first_difference(b"abc", b"abd"), Some(2));
        assert_eq!(first_difference(b"abc", b"ab"), Some(2));
        assert_eq!(first_difference(b"", b"x"), Some(0));
    }

    #[test]
    fn the_caret_goes_under_the_first_wrong_byte_of_the_expected_part() {
        let failure = Failure::new("p")
            .with_got(b"HTTP/1.1 200 OK\r\n\r\nHello, world!".to_vec())
            .expecting_bytes(19, b"Hello, World!");
        assert_eq!(failure.caret, Some(26));
        assert_eq!(failure.expected, "Hello, World!");
    }
}
