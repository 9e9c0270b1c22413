//! What can go wrong when a route is added: a pattern that does not parse, or one that clashes
//! with a route already there.
//!
//! Both are the programmer's mistakes, found when the table is built rather than on the first
//! request, so each one carries everything needed to fix it without a debugger: the pattern and the
//! byte where it goes wrong, or both routes of a conflict (matchit's `InsertError::Conflict` does
//! the same, and that is where the habit comes from).

use std::fmt;

/// Why a route could not be added.
///
/// # Examples
///
/// ```
/// use stage04_router::{Method, RouteError, Router};
///
/// let mut router = Router::new();
/// router.route(Method::Get, "/users/{id}", "one user").unwrap();
/// let clash = router.route(Method::Get, "/users/{name}", "another").unwrap_err();
/// assert_eq!(
///     clash.to_string(),
///     "GET /users/{name} conflicts with GET /users/{id}: both match the same paths"
/// );
///
/// let bad = router.route(Method::Get, "/files/{*path}/raw", "x").unwrap_err();
/// assert!(matches!(bad, RouteError::InvalidPattern { position: 7, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// The new route would match exactly the paths (and method) an existing one matches.
    Conflict {
        /// The route already in the table, as `METHOD /pattern`.
        existing: String,
        /// The route that was refused, as `METHOD /pattern`.
        new: String,
    },
    /// The pattern is not well formed.
    InvalidPattern {
        /// The pattern as it was given.
        pattern: String,
        /// The byte offset in `pattern` where the problem starts.
        position: usize,
        /// What is wrong there.
        problem: PatternProblem,
    },
}

/// What is wrong with a pattern, at the position [`RouteError::InvalidPattern`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternProblem {
    /// A pattern is a path, so it starts with `/`.
    NoLeadingSlash,
    /// A `{` with no `}` in the same segment.
    UnclosedBrace,
    /// A `}` with no `{` before it.
    UnopenedBrace,
    /// `{}` or `{*}`: a parameter needs a name to be looked up by.
    EmptyName,
    /// `{*rest}` takes the rest of the path, so nothing may follow it.
    CatchAllNotLast,
    /// Text and a parameter in one segment (`/{id}.json`): a parameter is a whole segment here.
    MixedSegment,
    /// The same parameter name twice in one pattern: a lookup by name could not say which.
    DuplicateName,
}

impl PatternProblem {
    fn explain(self) -> &'static str {
        match self {
            PatternProblem::NoLeadingSlash => "a pattern must start with `/`",
            PatternProblem::UnclosedBrace => "this `{` is never closed in its segment",
            PatternProblem::UnopenedBrace => "this `}` closes nothing",
            PatternProblem::EmptyName => "a parameter needs a name, like `{id}` or `{*rest}`",
            PatternProblem::CatchAllNotLast => "a catch-all `{*name}` must be the last segment",
            PatternProblem::MixedSegment => {
                "a parameter must be a whole segment, with no text around it"
            }
            PatternProblem::DuplicateName => "this parameter name is already used in the pattern",
        }
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::Conflict { existing, new } => {
                write!(
                    f,
                    "{new} conflicts with {existing}: both match the same paths"
                )
            }
            RouteError::InvalidPattern {
                pattern,
                position,
                problem,
            } => write!(
                f,
                "invalid pattern {pattern:?} at byte {position}: {}",
                problem.explain()
            ),
        }
    }
}

impl std::error::Error for RouteError {}
