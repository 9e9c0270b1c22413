//! Where the chapter starts: a map from exact `(method, path)` pairs to handlers, and the point
//! where it stops being enough. The book quotes this file; the crate's API is the tree router.

use std::collections::HashMap;

use stage04_router::{Lookup, Method, Router};

// ANCHOR: static_table
/// The simplest router that works: one entry per method and exact path.
struct StaticTable<H> {
    routes: HashMap<(Method, String), H>,
}

impl<H> StaticTable<H> {
    fn new() -> StaticTable<H> {
        StaticTable {
            routes: HashMap::new(),
        }
    }

    fn add(&mut self, method: Method, path: &str, handler: H) {
        self.routes.insert((method, path.to_string()), handler);
    }

    fn find(&self, method: Method, path: &str) -> Option<&H> {
        self.routes.get(&(method, path.to_string()))
    }
}
// ANCHOR_END: static_table

type Handler = fn(&str) -> String;

fn hello(_path: &str) -> String {
    "Hello, World!".to_string()
}

fn hello_name(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or_default();
    format!("Hello, {name}!")
}

#[test]
fn exact_paths_are_all_a_static_table_knows() {
    let mut table: StaticTable<Handler> = StaticTable::new();
    table.add(Method::Get, "/hello", hello);
    let answer = |method, path: &str| table.find(method, path).map(|h| h(path));

    assert_eq!(
        answer(Method::Get, "/hello").as_deref(),
        Some("Hello, World!")
    );
    // Its limits, each something a user notices:
    // 1. a name in the path needs one entry per name, and there are infinitely many names;
    assert_eq!(answer(Method::Get, "/hello/ferris"), None);
    // 2. a wrong method looks exactly like a missing page: nothing says which methods would work,
    //    so the server can only answer 404 where HTTP wants 405 with `Allow`.
    assert_eq!(answer(Method::Post, "/hello"), None);
    assert_eq!(answer(Method::Post, "/nowhere"), None);
}

#[test]
fn the_tree_router_does_what_the_table_cannot() {
    let mut router: Router<Handler> = Router::new();
    router.route(Method::Get, "/hello", hello).unwrap();
    router
        .route(Method::Get, "/hello/{name}", hello_name)
        .unwrap();

    let Lookup::Found { handler, params } = router.lookup_raw(&Method::Get, "/hello/ferris") else {
        panic!("/hello/ferris should match /hello/{{name}}");
    };
    assert_eq!(handler("/hello/ferris"), "Hello, ferris!");
    assert_eq!(params.get("name"), Some("ferris"));
    assert_eq!(
        router.lookup_raw(&Method::Post, "/hello"),
        Lookup::MethodNotAllowed {
            allow: vec![Method::Get, Method::Head, Method::Options]
        }
    );
    assert_eq!(
        router.lookup_raw(&Method::Post, "/nowhere"),
        Lookup::NotFound
    );
}
