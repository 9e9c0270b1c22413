//! Why a JSON document was refused, and where.

use super::parse::MAX_DEPTH;
use std::fmt;

// ANCHOR: json_error
/// Why a document was refused, and where: 1-based line and column (counted in characters; lines
/// end at `\n`), so `expected ',' or '}', found 'x' at line 3, column 7` leads straight to it.
///
/// A struct around an enum, not a bare enum, because every kind of error has a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    kind: ErrorKind,
    line: usize,
    column: usize,
}

/// What was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Something else was needed here; `found` is `None` at the end of the input.
    Expected {
        expected: &'static str,
        found: Option<char>,
    },
    /// A `,` right before `]` or `}`.
    TrailingComma,
    /// Something after the document's one value.
    TrailingCharacters(char),
    /// `tru`, `nul`, `falsy`...: a word that is not `true`, `false` or `null`.
    InvalidLiteral(&'static str),
    /// `01`: JSON numbers have no leading zeros (is it octal? JSON refuses to guess).
    LeadingZero,
    /// A number too large for an `f64`, such as `1e309`.
    NumberOutOfRange,
    /// A string that never ends.
    UnterminatedString,
    /// A character below U+0020 inside a string: it must be written as an escape.
    ControlCharacter(char),
    /// A backslash followed by something that is not an escape; `None` at the end of the input.
    InvalidEscape(Option<char>),
    /// `\u` not followed by four hexadecimal digits.
    InvalidUnicodeEscape,
    /// Half of a UTF-16 surrogate pair without the other half.
    LoneSurrogate(u16),
    /// Arrays and objects nested more than [`MAX_DEPTH`] deep.
    TooDeep,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
}
// ANCHOR_END: json_error

impl JsonError {
    /// The error `kind` at byte `offset` of `bytes`, its line and column counted from the start.
    pub(super) fn at(bytes: &[u8], offset: usize, kind: ErrorKind) -> JsonError {
        let before = &bytes[..offset];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        JsonError {
            kind,
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            // Count characters, not bytes: skip UTF-8 continuation bytes (0b10xx_xxxx).
            column: before[line_start..]
                .iter()
                .filter(|&&b| b & 0xC0 != 0x80)
                .count()
                + 1,
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The line of the error, from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column of the error in characters, from 1.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Expected { expected, found } => match found {
                Some(c) => write!(f, "expected {expected}, found {c:?}"),
                None => write!(f, "expected {expected}, found the end of the input"),
            },
            ErrorKind::TrailingComma => {
                write!(f, "trailing comma (nothing may follow the last ',')")
            }
            ErrorKind::TrailingCharacters(c) => write!(f, "unexpected {c:?} after the value"),
            ErrorKind::InvalidLiteral(word) => write!(f, "invalid literal (did you mean {word}?)"),
            ErrorKind::LeadingZero => write!(f, "numbers cannot start with 0 unless they are 0"),
            ErrorKind::NumberOutOfRange => write!(f, "number too large for a 64-bit float"),
            ErrorKind::UnterminatedString => write!(f, "string never ends (no closing '\"')"),
            ErrorKind::ControlCharacter(c) => {
                write!(
                    f,
                    "control character U+{:04X} must be escaped in a string",
                    *c as u32
                )
            }
            ErrorKind::InvalidEscape(Some(c)) => write!(f, "invalid escape '\\{c}'"),
            ErrorKind::InvalidEscape(None) => write!(f, "a '\\' ends the input"),
            ErrorKind::InvalidUnicodeEscape => write!(f, "'\\u' needs four hexadecimal digits"),
            ErrorKind::LoneSurrogate(unit) => {
                write!(
                    f,
                    "lone surrogate '\\u{unit:04X}' (UTF-16 halves come in pairs)"
                )
            }
            ErrorKind::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} arrays and objects"),
            ErrorKind::InvalidUtf8 => write!(f, "invalid UTF-8"),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.kind, self.line, self.column
        )
    }
}

impl std::error::Error for JsonError {}
