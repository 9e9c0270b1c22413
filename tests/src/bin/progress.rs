//! Which exercises pass now, one line per chapter:
//! `cargo run -q -p tests --bin progress` (or `-- stage03_parser` for one chapter).
//!
//! It runs each chapter's exercise tests (`tests/exercises.rs` of every `stageNN_*` crate) and
//! reads cargo's report of each test. A chapter that does not compile, or whose test program
//! crashes, says so. It is a binary, not an example, because an example is built with the `tests`
//! crate's dev-dependencies, which are the chapters themselves: one chapter that does not compile
//! would then stop this program from reporting on any.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let only = std::env::args().nth(1);
    let chapters = chapters(&root);
    let chapters: Vec<&String> = chapters
        .iter()
        .filter(|c| only.as_ref().is_none_or(|o| *c == o))
        .collect();
    if chapters.is_empty() {
        eprintln!("progress: no chapter crate with tests/exercises.rs matches {only:?}");
        return ExitCode::from(2);
    }
    // The same cargo that runs this example, when it was run by cargo.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "running each chapter's exercise tests (one not solved yet may take up to a minute to fail)"
    );
    for crate_name in chapters {
        let output = Command::new(&cargo)
            .args(["test", "-p", crate_name, "--test", "exercises", "--"])
            // Not `--ignored`: an exercise whose `#[ignore]` was removed still counts.
            .arg("--include-ignored")
            .current_dir(&root)
            .output();
        let line = match output {
            Err(e) => format!("cannot run cargo: {e}"),
            Ok(output) => summary(crate_name, &String::from_utf8_lossy(&output.stdout)),
        };
        println!("{crate_name:<18} {line}");
    }
    ExitCode::SUCCESS
}

/// The chapter crates that have exercises, in chapter order.
fn chapters(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("stage"))
        .filter(|name| exercises_file(root, name).is_file())
        .collect();
    names.sort();
    names
}

fn exercises_file(root: &Path, crate_name: &str) -> PathBuf {
    root.join(crate_name).join("tests").join("exercises.rs")
}

/// One line from the test harness's output: `running N tests`, then
/// `test exercise_1_2_quit ... ok` for each test that finished.
fn summary(crate_name: &str, stdout: &str) -> String {
    let expected: Option<usize> = stdout.lines().find_map(|line| {
        let count = line.strip_prefix("running ")?.strip_suffix(" tests")?;
        count.parse().ok()
    });
    let mut results: Vec<(&str, bool)> = stdout
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("test exercise_")?;
            let (name, outcome) = rest.split_once(" ... ")?;
            Some((name, outcome.trim() == "ok"))
        })
        .collect();
    // Tests run in parallel and report in the order they finish.
    results.sort();
    let Some(expected) = expected else {
        return format!(
            "no exercise ran: does the crate compile? \
             (cargo test -p {crate_name} --test exercises shows why)"
        );
    };
    let solved = results.iter().filter(|(_, ok)| *ok).count();
    let marks: Vec<String> = results
        .iter()
        .map(|(name, ok)| {
            // `1_2_quit` is exercise 1.2.
            let mut parts = name.splitn(3, '_');
            let number = format!(
                "{}.{}",
                parts.next().unwrap_or("?"),
                parts.next().unwrap_or("?")
            );
            format!("{number} {}", if *ok { "solved" } else { "not yet" })
        })
        .collect();
    let mut line = format!("{solved} of {expected} solved   {}", marks.join(" · "));
    if results.len() < expected {
        line.push_str(&format!(
            "   ({} did not finish: the test program stopped, a crash or a stack overflow? \
             cargo test -p {crate_name} --test exercises -- --include-ignored shows it)",
            expected - results.len()
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn reads_each_exercise_from_the_harness_output() {
        let out = "running 2 tests\ntest exercise_1_2_quit ... FAILED\n\
                   test exercise_1_1_upper ... ok\n\ntest result: FAILED.";
        assert_eq!(
            summary("c", out),
            "1 of 2 solved   1.1 solved · 1.2 not yet"
        );
    }

    #[test]
    fn a_crate_that_does_not_compile_and_a_crash_are_told() {
        assert!(summary("c", "error[E0425]").starts_with("no exercise ran"));
        let crashed = "running 3 tests\ntest exercise_3_1_a ... ok\n\
                       thread 'main' has overflowed its stack\n";
        let line = summary("c", crashed);
        assert!(line.starts_with("1 of 3 solved   3.1 solved"), "{line}");
        assert!(line.contains("2 did not finish"), "{line}");
    }
}
