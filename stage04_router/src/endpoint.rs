//! What one path answers, by method: the second half of a lookup, once the tree has found the path.
//!
//! Keeping the methods at the end of the path (rather than one tree per method) is what lets the
//! router tell `404` (no path) from `405` (a path, not this method) and list the methods for
//! `Allow`; axum's method router sits in the same place.

use stage03_parser::Method;

/// One handler and the names its pattern gives to the captured values.
#[derive(Debug)]
pub(crate) struct Entry<H> {
    pub(crate) handler: H,
    pub(crate) names: Vec<String>,
    /// The pattern as written, to name this route in a conflict.
    pub(crate) pattern: String,
}

/// Everything registered for one shape of path, by method.
#[derive(Debug)]
pub(crate) struct Endpoint<H> {
    pub(crate) methods: Vec<(Method, Entry<H>)>,
    pub(crate) any: Option<Entry<H>>,
}

impl<H> Default for Endpoint<H> {
    fn default() -> Endpoint<H> {
        Endpoint {
            methods: Vec::new(),
            any: None,
        }
    }
}

impl<H> Endpoint<H> {
    /// The entry added for exactly this method (`None`: the any-method entry), if there is one.
    pub(crate) fn entry_exactly(&self, method: Option<&Method>) -> Option<&Entry<H>> {
        match method {
            Some(m) => self.methods.iter().find(|(e, _)| e == m).map(|(_, h)| h),
            None => self.any.as_ref(),
        }
    }

    /// The handler for `method`: its own, `GET`'s for `HEAD`, or the any-method one.
    pub(crate) fn entry_for(&self, method: &Method) -> Option<&Entry<H>> {
        let get_for_head = || match method {
            Method::Head => self.entry_exactly(Some(&Method::Get)),
            _ => None,
        };
        self.entry_exactly(Some(method))
            .or_else(get_for_head)
            .or(self.any.as_ref())
    }

    /// The methods this path answers, for `Allow`: `HEAD` wherever `GET` is, `OPTIONS` always.
    pub(crate) fn allow(&self) -> Vec<Method> {
        let mut allow: Vec<Method> = self.methods.iter().map(|(m, _)| m.clone()).collect();
        if allow.contains(&Method::Get) && !allow.contains(&Method::Head) {
            allow.push(Method::Head);
        }
        if !allow.contains(&Method::Options) {
            allow.push(Method::Options);
        }
        allow.sort_by_key(rank);
        allow
    }
}

/// A fixed order for `Allow`, so the header reads the same whatever order routes were added in:
/// the common methods first, the rarer ones after, then extension methods by name.
fn rank(method: &Method) -> (u8, String) {
    let standard = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Patch,
        Method::Options,
        Method::Trace,
        Method::Connect,
    ];
    match standard.iter().position(|m| m == method) {
        Some(i) => (i as u8, String::new()),
        None => (u8::MAX, method.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::{Endpoint, Entry};
    use stage03_parser::Method::{self, *};

    fn endpoint(methods: &[Method]) -> Endpoint<()> {
        let entry = || Entry {
            handler: (),
            names: Vec::new(),
            pattern: "/x".into(),
        };
        Endpoint {
            methods: methods.iter().map(|m| (m.clone(), entry())).collect(),
            any: None,
        }
    }

    #[test]
    fn allow_lists_methods_in_one_order_whatever_order_they_came_in() {
        let brew = || Other("BREW".to_string());
        let cases: &[(&[Method], &[Method])] = &[
            (&[Get], &[Get, Head, Options]),
            (&[Post], &[Post, Options]),
            (&[Delete, Post, Get], &[Get, Head, Post, Delete, Options]),
            (&[Head], &[Head, Options]),
            (&[Options, Get, Head], &[Get, Head, Options]),
            (&[brew(), Patch, Trace], &[Patch, Options, Trace, brew()]),
        ];
        for (added, allow) in cases {
            assert_eq!(endpoint(added).allow(), *allow, "{added:?}");
        }
    }

    #[test]
    fn head_borrows_get_and_nothing_else() {
        let cases = [(Get, true), (Head, true), (Post, false), (Options, false)];
        let only_get = endpoint(&[Get]);
        for (method, found) in cases {
            assert_eq!(only_get.entry_for(&method).is_some(), found, "{method}");
        }
        assert!(endpoint(&[Post]).entry_for(&Head).is_none());
    }
}
