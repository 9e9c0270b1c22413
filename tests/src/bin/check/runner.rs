//! Running the checks one after another, each on a thread of its own with a guard, so that even
//! a check with a bug in it cannot hang the checker.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::check::{Check, Target};
use crate::outcome::Failure;

/// What became of one check.
pub enum Verdict {
    Passed,
    Failed(Failure),
    /// A hostile check left out with `--no-hostile`.
    Skipped,
}

/// One check and what became of it.
pub struct Graded {
    pub check: &'static Check,
    pub verdict: Verdict,
}

/// How long one whole check may take: it makes several exchanges, each with its own deadline,
/// so this is only a backstop for a check that forgot one.
fn guard(target: &Target) -> Duration {
    (target.timeout * 12).max(Duration::from_secs(30))
}

/// Runs `checks` in order against `target`; `on_each` sees each result as it comes, so the text
/// report can print while the next check runs. After a failure, `exited` says whether the
/// server has exited (`--run` only): if so, that is the failure (how it exited, and the end of
/// what it printed), and the checks after it are not run, each failed as not run.
pub fn run_all(
    checks: &[&'static Check],
    target: Target,
    hostile: bool,
    mut exited: impl FnMut() -> Option<(String, String)>,
    mut on_each: impl FnMut(&Graded),
) -> Vec<Graded> {
    let mut results = Vec::new();
    let mut gone: Option<&'static str> = None;
    for &check in checks {
        let verdict = if check.hostile && !hostile {
            Verdict::Skipped
        } else if let Some(during) = gone {
            Verdict::Failed(Failure::new(format!(
                "not run: the server is not running (it exited during «{during}»)"
            )))
        } else {
            match run_one(check, target) {
                Verdict::Failed(failure) => match exited() {
                    Some((how, tail)) => {
                        gone = Some(check.name);
                        Verdict::Failed(died(failure, &how, check.name, &tail))
                    }
                    None => Verdict::Failed(failure),
                },
                verdict => verdict,
            }
        };
        let result = Graded { check, verdict };
        on_each(&result);
        results.push(result);
    }
    results
}

/// A failure the server's exit explains: said first, with what the check saw after it.
fn died(failure: Failure, how: &str, check: &str, tail: &str) -> Failure {
    let saw = failure.problem.clone();
    failure.with_problem(format!(
        "{how} during «{check}» (what the check saw: {saw})\n{tail}"
    ))
}

fn run_one(check: &'static Check, target: Target) -> Verdict {
    let (done, outcome) = mpsc::channel();
    let guard = guard(&target);
    thread::spawn(move || {
        let _ = done.send((check.run)(&target));
    });
    match outcome.recv_timeout(guard) {
        Ok(Ok(())) => Verdict::Passed,
        Ok(Err(failure)) => Verdict::Failed(failure),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            // Its connections are ended, so that the check's thread stops waiting on them and
            // the server is not left serving them during the next check.
            crate::wire::shut_all();
            Verdict::Failed(Failure::new(format!(
                "no answer within {} s, all steps together",
                guard.as_secs()
            )))
        }
        // The check's thread panicked: the checker's bug, reported as such rather than hidden.
        Err(mpsc::RecvTimeoutError::Disconnected) => Verdict::Failed(Failure::new(
            "the checker itself failed on this check (its message is above); please report it",
        )),
    }
}
