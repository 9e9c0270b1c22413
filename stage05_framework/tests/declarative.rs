//! The route macro as `macro_rules!` could write it, for the book's contrast with the attribute:
//! it works, but it cannot look inside the pattern, so nothing checks that the pattern's names
//! and the function's parameters agree.

use stage05_framework::{App, Application, Input, Method, Request};

// ANCHOR: declarative_route
/// `get!(app, "/hello/{name}", fn hello(name) -> String { … })`: defines `hello` and adds the
/// route. Every parameter is a `&str` taken from the path by its name.
macro_rules! get {
    ($app:expr, $pattern:literal, fn $name:ident($($param:ident),*) -> $ret:ty $body:block) => {
        fn $name($($param: &str),*) -> $ret $body
        $app.get($pattern, |input: Input| {
            $name($(input.param(stringify!($param)).unwrap_or_default()),*)
        });
    };
}
// ANCHOR_END: declarative_route

fn text(app: &App, target: &str) -> String {
    let request = Request::new(Method::Get, target).expect("a valid target");
    String::from_utf8_lossy(app.call(request).wait().body()).into_owned()
}

#[test]
fn the_declarative_version_works_when_the_names_agree() {
    let mut app = App::new();
    get!(app, "/hello/{name}", fn hello(name) -> String {
        format!("Hello, {name}!")
    });
    assert_eq!(text(&app, "/hello/Ada"), "Hello, Ada!");
}

// ANCHOR: declarative_typo
#[test]
fn the_declarative_version_cannot_see_a_typo_in_the_pattern() {
    let mut app = App::new();
    // `{nmae}`: the pattern and the parameter disagree, and it compiles. The handler gets an
    // empty name on every request. The attribute refuses this at compile time.
    get!(app, "/hello/{nmae}", fn hello(name) -> String {
        format!("Hello, {name}!")
    });
    assert_eq!(text(&app, "/hello/Ada"), "Hello, !");
}
// ANCHOR_END: declarative_typo
