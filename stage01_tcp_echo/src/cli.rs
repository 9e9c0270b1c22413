//! The small command-line reader every binary in the repository uses.
//!
//! It lives in chapter 1 because chapter 1 is where the first binary appears; later stages depend on
//! this crate for it rather than writing it again. It knows just enough for our binaries:
//! `--flag VALUE`, bare `--switch`es, positional arguments and `--help`, and it turns every mistake
//! into one line and exit code 2, the convention of Unix tools for "you called me wrong".

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::process::ExitCode;

/// The address every server listens on unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7878";

/// A mistake in the command line, said in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

/// The arguments left to read, in order.
#[derive(Debug)]
pub struct Args {
    rest: VecDeque<String>,
}

impl Args {
    /// The process's own arguments, without the program name.
    pub fn from_env() -> Args {
        Args::new(std::env::args().skip(1))
    }

    /// The process's own arguments, unless `-h` or `--help` is among them: then `usage` is
    /// printed and there is nothing to do, so `main` can return success.
    pub fn from_env_unless_help(usage: &str) -> Option<Args> {
        let mut args = Args::from_env();
        if args.wants_help() {
            println!("{usage}");
            return None;
        }
        Some(args)
    }

    /// Arguments from any list (tests use this).
    pub fn new(args: impl IntoIterator<Item = impl Into<String>>) -> Args {
        Args {
            rest: args.into_iter().map(Into::into).collect(),
        }
    }

    /// True, and consumed, when `-h` or `--help` is anywhere on the line.
    pub fn wants_help(&mut self) -> bool {
        let before = self.rest.len();
        self.rest.retain(|a| a != "-h" && a != "--help");
        self.rest.len() != before
    }

    /// The value after `name` (`--addr 127.0.0.1:0` or `--addr=127.0.0.1:0`), if given.
    pub fn value(&mut self, name: &str) -> Result<Option<String>, CliError> {
        let prefix = format!("{name}=");
        let Some(i) = self
            .rest
            .iter()
            .position(|a| a == name || a.starts_with(&prefix))
        else {
            return Ok(None);
        };
        let arg = self.rest.remove(i).expect("position() found it");
        if let Some(value) = arg.strip_prefix(&prefix) {
            return Ok(Some(value.to_string()));
        }
        match self.rest.remove(i) {
            Some(value) if !value.starts_with("--") => Ok(Some(value)),
            _ => Err(CliError(format!("{name} needs a value"))),
        }
    }

    /// `--addr HOST:PORT`, or [`DEFAULT_ADDR`]. Port 0 asks the OS for any free port.
    pub fn addr(&mut self) -> Result<SocketAddr, CliError> {
        let text = self.value("--addr")?;
        let text = text.as_deref().unwrap_or(DEFAULT_ADDR);
        text.parse().map_err(|_| {
            CliError(format!(
                "--addr wants HOST:PORT with an IP address, like {DEFAULT_ADDR}; got {text:?}"
            ))
        })
    }

    /// Whether the option `name` was given (`--data x` or `--data=x`), without reading it: for
    /// an option that only some commands take.
    pub fn has(&self, name: &str) -> bool {
        let prefix = format!("{name}=");
        self.rest
            .iter()
            .any(|a| a == name || a.starts_with(&prefix))
    }

    /// True, and consumed, when the bare switch `name` is present.
    pub fn switch(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|a| a != name);
        self.rest.len() != before
    }

    /// The next positional argument, if any. Options must be read before positionals.
    pub fn positional(&mut self) -> Option<String> {
        let i = self.rest.iter().position(|a| !a.starts_with("--"))?;
        self.rest.remove(i)
    }

    /// Fails on anything nobody asked for, so a typo is never silently ignored.
    pub fn finish(self) -> Result<(), CliError> {
        match self.rest.front() {
            None => Ok(()),
            Some(extra) => Err(CliError(format!("unexpected argument {extra:?}"))),
        }
    }
}

/// Prints a command-line error the way the binaries agree on, and gives exit code 2.
pub fn usage_error(program: &str, error: &CliError) -> ExitCode {
    eprintln!("{program}: {error} (try --help)");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_options_in_both_spellings_and_positionals() {
        let mut args = Args::new(["client", "--addr", "127.0.0.1:9", "hi"]);
        assert_eq!(args.addr(), Ok("127.0.0.1:9".parse().unwrap()));
        assert_eq!(args.positional().as_deref(), Some("client"));
        assert_eq!(args.positional().as_deref(), Some("hi"));
        assert_eq!(args.finish(), Ok(()));

        let args = Args::new(["chat", "--data=x", "--block"]);
        assert!(args.has("--data") && args.has("--block") && !args.has("--dat"));

        let mut args = Args::new(["--addr=[::1]:0"]);
        assert_eq!(args.addr(), Ok("[::1]:0".parse().unwrap()));
    }

    #[test]
    fn mistakes_are_one_line_errors() {
        let cases: &[(&[&str], &str)] = &[
            (&["--addr"], "--addr needs a value"),
            (&["--addr", "--help"], "--addr needs a value"),
            (&["--addr", "localhost"], "--addr wants HOST:PORT"),
            (&["--addr", "127.0.0.1:99999"], "--addr wants HOST:PORT"),
        ];
        for (argv, expected) in cases {
            let err = Args::new(argv.iter().copied()).addr().unwrap_err();
            assert!(err.0.starts_with(expected), "{argv:?}: {err}");
            assert!(!err.0.contains('\n'));
        }
        let err = Args::new(["--verbose"]).finish().unwrap_err();
        assert_eq!(err.0, "unexpected argument \"--verbose\"");
    }

    #[test]
    fn default_address_and_help() {
        let mut args = Args::new(["--help"]);
        assert!(args.wants_help());
        assert_eq!(args.addr(), Ok(DEFAULT_ADDR.parse().unwrap()));
        assert!(!Args::new(["x"]).wants_help());
    }
}
