//! What a check is: a name a student reads, the chapters that keep it, whether it probes hostile
//! input, the book section that explains it, and the function that runs it.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::outcome::Outcome;

/// The server under test, and how long it may take over any one step.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub addr: SocketAddr,
    pub timeout: Duration,
}

/// Where BOOK.md explains a check: a part's title (a `##` heading) and a section in it (`###`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub part: &'static str,
    pub section: &'static str,
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BOOK.md, \"{}\" › \"{}\"", self.part, self.section)
    }
}

/// Where the book says how an answer is framed: a status line, fields, and a Content-Length.
pub const ANSWERING: Hint = Hint {
    part: "Chapter 2 — HTTP is text over TCP",
    section: "Answering",
};

/// Where the book shows what lines ended by `\n` alone do to a client.
pub const PITFALLS: Hint = Hint {
    part: "Chapter 2 — HTTP is text over TCP",
    section: "Pitfalls, shown",
};

/// A kind of mistake the checker can tell whatever the check, and where the book is about it.
#[derive(Debug, PartialEq, Eq)]
pub struct Kind {
    pub name: &'static str,
    pub hint: Hint,
}

pub const NO_CONTENT_LENGTH: Kind = Kind {
    name: "no Content-Length",
    hint: ANSWERING,
};

pub const BARE_LF: Kind = Kind {
    name: "lines ended by \\n alone",
    hint: PITFALLS,
};

/// One behaviour a server is held to.
pub struct Check {
    /// What the server must do, as a sentence; unique, so a grading script can name it.
    pub name: &'static str,
    /// The chapters whose servers must do it, in order; the first one introduced it.
    pub chapters: &'static [u8],
    /// Whether it sends hostile input (smuggling, limits, slow or many clients): a first
    /// assignment may leave those out with `--no-hostile`.
    pub hostile: bool,
    pub hint: Hint,
    pub run: fn(&Target) -> Outcome,
}

impl Check {
    /// The chapter that introduced it.
    pub fn introduced(&self) -> u8 {
        self.chapters.first().copied().unwrap_or_default()
    }

    pub fn kept_in(&self, chapter: u8) -> bool {
        self.chapters.contains(&chapter)
    }

    /// Whether `chapter` is where a server must first do this: the chapter before did not.
    pub fn is_new_in(&self, chapter: u8) -> bool {
        self.kept_in(chapter) && (chapter == 1 || !self.kept_in(chapter - 1))
    }

    /// Whether `chapter` brings back a check an earlier chapter had and the one before it
    /// dropped (chapter 2's `Hello, World!` at `/hello`: chapter 3 mirrors every path instead).
    pub fn is_back_in(&self, chapter: u8) -> bool {
        self.is_new_in(chapter) && self.introduced() != chapter
    }

    /// Where the check comes from, as a chapter `chapter`'s run shows it: `ch2`, or
    /// `ch2, back in ch4`.
    pub fn origin(&self, chapter: u8) -> String {
        if self.is_back_in(chapter) {
            format!("ch{}, back in ch{chapter}", self.introduced())
        } else {
            format!("ch{}", self.introduced())
        }
    }
}

/// The chapters that keep a behaviour from chapter `n` on.
pub const FROM_2: &[u8] = &[2, 3, 4, 5, 6, 7];
pub const FROM_3: &[u8] = &[3, 4, 5, 6, 7];
pub const FROM_4: &[u8] = &[4, 5, 6, 7];
pub const FROM_5: &[u8] = &[5, 6, 7];
pub const FROM_6: &[u8] = &[6, 7];
