//! Keeping BOOK.md and the code one.
//!
//! Every fenced Rust block in the book is preceded by a visible line that says where it comes from:
//!
//! ```text
//! *Quoted from [`stage01_tcp_echo/src/server.rs`](stage01_tcp_echo/src/server.rs), region `echo`:*
//! *Not in the source: the naive version, shown for contrast.*
//! ```
//!
//! A quote must equal, line for line, the region between `// ANCHOR: echo` and `// ANCHOR_END: echo`
//! in that file (with the region's common indentation removed and any other anchor lines inside it
//! left out). The mdBook convention, so it reads as the Rust Book does, but checked by a test instead
//! of included by a preprocessor, so BOOK.md reads on GitHub as is, and a reader sees which file
//! each snippet is from.

use std::fmt;
use std::path::Path;

/// What to do about stale snippets, said once after the list of them.
pub const STALE_ADVICE: &str = "Solving an exercise? Then this is expected: the book shows the \
code before your change, and this test checks the book, not your code. Run every other test with \
`cargo test --workspace -- --skip book_quotes`. Changing the code for good? Then change each \
snippet above to match the code.";

/// The report for `errors`, one line each, with [`STALE_ADVICE`] after them if any is stale.
pub fn report(errors: &[SnippetError]) -> String {
    let mut lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    if errors
        .iter()
        .any(|e| matches!(e, SnippetError::Stale { .. }))
    {
        lines.push(String::new());
        lines.push(STALE_ADVICE.to_string());
    }
    lines.join("\n")
}

/// What is wrong with one snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnippetError {
    /// A Rust block with no marker line before it.
    Unmarked { line: usize },
    /// The marker names a file that cannot be read.
    NoFile { line: usize, file: String },
    /// The file has no such anchor, or it is never closed.
    NoAnchor {
        line: usize,
        file: String,
        anchor: String,
    },
    /// The book and the code differ.
    Stale {
        line: usize,
        file: String,
        anchor: String,
        first_difference: String,
    },
    /// A marker that no Rust block follows.
    Dangling { line: usize },
    /// A line that starts like a marker but is not one (a typo, or a link to another file).
    Malformed { line: usize },
}

impl fmt::Display for SnippetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnippetError::Unmarked { line } => write!(
                f,
                "BOOK.md:{line}: a rust block needs a line before it that says where it is from: \
                 `*Quoted from [`FILE`](FILE), region `ANCHOR`:*` or `*Not in the source: WHY*`"
            ),
            SnippetError::NoFile { line, file } => write!(f, "BOOK.md:{line}: cannot read {file}"),
            SnippetError::NoAnchor { line, file, anchor } => write!(
                f,
                "BOOK.md:{line}: {file} has no region `// ANCHOR: {anchor}` … `// ANCHOR_END: {anchor}`"
            ),
            SnippetError::Stale {
                line,
                file,
                anchor,
                first_difference,
            } => write!(
                f,
                "BOOK.md:{line}: the book quotes region `{anchor}` of {file}, and the code there \
                 is no longer what the book shows ({first_difference})"
            ),
            SnippetError::Dangling { line } => {
                write!(f, "BOOK.md:{line}: a marker with no rust block after it")
            }
            SnippetError::Malformed { line } => write!(
                f,
                "BOOK.md:{line}: a marker must read exactly \
                 `*Quoted from [`FILE`](FILE), region `ANCHOR`:*`, with the same FILE twice"
            ),
        }
    }
}

/// The marker before a Rust block.
enum Marker {
    Quote { file: String, anchor: String },
    NotInSource,
}

fn marker(line: &str) -> Option<Marker> {
    let line = line.trim();
    if line.starts_with("*Not in the source:") && line.ends_with('*') {
        return Some(Marker::NotInSource);
    }
    // *Quoted from [`FILE`](FILE), region `ANCHOR`:*
    let rest = line.strip_prefix("*Quoted from [`")?;
    let (file, rest) = rest.split_once("`](")?;
    let anchor = rest
        .strip_prefix(file)?
        .strip_prefix("), region `")?
        .strip_suffix("`:*")?;
    Some(Marker::Quote {
        file: file.to_string(),
        anchor: anchor.to_string(),
    })
}

/// A line that starts like a marker, to report it when it is not quite one.
fn looks_like_marker(line: &str) -> bool {
    let line = line
        .trim_start()
        .trim_start_matches('*')
        .to_ascii_lowercase();
    line.starts_with("quoted from") || line.starts_with("not in the source")
}

/// The opening fence of a Rust block, however it is spelled: ```` ```rust ````, ```` ```rs ````,
/// `~~~rust`, ```` ```Rust,ignore ````.
fn is_rust_fence(line: &str) -> bool {
    let line = line.trim_start();
    let info = line
        .strip_prefix("```")
        .or_else(|| line.strip_prefix("~~~"))
        .map(|rest| {
            rest.trim_start_matches(['`', '~'])
                .trim()
                .to_ascii_lowercase()
        });
    info.is_some_and(|info| {
        let word = info.split([',', ' ']).next().unwrap_or_default();
        word == "rust" || word == "rs"
    })
}

/// The lines of region `anchor` in `source`, with common indentation removed.
pub fn region(source: &str, anchor: &str) -> Option<Vec<String>> {
    let start = format!("// ANCHOR: {anchor}");
    let end = format!("// ANCHOR_END: {anchor}");
    let mut lines = source.lines();
    lines.by_ref().find(|l| l.trim() == start)?;
    let mut body = Vec::new();
    for line in lines {
        let trimmed = line.trim();
        if trimmed == end {
            return Some(dedent(&body));
        }
        if !trimmed.starts_with("// ANCHOR: ") && !trimmed.starts_with("// ANCHOR_END: ") {
            body.push(line);
        }
    }
    None
}

fn dedent(lines: &[&str]) -> Vec<String> {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end().to_string())
        .collect()
}

/// Checks every Rust block of `book`, reading quoted files relative to `root`.
pub fn check(book: &str, root: &Path) -> Vec<SnippetError> {
    let lines: Vec<&str> = book.lines().collect();
    let mut errors = Vec::new();
    let mut pending: Option<(usize, Marker)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        if let Some(m) = marker(lines[i]) {
            if let Some((at, _)) = pending.replace((line_no, m)) {
                errors.push(SnippetError::Dangling { line: at });
            }
        } else if looks_like_marker(lines[i]) {
            errors.push(SnippetError::Malformed { line: line_no });
        } else if is_rust_fence(lines[i]) {
            let end = (i + 1..lines.len())
                .find(|&j| {
                    let l = lines[j].trim_start();
                    l.starts_with("```") || l.starts_with("~~~")
                })
                .unwrap_or(lines.len());
            let block: Vec<String> = lines[i + 1..end]
                .iter()
                .map(|l| l.trim_end().to_string())
                .collect();
            match pending.take() {
                None => errors.push(SnippetError::Unmarked { line: line_no }),
                Some((_, Marker::NotInSource)) => {}
                Some((at, Marker::Quote { file, anchor })) => {
                    if let Some(e) = compare(root, at, file, anchor, &block) {
                        errors.push(e);
                    }
                }
            }
            i = end;
        } else if !lines[i].trim().is_empty() {
            if let Some((at, _)) = pending.take() {
                errors.push(SnippetError::Dangling { line: at });
            }
        }
        i += 1;
    }
    if let Some((at, _)) = pending {
        errors.push(SnippetError::Dangling { line: at });
    }
    errors
}

fn compare(
    root: &Path,
    line: usize,
    file: String,
    anchor: String,
    block: &[String],
) -> Option<SnippetError> {
    let Ok(source) = std::fs::read_to_string(root.join(&file)) else {
        return Some(SnippetError::NoFile { line, file });
    };
    let Some(code) = region(&source, &anchor) else {
        return Some(SnippetError::NoAnchor { line, file, anchor });
    };
    if code == block {
        return None;
    }
    let n = code.iter().zip(block).take_while(|(a, b)| a == b).count();
    let first_difference = format!(
        "line {} of the region: code has {:?}, book has {:?}",
        n + 1,
        code.get(n).map(String::as_str).unwrap_or("<end>"),
        block.get(n).map(String::as_str).unwrap_or("<end>"),
    );
    Some(SnippetError::Stale {
        line,
        file,
        anchor,
        first_difference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "fn a() {}\n    // ANCHOR: two\n    let x = 1;\n    // ANCHOR: inner\n    let y = 2;\n    // ANCHOR_END: inner\n    // ANCHOR_END: two\n";

    /// Checks `book` against a file `a.rs` holding [`SOURCE`], in a folder of this test's own:
    /// tests run in parallel, and a shared file could be read while another test rewrites it.
    fn check_against_source(test: &str, book: &str) -> Vec<SnippetError> {
        let dir = std::env::temp_dir().join(format!("book-check-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.rs"), SOURCE).unwrap();
        let errors = check(book, &dir);
        let _ = std::fs::remove_dir_all(&dir);
        errors
    }

    #[test]
    fn regions_are_dedented_and_skip_nested_anchors() {
        assert_eq!(region(SOURCE, "two").unwrap(), ["let x = 1;", "let y = 2;"]);
        assert_eq!(region(SOURCE, "inner").unwrap(), ["let y = 2;"]);
        assert_eq!(region(SOURCE, "missing"), None);
    }

    #[test]
    fn a_true_quote_passes_and_a_stale_one_fails() {
        let good =
            "*Quoted from [`a.rs`](a.rs), region `two`:*\n```rust\nlet x = 1;\nlet y = 2;\n```\n";
        assert_eq!(check_against_source("good", good), []);
        let stale =
            "*Quoted from [`a.rs`](a.rs), region `two`:*\n```rust\nlet x = 1;\nlet y = 3;\n```\n";
        let errors = check_against_source("stale", stale);
        assert!(
            matches!(&errors[..], [SnippetError::Stale { line: 1, .. }]),
            "{errors:?}"
        );
    }

    #[test]
    fn the_advice_follows_stale_snippets_once() {
        let stale = "*Quoted from [`a.rs`](a.rs), region `two`:*\n```rust\nlet x = 0;\n```\n";
        let errors = check_against_source("advice", &stale.repeat(2));
        let text = report(&errors);
        assert_eq!(text.matches("Solving an exercise?").count(), 1, "{text}");
        assert!(text.ends_with(STALE_ADVICE), "{text}");
        let unmarked = report(&check_against_source("no-advice", "```rust\nx\n```\n"));
        assert!(!unmarked.contains("Solving an exercise?"), "{unmarked}");
    }

    #[test]
    fn unmarked_missing_and_dangling_are_reported() {
        let book = "```rust\nfn main() {}\n```\n*Quoted from [`nope.rs`](nope.rs), region `x`:*\n\
                    ```rust\n```\n*Quoted from [`a.rs`](a.rs), region `zzz`:*\n```rust\n```\n\
                    *Quoted from [`a.rs`](a.rs), region `two`:*\ntext\n\
                    *Not in the source: contrast.*\n```rust\nanything\n```\n";
        let errors = check_against_source("marks", book);
        assert!(matches!(errors[0], SnippetError::Unmarked { line: 1 }));
        assert!(matches!(errors[1], SnippetError::NoFile { line: 4, .. }));
        assert!(matches!(errors[2], SnippetError::NoAnchor { line: 7, .. }));
        assert!(matches!(errors[3], SnippetError::Dangling { line: 10 }));
        assert_eq!(errors.len(), 4, "{errors:?}");
        let spellings = "~~~rs\nfn a() {}\n~~~\n```Rust,ignore\nfn b() {}\n```\n";
        let errors = check_against_source("fences", spellings);
        assert!(
            matches!(
                errors[..],
                [
                    SnippetError::Unmarked { line: 1 },
                    SnippetError::Unmarked { line: 4 }
                ]
            ),
            "{errors:?}"
        );
        let unclosed = "*Not in the source: no closing star\n```rust\nx\n```\n";
        let errors = check_against_source("unclosed", unclosed);
        assert!(
            matches!(errors[0], SnippetError::Malformed { line: 1 }),
            "{errors:?}"
        );
        let wrong_link = "*Quoted from [`a.rs`](b.rs), region `two`:*\ntext\n";
        let errors = check_against_source("link", wrong_link);
        assert!(
            matches!(errors[..], [SnippetError::Malformed { line: 1 }]),
            "{errors:?}"
        );
    }
}
