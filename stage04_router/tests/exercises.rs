//! Chapter 4's exercises, easy to hard. Each test fails until its exercise is solved;
//! `cargo test -p stage04_router --test exercises exercise_4_1 -- --ignored` runs one.

use stage04_router::{Lookup, Method, Router};

fn found(router: &Router<&'static str>, method: Method, path: &str) -> Option<&'static str> {
    match router.lookup_raw(&method, path) {
        Lookup::Found { handler, .. } => Some(*handler),
        _ => None,
    }
}

/// Exercise 4.1 (easy): a path with several trailing slashes redirects to the registered form too.
#[test]
#[ignore = "exercise 4.1: redirect any number of trailing slashes"]
fn exercise_4_1_many_trailing_slashes_redirect() {
    let mut router = Router::new();
    router.route(Method::Get, "/hello", "hello").unwrap();
    let cases = [("/hello//", "/hello"), ("/hello///", "/hello")];
    for (path, location) in cases {
        let want = Lookup::Redirect {
            location: location.to_string(),
        };
        assert_eq!(router.lookup_raw(&Method::Get, path), want, "{path}");
    }
    // A catch-all still keeps what it was given.
    router
        .route(Method::Get, "/files/{*path}", "files")
        .unwrap();
    assert_eq!(found(&router, Method::Get, "/files/a//"), Some("files"));
}

/// Exercise 4.2 (medium): let the method take part in the search, so a parameter route with the
/// right method is found behind a literal route with the wrong one.
#[test]
#[ignore = "exercise 4.2: backtrack on the method as well as the path"]
fn exercise_4_2_the_method_takes_part_in_the_search() {
    let mut router = Router::new();
    router.route(Method::Get, "/items/new", "form").unwrap();
    router
        .route(Method::Delete, "/items/{id}", "delete")
        .unwrap();
    assert_eq!(found(&router, Method::Get, "/items/new"), Some("form"));
    assert_eq!(found(&router, Method::Delete, "/items/7"), Some("delete"));
    // Today the literal `/items/new` wins on the path alone and answers 405.
    assert_eq!(found(&router, Method::Delete, "/items/new"), Some("delete"));
    // The `Allow` of a real 405 lists the methods of every route that matches the path.
    assert_eq!(
        router.lookup_raw(&Method::Put, "/items/new"),
        Lookup::MethodNotAllowed {
            allow: vec![Method::Get, Method::Head, Method::Delete, Method::Options]
        }
    );
}

/// Exercise 4.3 (hard): a parameter with text around it in one segment, like `/files/{name}.json`.
#[test]
#[ignore = "exercise 4.3: parameters with a literal prefix or suffix in their segment"]
fn exercise_4_3_parameters_with_a_suffix() {
    let mut router = Router::new();
    router
        .route(Method::Get, "/files/{name}.json", "json")
        .unwrap();
    router.route(Method::Get, "/files/{name}", "any").unwrap();
    router
        .route(Method::Get, "/v{version}/status", "status")
        .unwrap();
    let cases = [
        ("/files/report.json", Some("json"), "name", "report"),
        ("/files/a.b.json", Some("json"), "name", "a.b"),
        ("/files/report.txt", Some("any"), "name", "report.txt"),
        ("/files/.json", Some("any"), "name", ".json"), // the parameter part may not be empty
        ("/v2/status", Some("status"), "version", "2"),
    ];
    for (path, handler, name, value) in cases {
        let Lookup::Found { handler: h, params } = router.lookup_raw(&Method::Get, path) else {
            panic!("{path} should match");
        };
        assert_eq!(
            (Some(*h), params.get(name)),
            (handler, Some(value)),
            "{path}"
        );
    }
    assert_eq!(
        router.lookup_raw(&Method::Get, "/v/status"),
        Lookup::NotFound
    );
}
