//! The two reports: text for a person, one line per check and the detail of each failure, and
//! JSON for a grading script. The JSON is written by hand: the checker depends on nothing.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::check::Check;
use crate::runner::{Graded, Verdict};
use crate::show::{escape, render, visible};

/// The tags in front of a check's name: the chapter it comes from (and whether this chapter
/// brings it back after the one before dropped it), and whether it is hostile.
fn tags(chapter: u8, result: &Graded) -> String {
    let check = result.check;
    let hostile = if check.hostile { " [hostile]" } else { "" };
    format!("[{}]{hostile}", check.origin(chapter))
}

/// The kinds of failure already told in full, and the check that told each: a later check that
/// fails for the same reason says so in a line instead of repeating the whole story.
#[derive(Default)]
pub struct Seen {
    told: HashMap<&'static str, &'static str>,
}

impl Seen {
    pub fn text(&mut self, chapter: u8, result: &Graded) -> String {
        if let Verdict::Failed(failure) = &result.verdict
            && let Some(kind) = failure.kind
        {
            if let Some(first) = self.told.get(kind.name) {
                let summary = failure.problem.lines().next().unwrap_or_default();
                let mut summary: String = summary.chars().take(120).collect();
                if summary.len() < failure.problem.len() {
                    summary.push('…');
                }
                return format!(
                    "FAIL  {} {}\n      problem:  same problem as «{first}»: {summary}",
                    tags(chapter, result),
                    result.check.name
                );
            }
            self.told.insert(kind.name, result.check.name);
        }
        text(chapter, result)
    }
}

/// One check's lines of text: one when it passed or was skipped, the whole story when it failed.
pub fn text(chapter: u8, result: &Graded) -> String {
    let name = result.check.name;
    let tags = tags(chapter, result);
    let failure = match &result.verdict {
        Verdict::Passed => return format!("ok    {tags} {name}"),
        Verdict::Skipped => return format!("skip  {tags} {name} (left out by --no-hostile)"),
        Verdict::Failed(failure) => failure,
    };
    let mut out = format!("FAIL  {tags} {name}\n");
    let mut field = |label: &str, lines: Vec<String>| {
        for (i, line) in lines.iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            let _ = writeln!(out, "      {label:<10}{line}");
        }
    };
    field(
        "problem:",
        failure.problem.lines().map(String::from).collect(),
    );
    if !failure.sent.is_empty() {
        field("sent:", render(&failure.sent, None));
    }
    if !failure.expected.is_empty() {
        field("expected:", vec![failure.expected.clone()]);
    }
    if !failure.got.is_empty() || failure.caret.is_some() {
        field("got:", render(&failure.got, failure.caret));
    }
    field("hint:", vec![format!("read {}", hint(result))]);
    out.trim_end().to_string()
}

/// The section of BOOK.md a failure sends the student to: the one about the kind of mistake
/// when the checker could tell it, else the check's own.
fn hint(result: &Graded) -> String {
    match &result.verdict {
        Verdict::Failed(failure) => failure
            .kind
            .map_or(result.check.hint, |kind| kind.hint)
            .to_string(),
        _ => result.check.hint.to_string(),
    }
}

/// The last line of the text report: `N passed, M failed`, and how many were skipped if any.
pub fn summary(results: &[Graded]) -> String {
    let (passed, failed) = counts(results);
    let skipped = results.len() - passed - failed;
    if skipped == 0 {
        format!("{passed} passed, {failed} failed")
    } else {
        format!("{passed} passed, {failed} failed, {skipped} skipped (--no-hostile)")
    }
}

pub fn counts(results: &[Graded]) -> (usize, usize) {
    let passed = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Passed))
        .count();
    let failed = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Failed(_)))
        .count();
    (passed, failed)
}

/// `text` as a JSON string, quotes included.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What a check is, as JSON fields: name, where it comes from, whether it is hostile.
fn json_check(chapter: u8, check: &Check) -> String {
    format!(
        "\"name\":{},\"chapter\":{},\"new\":{},\"back\":{},\"hostile\":{}",
        json_string(check.name),
        check.introduced(),
        check.is_new_in(chapter),
        check.is_back_in(chapter),
        check.hostile
    )
}

/// `--list --json`: the chapter's checks and the sections that explain them.
pub fn json_list(chapter: u8, checks: &[&'static Check]) -> String {
    let checks: Vec<String> = checks
        .iter()
        .map(|check| {
            format!(
                "{{{},\"hint\":{}}}",
                json_check(chapter, check),
                json_string(&check.hint.to_string())
            )
        })
        .collect();
    format!(
        "{{\"chapter\":{chapter},\"checks\":[{}]}}",
        checks.join(",")
    )
}

/// Where byte `at` of `bytes` is in `visible(bytes)`, the escaped text the JSON report gives.
fn escaped_index(bytes: &[u8], at: usize) -> usize {
    bytes
        .iter()
        .take(at)
        .map(|&b| escape(b).chars().count())
        .sum::<usize>()
        + at.saturating_sub(bytes.len())
}

fn json_result(chapter: u8, result: &Graded) -> String {
    let check = result.check;
    let mut out = format!("{{{}", json_check(chapter, check));
    match &result.verdict {
        Verdict::Passed => out.push_str(",\"result\":\"pass\""),
        Verdict::Skipped => out.push_str(",\"result\":\"skip\""),
        Verdict::Failed(failure) => {
            let caret = failure.caret.map_or_else(
                || "null".to_string(),
                |at| escaped_index(&failure.got, at).to_string(),
            );
            let expected = if failure.expected.is_empty() {
                "null".to_string()
            } else {
                json_string(&failure.expected)
            };
            let _ = write!(
                out,
                ",\"result\":\"fail\",\"problem\":{},\"sent\":{},\"expected\":{},\"got\":{},\
                 \"caret\":{caret},\"hint\":{}",
                json_string(&failure.problem),
                json_string(&visible(&failure.sent)),
                expected,
                json_string(&visible(&failure.got)),
                json_string(&hint(result))
            );
        }
    }
    out.push('}');
    out
}

/// The whole run as one JSON object. `error` is why no check could run (a server that did not
/// start), if that is what happened.
pub fn json(chapter: u8, server: &str, results: &[Graded], error: Option<&str>) -> String {
    let (passed, failed) = counts(results);
    let skipped = results.len() - passed - failed;
    let checks: Vec<String> = results.iter().map(|r| json_result(chapter, r)).collect();
    let error = error.map_or_else(|| "null".to_string(), json_string);
    format!(
        "{{\"chapter\":{chapter},\"server\":{},\"passed\":{passed},\"failed\":{failed},\
         \"skipped\":{skipped},\"error\":{error},\"checks\":[{}]}}",
        json_string(server),
        checks.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::{escaped_index, json_string};

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn the_json_caret_counts_in_the_escaped_text() {
        // `\r\n` is shown as four characters: byte 2 is at 4 in the text.
        assert_eq!(escaped_index(b"\r\nX", 2), 4);
        assert_eq!(escaped_index(b"ab", 2), 2);
        assert_eq!(escaped_index(b"ab", 3), 3);
    }
}
