//! The segment tree: one node per distinct path prefix, so finding a route costs one step per
//! segment of the path, however many routes there are.
//!
//! Each node has up to three kinds of child, tried in a fixed order that *is* the precedence rule:
//! literal segments first (found by hashing, so a level with a thousand literals costs what a level
//! with one does), then the one parameter child, then a catch-all. When a branch turns out to be a
//! dead end further down, the search comes back and tries the next kind (backtracking), so
//! `/a/b/c` and `/a/{x}/d` both work for the paths you would expect.

use std::collections::HashMap;

use crate::pattern::Segment;

/// Where a parameter's value is in the path being looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Capture {
    /// The segment at this index.
    One(usize),
    /// Every segment from this index on, joined with `/`.
    Rest(usize),
}

// ANCHOR: node
/// A node of the tree, holding `V` (the router keeps its per-method handlers there) when a
/// pattern ends at it.
#[derive(Debug)]
pub(crate) struct Node<V> {
    /// Set when a pattern ends here.
    value: Option<V>,
    /// Children reached by one literal segment, by its text.
    literals: HashMap<String, Node<V>>,
    /// The child reached by `{name}`; the name is kept by the route, not the node, so
    /// `GET /users/{id}` and `DELETE /users/{user}` can share it.
    param: Option<Box<Node<V>>>,
    /// The value of a `{*name}` pattern ending here; nothing can follow a catch-all.
    catch_all: Option<V>,
}
// ANCHOR_END: node

impl<V> Default for Node<V> {
    fn default() -> Node<V> {
        Node {
            value: None,
            literals: HashMap::new(),
            param: None,
            catch_all: None,
        }
    }
}

impl<V> Node<V> {
    /// The place for the value of the pattern made of `segments`, created on the way if needed.
    ///
    /// Two patterns that differ only in parameter names reach the same place, which is how the
    /// router notices that they can never be told apart.
    pub(crate) fn slot(&mut self, segments: &[Segment]) -> &mut Option<V> {
        let Some((first, rest)) = segments.split_first() else {
            return &mut self.value;
        };
        match first {
            Segment::Literal(text) => self.literals.entry(text.clone()).or_default().slot(rest),
            Segment::Param(_) => self.param.get_or_insert_with(Box::default).slot(rest),
            // pattern::parse guarantees a catch-all is last, so `rest` is empty here.
            Segment::CatchAll(_) => &mut self.catch_all,
        }
    }

    /// The value whose pattern matches `segments`, with where its parameters are.
    pub(crate) fn find<S: AsRef<str>>(&self, segments: &[S]) -> Option<(&V, Vec<Capture>)> {
        let mut captures = Vec::new();
        let value = self.find_from(segments, 0, &mut captures)?;
        Some((value, captures))
    }

    // ANCHOR: find_from
    fn find_from<S: AsRef<str>>(
        &self,
        segments: &[S],
        index: usize,
        captures: &mut Vec<Capture>,
    ) -> Option<&V> {
        let Some(segment) = segments.get(index) else {
            return self.value.as_ref();
        };
        let segment = segment.as_ref();
        // 1. A literal segment is the most specific match.
        if let Some(child) = self.literals.get(segment) {
            if let Some(value) = child.find_from(segments, index + 1, captures) {
                return Some(value);
            }
        }
        // 2. Then a parameter, which never matches an empty segment (`/hello/` is not a name).
        if let Some(child) = self.param.as_deref().filter(|_| !segment.is_empty()) {
            captures.push(Capture::One(index));
            if let Some(value) = child.find_from(segments, index + 1, captures) {
                return Some(value);
            }
            captures.pop(); // a dead end: forget what this branch captured
        }
        // 3. Last, a catch-all takes the rest of the path, if there is any rest.
        let rest_is_empty = index + 1 == segments.len() && segment.is_empty();
        match &self.catch_all {
            Some(value) if !rest_is_empty => {
                captures.push(Capture::Rest(index));
                Some(value)
            }
            _ => None,
        }
    }
    // ANCHOR_END: find_from
}

#[cfg(test)]
mod tests {
    use super::{Capture, Node};
    use crate::pattern::{parse, split_path};

    fn tree(patterns: &[&str]) -> Node<String> {
        let mut root = Node::default();
        for pattern in patterns {
            let segments = parse(pattern).unwrap();
            *root.slot(&segments) = Some(pattern.to_string());
        }
        root
    }

    fn find<'t>(root: &'t Node<String>, path: &str) -> Option<(&'t str, Vec<Capture>)> {
        let segments: Vec<&str> = split_path(path).collect();
        root.find(&segments).map(|(v, c)| (v.as_str(), c))
    }

    #[test]
    fn precedence_does_not_depend_on_registration_order() {
        use Capture::*;
        let patterns = [
            "/",
            "/items/new",
            "/items/{id}",
            "/items/{*rest}",
            "/a/b/c",
            "/a/{x}/d",
            "/a/{x}/{y}",
        ];
        type Want = Option<(&'static str, &'static [Capture])>;
        let cases: &[(&str, Want)] = &[
            ("/", Some(("/", &[]))),
            ("/items/new", Some(("/items/new", &[]))),
            ("/items/7", Some(("/items/{id}", &[One(1)]))),
            ("/items/7/x", Some(("/items/{*rest}", &[Rest(1)]))),
            ("/items/", None),
            ("/items", None),
            ("/a/b/c", Some(("/a/b/c", &[]))),
            // The literal `b` leads to a dead end (no `d` under it): back up and try `{x}`.
            ("/a/b/d", Some(("/a/{x}/d", &[One(1)]))),
            ("/a/z/d", Some(("/a/{x}/d", &[One(1)]))),
            ("/a/b/e", Some(("/a/{x}/{y}", &[One(1), One(2)]))),
            ("/a/b", None),
            ("/nowhere", None),
        ];
        let mut reversed = patterns;
        reversed.reverse();
        for order in [&patterns[..], &reversed[..]] {
            let root = tree(order);
            for (path, want) in cases {
                let got = find(&root, path);
                let got = got.as_ref().map(|(v, c)| (*v, c.as_slice()));
                assert_eq!(got, *want, "{path} with routes added in order {order:?}");
            }
        }
    }

    #[test]
    fn a_catch_all_takes_any_non_empty_rest() {
        let root = tree(&["/static/{*path}"]);
        let cases = [
            ("/static/a", true),
            ("/static/a/b/c.css", true),
            ("/static/a/", true),
            ("/static//", true),
            ("/static/", false),
            ("/static", false),
        ];
        for (path, matches) in cases {
            assert_eq!(find(&root, path).is_some(), matches, "{path}");
        }
    }

    #[test]
    fn names_do_not_make_patterns_different() {
        let mut root: Node<u8> = Node::default();
        let first = parse("/a/{x}").unwrap();
        let second = parse("/a/{y}").unwrap();
        *root.slot(&first) = Some(1);
        assert_eq!(
            *root.slot(&second),
            Some(1),
            "same place, so the router can refuse it"
        );
    }
}
