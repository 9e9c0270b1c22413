//! Route patterns: `/hello/{name}`, `/static/{*path}`, read once into segments.
//!
//! A pattern is a path split at `/`, each segment either literal text, a parameter `{name}` that
//! matches any one non-empty segment, or (last only) a catch-all `{*name}` that matches the rest of
//! the path. A parameter is always a whole segment: `/{id}.json` is refused rather than half
//! supported, which keeps matching a plain comparison of whole segments with no regular expressions.

use crate::error::{PatternProblem, RouteError};

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Matches exactly this (decoded) text.
    Literal(String),
    /// `{name}`: matches one non-empty segment.
    Param(String),
    /// `{*name}`: matches the non-empty rest of the path, slashes included.
    CatchAll(String),
}

// ANCHOR: split_path
/// The segments of a path: `/` is `[""]`, `/a/b/` is `["a", "b", ""]`.
///
/// The leading `/` is dropped and every other one separates, so a trailing slash shows up as a
/// final empty segment, which is what lets `/hello` and `/hello/` be told apart.
pub fn split_path(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}
// ANCHOR_END: split_path

/// Reads a whole pattern, or says where it is wrong.
pub(crate) fn parse(pattern: &str) -> Result<Vec<Segment>, RouteError> {
    let fail = |position, problem| RouteError::InvalidPattern {
        pattern: pattern.to_string(),
        position,
        problem,
    };
    if !pattern.starts_with('/') {
        return Err(fail(0, PatternProblem::NoLeadingSlash));
    }
    let mut segments: Vec<Segment> = Vec::new();
    let mut start = 1; // where the current segment starts in `pattern`
    let mut catch_all_at = None;
    for text in split_path(pattern) {
        if let Some(at) = catch_all_at {
            // Point at the catch-all itself: it is the thing in the wrong place.
            return Err(fail(at, PatternProblem::CatchAllNotLast));
        }
        let segment = parse_segment(text).map_err(|(at, problem)| fail(start + at, problem))?;
        match &segment {
            Segment::Param(name) | Segment::CatchAll(name)
                if names(&segments).any(|n| n == name) =>
            {
                return Err(fail(start, PatternProblem::DuplicateName));
            }
            Segment::CatchAll(_) => catch_all_at = Some(start),
            _ => {}
        }
        segments.push(segment);
        start += text.len() + 1;
    }
    Ok(segments)
}

/// The parameter names of parsed segments, in order.
pub(crate) fn names(segments: &[Segment]) -> impl Iterator<Item = &String> {
    segments.iter().filter_map(|s| match s {
        Segment::Param(name) | Segment::CatchAll(name) => Some(name),
        Segment::Literal(_) => None,
    })
}

/// One segment's text, or the offset in it where it goes wrong.
fn parse_segment(text: &str) -> Result<Segment, (usize, PatternProblem)> {
    let Some(inner) = text.strip_prefix('{') else {
        if let Some(at) = text.find('{') {
            return Err((at, PatternProblem::MixedSegment));
        }
        if let Some(at) = text.find('}') {
            return Err((at, PatternProblem::UnopenedBrace));
        }
        return Ok(Segment::Literal(text.to_string()));
    };
    let Some(close) = inner.find('}') else {
        return Err((0, PatternProblem::UnclosedBrace));
    };
    let name = &inner[..close];
    if let Some(at) = name.find('{') {
        return Err((at + 1, PatternProblem::MixedSegment));
    }
    if close + 2 != text.len() {
        return Err((close + 2, PatternProblem::MixedSegment));
    }
    match name.strip_prefix('*') {
        _ if name.is_empty() || name == "*" => Err((0, PatternProblem::EmptyName)),
        Some(rest) => Ok(Segment::CatchAll(rest.to_string())),
        None => Ok(Segment::Param(name.to_string())),
    }
}

/// The names a pattern gives its parameters, in order, or why the pattern is invalid:
/// `["id"]` for `/items/{id}`. Chapter 5's route macros check each pattern with it while the
/// program compiles, so a typo in a route is a compile error rather than a panic at start-up.
///
/// # Examples
///
/// ```
/// use stage04_router::parameter_names;
///
/// assert_eq!(parameter_names("/files/{dir}/{*rest}").unwrap(), ["dir", "rest"]);
/// assert!(parameter_names("/users/{id").is_err());
/// ```
pub fn parameter_names(pattern: &str) -> Result<Vec<String>, RouteError> {
    let segments = parse(pattern)?;
    Ok(names(&segments).cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::{Segment, parse, split_path};
    use crate::error::{PatternProblem, RouteError};

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.into())
    }

    #[test]
    fn paths_split_into_segments() {
        let cases: &[(&str, &[&str])] = &[
            ("/", &[""]),
            ("/a", &["a"]),
            ("/a/", &["a", ""]),
            ("/a/b", &["a", "b"]),
            ("//a", &["", "a"]),
        ];
        for (path, want) in cases {
            assert_eq!(split_path(path).collect::<Vec<_>>(), *want, "{path}");
        }
    }

    #[test]
    fn good_patterns_parse() {
        let cases = [
            ("/", vec![lit("")]),
            ("/hello", vec![lit("hello")]),
            ("/hello/", vec![lit("hello"), lit("")]),
            (
                "/hello/{name}",
                vec![lit("hello"), Segment::Param("name".into())],
            ),
            (
                "/static/{*path}",
                vec![lit("static"), Segment::CatchAll("path".into())],
            ),
            (
                "/{a}/{b}",
                vec![Segment::Param("a".into()), Segment::Param("b".into())],
            ),
            ("/café", vec![lit("café")]),
        ];
        for (pattern, want) in cases {
            assert_eq!(parse(pattern), Ok(want), "{pattern}");
        }
    }

    #[test]
    fn bad_patterns_say_where() {
        use PatternProblem::*;
        let cases = [
            ("hello", 0, NoLeadingSlash),
            ("", 0, NoLeadingSlash),
            ("/a/{b", 3, UnclosedBrace),
            ("/a/{b/c}", 3, UnclosedBrace),
            ("/a/b}", 4, UnopenedBrace),
            ("/{}", 1, EmptyName),
            ("/x/{*}", 3, EmptyName),
            ("/files/{*path}/raw", 7, CatchAllNotLast),
            ("/files/{*path}/", 7, CatchAllNotLast),
            ("/{id}.json", 5, MixedSegment),
            ("/v{n}", 2, MixedSegment),
            ("/{a{b}}", 3, MixedSegment),
            ("/{id}/x/{id}", 8, DuplicateName),
            ("/{id}/{*id}", 6, DuplicateName),
        ];
        for (pattern, position, problem) in cases {
            let want = RouteError::InvalidPattern {
                pattern: pattern.into(),
                position,
                problem,
            };
            assert_eq!(parse(pattern), Err(want), "{pattern}");
        }
    }
}
