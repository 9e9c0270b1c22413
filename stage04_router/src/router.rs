//! The router: patterns in, handlers out, with every way a lookup can end spelled as a type.
//!
//! The path decides first and the method second. A path that matches no pattern is `404 Not Found`;
//! a path that matches but not with this method is `405 Method Not Allowed`, and the methods that
//! would have worked go in its `Allow` header. `HEAD` borrows the `GET` handler (the server drops
//! the body), and `OPTIONS` gets the `Allow` list unless a route handles it itself.

use std::borrow::Cow;
use std::fmt;

use stage03_parser::{Method, Request};

use crate::endpoint::{Endpoint, Entry};
use crate::error::RouteError;
use crate::params::{Params, decode_segment};
use crate::pattern::{self, split_path};
use crate::tree::{Capture, Node};

/// A route as it was added: its method (`None` for any method) and its pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The method it answers, or `None` for a route added with [`Router::any`].
    pub method: Option<Method>,
    /// The pattern, as written.
    pub pattern: String,
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.method {
            Some(method) => write!(f, "{method} {}", self.pattern),
            None => write!(f, "ANY {}", self.pattern),
        }
    }
}

// ANCHOR: lookup
/// How a lookup ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'r, H> {
    /// A route matched: call its handler with these parameters.
    Found { handler: &'r H, params: Params },
    /// The path matched nothing, but with its trailing slash added or removed it would:
    /// answer `308 Permanent Redirect` to `location` (add the query string back).
    Redirect { location: String },
    /// The path matched, the method did not: answer `405` with these methods in `Allow`.
    MethodNotAllowed { allow: Vec<Method> },
    /// An `OPTIONS` request no route handles: answer with these methods in `Allow`.
    Options { allow: Vec<Method> },
    /// No pattern matches the path: answer `404`.
    NotFound,
}
// ANCHOR_END: lookup

/// Patterns mapped to handlers of any type `H`, matched by a segment tree.
///
/// `H` is whatever the caller calls: a function pointer, a boxed closure, a framework's handler
/// object. The router only stores it and hands back a reference.
///
/// # Examples
///
/// ```
/// use stage04_router::{Lookup, Method, Router};
///
/// let mut router = Router::new();
/// router.route(Method::Get, "/items/new", "the form")?;
/// router.route(Method::Get, "/items/{id}", "one item")?;
/// router.route(Method::Post, "/items", "create")?;
///
/// // A literal beats a parameter, whatever order they were added in.
/// assert!(matches!(
///     router.lookup_raw(&Method::Get, "/items/new"),
///     Lookup::Found { handler: &"the form", .. }
/// ));
/// let Lookup::Found { handler, params } = router.lookup_raw(&Method::Get, "/items/42") else {
///     panic!("no match");
/// };
/// assert_eq!((*handler, params.get("id")), ("one item", Some("42")));
///
/// assert_eq!(router.lookup_raw(&Method::Get, "/nothing"), Lookup::NotFound);
/// assert_eq!(
///     router.lookup_raw(&Method::Get, "/items"),
///     Lookup::MethodNotAllowed { allow: vec![Method::Post, Method::Options] }
/// );
/// assert_eq!(
///     router.lookup_raw(&Method::Post, "/items/"),
///     Lookup::Redirect { location: "/items".to_string() }
/// );
/// # Ok::<(), stage04_router::RouteError>(())
/// ```
#[derive(Debug)]
pub struct Router<H> {
    root: Node<Endpoint<H>>,
    routes: Vec<Route>,
}

impl<H> Default for Router<H> {
    fn default() -> Router<H> {
        Router {
            root: Node::default(),
            routes: Vec::new(),
        }
    }
}

impl<H> Router<H> {
    /// A router with no routes: every lookup is [`Lookup::NotFound`].
    pub fn new() -> Router<H> {
        Router::default()
    }

    /// Adds `handler` for `method` requests whose path matches `pattern`.
    ///
    /// Fails, changing nothing, if the pattern is invalid or if a route already matches the same
    /// paths with the same method (the same pattern, or one that differs only in parameter names).
    pub fn route(&mut self, method: Method, pattern: &str, handler: H) -> Result<(), RouteError> {
        self.add(Some(method), pattern, handler)
    }

    /// Adds `handler` for requests of any method whose path matches `pattern`. A route for a
    /// specific method on the same pattern is preferred over this one.
    pub fn any(&mut self, pattern: &str, handler: H) -> Result<(), RouteError> {
        self.add(None, pattern, handler)
    }

    /// Every route, in the order it was added (for printing a route table).
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    // ANCHOR: add
    fn add(&mut self, method: Option<Method>, pattern: &str, handler: H) -> Result<(), RouteError> {
        let segments = pattern::parse(pattern)?;
        let new = Route {
            method,
            pattern: pattern.to_string(),
        };
        // Patterns that differ only in parameter names lead to the same endpoint.
        let endpoint = self
            .root
            .slot(&segments)
            .get_or_insert_with(Endpoint::default);
        if let Some(existing) = endpoint.entry_exactly(new.method.as_ref()) {
            let existing = Route {
                method: new.method.clone(),
                pattern: existing.pattern.clone(),
            };
            return Err(RouteError::Conflict {
                existing: existing.to_string(),
                new: new.to_string(),
            });
        }
        let entry = Entry {
            handler,
            names: pattern::names(&segments).cloned().collect(),
            pattern: new.pattern.clone(),
        };
        match &new.method {
            Some(m) => endpoint.methods.push((m.clone(), entry)),
            None => endpoint.any = Some(entry),
        }
        self.routes.push(new);
        Ok(())
    }
    // ANCHOR_END: add

    // ANCHOR: lookup_fn
    /// Finds what should answer `request`, from its method and its path as it was sent.
    ///
    /// The router reads the path from the request itself: it needs the path still
    /// percent-encoded, to split it at its real slashes before decoding each segment, and a
    /// caller handing it a decoded path would route `/files/a%2Fb` as `/files/a/b`.
    pub fn lookup(&self, request: &Request) -> Lookup<'_, H> {
        self.lookup_raw(&request.method, request.path())
    }

    /// Finds what should answer `method` on `path`: a path exactly as it came on the wire,
    /// still percent-encoded, with no query string. [`Router::lookup`] gets it from a request.
    pub fn lookup_raw(&self, method: &Method, path: &str) -> Lookup<'_, H> {
        let Some(segments) = decode_path(path) else {
            return Lookup::NotFound; // an escape that is not a name can match no route
        };
        let Some((endpoint, captures)) = self.root.find(&segments) else {
            return match self.slash_toggled(path) {
                Some(location) => Lookup::Redirect { location },
                None => Lookup::NotFound,
            };
        };
        let entry = endpoint.entry_for(method);
        match entry {
            Some(entry) => Lookup::Found {
                handler: &entry.handler,
                params: params(&entry.names, &captures, &segments),
            },
            None if *method == Method::Options => Lookup::Options {
                allow: endpoint.allow(),
            },
            None => Lookup::MethodNotAllowed {
                allow: endpoint.allow(),
            },
        }
    }
    // ANCHOR_END: lookup_fn

    // ANCHOR: trailing_slash
    /// `path` with its trailing slash removed (or one added), if that form has a route.
    fn slash_toggled(&self, path: &str) -> Option<String> {
        let other = match path.strip_suffix('/') {
            Some("") => return None, // `/` has no other form
            Some(without) => without.to_string(),
            None => format!("{path}/"),
        };
        if other.starts_with("//") || other.starts_with("/\\") {
            // A browser reads `Location: //evil.example` (and `/\evil.example`, the same to it)
            // as another site: redirecting there would make this site an open redirect.
            return None;
        }
        let segments = decode_path(&other)?;
        self.root.find(&segments).map(|_| other)
    }
    // ANCHOR_END: trailing_slash
}

/// The decoded segments of `path`, or `None` if it is not a path or an escape is malformed.
fn decode_path(path: &str) -> Option<Vec<Cow<'_, str>>> {
    if !path.starts_with('/') {
        return None; // `*` (for OPTIONS) or an absolute URL: the server's business, not a route's
    }
    split_path(path).map(decode_segment).collect()
}

/// Names the captured values.
fn params(names: &[String], captures: &[Capture], segments: &[Cow<'_, str>]) -> Params {
    let mut params = Params::new();
    for (name, capture) in names.iter().zip(captures) {
        let value = match *capture {
            Capture::One(i) => segments[i].to_string(),
            Capture::Rest(i) => segments[i..].join("/"),
        };
        params.append(name, value);
    }
    params
}

#[cfg(test)]
mod tests {
    use super::{Lookup, Router};
    use crate::error::RouteError;
    use stage03_parser::Method::{self, *};

    /// The handler is the route's own name, so a test can see which route answered.
    fn router(routes: &[(Option<Method>, &'static str)]) -> Router<String> {
        let mut router = Router::new();
        for (method, pattern) in routes {
            let name = match method {
                Some(m) => format!("{m} {pattern}"),
                None => format!("ANY {pattern}"),
            };
            let added = match method {
                Some(m) => router.route(m.clone(), pattern, name),
                None => router.any(pattern, name),
            };
            added.unwrap();
        }
        router
    }

    /// The outcome of a lookup as one line, to compare tables of cases at a glance.
    fn outcome(router: &Router<String>, method: Method, path: &str) -> String {
        let list = |allow: Vec<Method>| {
            let names: Vec<String> = allow.iter().map(ToString::to_string).collect();
            names.join(", ")
        };
        match router.lookup_raw(&method, path) {
            Lookup::Found { handler, params } => {
                let params: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
                format!("{handler} [{}]", params.join(" "))
            }
            Lookup::Redirect { location } => format!("308 {location}"),
            Lookup::MethodNotAllowed { allow } => format!("405 {}", list(allow)),
            Lookup::Options { allow } => format!("OPTIONS {}", list(allow)),
            Lookup::NotFound => "404".to_string(),
        }
    }

    fn check(router: &Router<String>, cases: &[(Method, &str, &str)]) {
        for (method, path, want) in cases {
            let got = outcome(router, method.clone(), path);
            assert_eq!(got, *want, "{method} {path}");
        }
    }

    fn demo() -> Router<String> {
        router(&[
            (Some(Get), "/"),
            (Some(Get), "/hello"),
            (Some(Get), "/hello/{name}"),
            (Some(Post), "/echo"),
            (None, "/debug/request"),
            (Some(Get), "/items/{id}"),
            (Some(Get), "/items/new"),
            (Some(Delete), "/items/{item}"),
            (Some(Get), "/static/{*path}"),
            (Some(Get), "/users/{user}/posts/{post}"),
            (Some(Get), "/docs/"),
        ])
    }

    #[test]
    fn paths_find_their_routes() {
        check(
            &demo(),
            &[
                (Get, "/", "GET / []"),
                (Get, "/hello", "GET /hello []"),
                (Get, "/hello/ferris", "GET /hello/{name} [name=ferris]"),
                (Get, "/items/new", "GET /items/new []"),
                (Get, "/items/42", "GET /items/{id} [id=42]"),
                (Delete, "/items/42", "DELETE /items/{item} [item=42]"),
                // The path decides first: `/items/new` is the literal route, which has no DELETE.
                (Delete, "/items/new", "405 GET, HEAD, OPTIONS"),
                (
                    Get,
                    "/users/ada/posts/7",
                    "GET /users/{user}/posts/{post} [user=ada post=7]",
                ),
                (
                    Get,
                    "/static/css/site.css",
                    "GET /static/{*path} [path=css/site.css]",
                ),
                (Get, "/static/a%20b/c", "GET /static/{*path} [path=a b/c]"),
                // Decoded like any parameter: the router does not judge `..`; a file server must.
                (
                    Get,
                    "/static/..%2Fsecret",
                    "GET /static/{*path} [path=../secret]",
                ),
                (Get, "/docs/", "GET /docs/ []"),
                (Get, "/nothing", "404"),
                (Get, "/hello/a/b", "404"),
                (Get, "/users/ada/posts", "404"),
                (Get, "/static/", "404"),
                (Get, "*", "404"),
                (Get, "http://example.com/", "404"),
                (Get, "", "404"),
            ],
        );
    }

    #[test]
    fn parameters_are_decoded_after_the_path_is_split() {
        check(
            &demo(),
            &[
                (Get, "/hello/Z%C3%BCrich", "GET /hello/{name} [name=Zürich]"),
                (Get, "/hello/%F0%9F%A6%80", "GET /hello/{name} [name=🦀]"),
                (Get, "/hello/日本", "GET /hello/{name} [name=日本]"),
                (Get, "/hello/a%2Fb", "GET /hello/{name} [name=a/b]"),
                (Get, "/hello/a%20b%3F%23", "GET /hello/{name} [name=a b?#]"),
                (Get, "/hello/a+b", "GET /hello/{name} [name=a+b]"),
                (Get, "/hell%6F", "GET /hello []"), // literals compare decoded text
                (Get, "/hello/%ZZ", "404"),
                (Get, "/hello/%FF", "404"),
                (Get, "/hello/100%", "404"),
            ],
        );
    }

    #[test]
    fn a_path_that_matches_with_another_method_is_405_with_allow() {
        check(
            &demo(),
            &[
                (Post, "/hello", "405 GET, HEAD, OPTIONS"),
                (Delete, "/", "405 GET, HEAD, OPTIONS"),
                (Get, "/echo", "405 POST, OPTIONS"),
                (Put, "/items/1", "405 GET, HEAD, DELETE, OPTIONS"),
                (Other("PURGE".into()), "/hello", "405 GET, HEAD, OPTIONS"),
                (Post, "/nothing", "404"), // no path, so no methods to offer
            ],
        );
    }

    #[test]
    fn head_uses_get_and_options_lists_the_methods() {
        let mut router = demo();
        router
            .route(Options, "/custom", "OPTIONS /custom".into())
            .unwrap();
        router.route(Head, "/hello", "HEAD /hello".into()).unwrap();
        check(
            &router,
            &[
                (Head, "/hello/ada", "GET /hello/{name} [name=ada]"),
                (Head, "/hello", "HEAD /hello []"), // its own HEAD route wins
                (Head, "/echo", "405 POST, OPTIONS"),
                (Options, "/hello/ada", "OPTIONS GET, HEAD, OPTIONS"),
                (Options, "/items/1", "OPTIONS GET, HEAD, DELETE, OPTIONS"),
                (Options, "/echo", "OPTIONS POST, OPTIONS"),
                (Options, "/custom", "OPTIONS /custom []"),
                (Options, "/nothing", "404"),
                // A route for any method answers everything, OPTIONS and HEAD included.
                (Options, "/debug/request", "ANY /debug/request []"),
                (Head, "/debug/request", "ANY /debug/request []"),
                (
                    Other("BREW".into()),
                    "/debug/request",
                    "ANY /debug/request []",
                ),
            ],
        );
    }

    #[test]
    fn a_method_route_beats_an_any_route_on_the_same_pattern() {
        let router = router(&[(None, "/x"), (Some(Get), "/x")]);
        check(
            &router,
            &[(Get, "/x", "GET /x []"), (Post, "/x", "ANY /x []")],
        );
    }

    #[test]
    fn a_trailing_slash_redirects_to_the_registered_form() {
        check(
            &demo(),
            &[
                (Get, "/hello/", "308 /hello"),
                (Get, "/hello/ferris/", "308 /hello/ferris"),
                (Post, "/echo/", "308 /echo"),
                (Get, "/docs", "308 /docs/"),
                (Delete, "/hello/", "308 /hello"), // the redirect is about the path only
                (Get, "/hello//", "404"),          // one slash, not any number
                (Get, "/nothing/", "404"),
                (Get, "/static/a/", "GET /static/{*path} [path=a/]"), // a catch-all keeps it
                (Get, "/h%65llo/", "308 /h%65llo"), // the client's spelling is kept
            ],
        );
        let both = router(&[(Some(Get), "/a"), (Some(Get), "/a/")]);
        check(
            &both,
            &[(Get, "/a", "GET /a []"), (Get, "/a/", "GET /a/ []")],
        );
    }

    #[test]
    fn a_trailing_slash_never_redirects_to_another_host() {
        // Routes whose first segment is the client's text: without the check, `/\evil.example/`
        // would redirect to `/\evil.example`, which a browser follows to evil.example.
        let router = router(&[(Some(Get), "/{user}"), (Some(Get), "//{user}/")]);
        check(
            &router,
            &[
                (Get, "/ada/", "308 /ada"),
                (Get, "/\\evil.example/", "404"),
                (Get, "//evil.example", "404"),
                (Get, "//evil.example/", "GET //{user}/ [user=evil.example]"),
                (Get, "/%2Fevil.example/", "308 /%2Fevil.example"), // escaped: a path again
            ],
        );
    }

    #[test]
    fn clashing_routes_are_refused_naming_both() {
        let cases: &[(Option<Method>, &str, Option<Method>, &str)] = &[
            (Some(Get), "/a", Some(Get), "/a"),
            (Some(Get), "/a/{x}", Some(Get), "/a/{y}"),
            (Some(Get), "/f/{*p}", Some(Get), "/f/{*q}"),
            (Some(Get), "/{a}/{b}", Some(Get), "/{c}/{d}"),
            (None, "/any", None, "/any"),
        ];
        for (m1, p1, m2, p2) in cases {
            let mut router = router(&[(m1.clone(), p1)]);
            let added = match m2 {
                Some(m) => router.route(m.clone(), p2, "second".into()),
                None => router.any(p2, "second".into()),
            };
            let label = |m: &Option<Method>| m.as_ref().map_or("ANY".into(), |m| m.to_string());
            let want = RouteError::Conflict {
                existing: format!("{} {p1}", label(m1)),
                new: format!("{} {p2}", label(m2)),
            };
            assert_eq!(added, Err(want), "{p1} then {p2}");
            assert_eq!(router.routes().len(), 1, "the refused route was not added");
        }
    }

    #[test]
    fn routes_that_can_be_told_apart_coexist() {
        let router = router(&[
            (Some(Get), "/a/{x}"),
            (Some(Post), "/a/{y}"),
            (None, "/a/{z}"),
            (Some(Get), "/a/b"),
            (Some(Get), "/a/{x}/c"),
            (Some(Get), "/a/{*rest}"),
        ]);
        check(
            &router,
            &[
                (Get, "/a/1", "GET /a/{x} [x=1]"),
                (Post, "/a/1", "POST /a/{y} [y=1]"),
                (Put, "/a/1", "ANY /a/{z} [z=1]"),
                (Get, "/a/b", "GET /a/b []"),
                (Get, "/a/b/c", "GET /a/{x}/c [x=b]"),
                (Get, "/a/b/d", "GET /a/{*rest} [rest=b/d]"),
            ],
        );
        let table: Vec<String> = router.routes().iter().map(ToString::to_string).collect();
        assert_eq!(table[0], "GET /a/{x}");
        assert_eq!(table[2], "ANY /a/{z}");
    }

    #[test]
    fn an_invalid_pattern_is_an_error_not_a_route() {
        let mut router: Router<()> = Router::new();
        let err = router.route(Get, "/users/{id", ()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid pattern \"/users/{id\" at byte 7: this `{` is never closed in its segment"
        );
        assert!(router.routes().is_empty());
        assert_eq!(router.lookup_raw(&Get, "/users/{id"), Lookup::NotFound);
    }

    #[test]
    fn lookup_reads_the_raw_path_from_the_request() {
        use stage03_parser::Request;
        let mut router = Router::new();
        router.route(Get, "/files/{name}", "file").unwrap();
        router
            .route(Get, "/files/{dir}/{name}", "in a folder")
            .unwrap();
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("/files/100%25", Some(("file", "100%"))),
            ("/files/a%2Fb", Some(("file", "a/b"))), // one segment: %2F is not a separator
            ("/files/a/b?x=%zz", Some(("in a folder", "b"))),
            ("/files/a.txt%00.png", None), // NUL is never part of a name
            ("/files/%FF", None),          // not UTF-8: no name
        ];
        for (target, want) in cases {
            let request = Request::new(Get, target).unwrap();
            let got = match router.lookup(&request) {
                Lookup::Found { handler, params } => {
                    Some((*handler, params.get("name").unwrap_or_default().to_string()))
                }
                Lookup::NotFound => None,
                other => panic!("{target}: {other:?}"),
            };
            let want = want.map(|(h, v)| (h, v.to_string()));
            assert_eq!(got, want, "{target}");
        }
    }
}
