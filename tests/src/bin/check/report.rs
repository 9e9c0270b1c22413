//! The two reports: text for a person, one line per check and the detail of each failure, and
//! JSON for a grading script. The JSON is written by hand: the checker depends on nothing.

use std::fmt::Write as _;

use crate::runner::{Graded, Verdict};
use crate::show::{render, visible};

/// The tags in front of a check's name: the chapter it comes from, and whether it is hostile.
fn tags(result: &Graded) -> String {
    let check = result.check;
    let hostile = if check.hostile { " [hostile]" } else { "" };
    format!("[ch{}]{hostile}", check.introduced())
}

/// One check's lines of text: one when it passed or was skipped, the whole story when it failed.
pub fn text(result: &Graded) -> String {
    let name = result.check.name;
    let tags = tags(result);
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
    field("problem:", vec![failure.problem.clone()]);
    if !failure.sent.is_empty() {
        field("sent:", render(&failure.sent, None));
    }
    if !failure.expected.is_empty() {
        field("expected:", vec![failure.expected.clone()]);
    }
    if !failure.got.is_empty() || failure.caret.is_some() {
        field("got:", render(&failure.got, failure.caret));
    }
    field("hint:", vec![format!("read {}", result.check.hint)]);
    out.trim_end().to_string()
}

/// The last line of both reports' story.
pub fn summary(results: &[Graded]) -> String {
    let (passed, failed) = counts(results);
    format!("{passed} passed, {failed} failed")
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

fn json_result(chapter: u8, result: &Graded) -> String {
    let check = result.check;
    let mut out = format!(
        "{{\"name\":{},\"chapter\":{},\"new\":{},\"hostile\":{}",
        json_string(check.name),
        check.introduced(),
        check.is_new_in(chapter),
        check.hostile
    );
    match &result.verdict {
        Verdict::Passed => out.push_str(",\"result\":\"pass\""),
        Verdict::Skipped => out.push_str(",\"result\":\"skip\""),
        Verdict::Failed(failure) => {
            let caret = failure
                .caret
                .map_or_else(|| "null".to_string(), |at| at.to_string());
            let _ = write!(
                out,
                ",\"result\":\"fail\",\"problem\":{},\"sent\":{},\"expected\":{},\"got\":{},\
                 \"caret\":{caret},\"hint\":{}",
                json_string(&failure.problem),
                json_string(&visible(&failure.sent)),
                json_string(&failure.expected),
                json_string(&visible(&failure.got)),
                json_string(&check.hint.to_string())
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
    use super::json_string;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u0001é""#);
    }
}
