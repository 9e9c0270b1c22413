//! Chapter 4's promise, kept by every later server: the demo site's first routes answer, an unknown
//! path is a 404 page, a known path with the wrong method is a 405 with `Allow`, `HEAD` and
//! `OPTIONS` work wherever `GET` does, and a stray trailing slash is a permanent redirect.

use std::net::SocketAddr;

use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;
use tests::raw::exchange;

use super::Case;
use super::http_basics::well_formed;

pub const CASES: &[Case] = &[
    ("GET / is an HTML page linking to the routes", home_page),
    ("GET /hello says Hello, World!", hello),
    ("GET /hello/{name} greets the decoded name", hello_name),
    ("POST /echo sends the body back with its type", echo),
    ("POST /echo without a type is octet-stream", echo_untyped),
    ("/debug/request mirrors any method as JSON", debug_request),
    ("an unknown path is a 404 HTML page", not_found),
    ("a wrong method is a 405 with Allow", method_not_allowed),
    ("HEAD is GET without the body", head),
    ("OPTIONS answers with Allow", options),
    (
        "a trailing slash is a 308 to the route, query kept",
        trailing_slash,
    ),
    (
        "a client following the 308 gets the page",
        trailing_slash_followed,
    ),
    ("a POST follows a 308 with its body", post_follows_308),
    (
        "an absolute-form target is routed by its path",
        absolute_form,
    ),
    (
        "the path is decoded per segment: %2F stays in the name, %00 matches nothing",
        path_decoded_per_segment,
    ),
    (
        "a query that does not decode is an error only where it is read",
        query_decoded_when_read,
    ),
];

/// Status and body of a raw GET: raw, because reqwest would fix up the escapes we send.
fn raw_get(addr: SocketAddr, target: &str) -> (u16, String) {
    let request = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
    let response = well_formed(&exchange(addr, request.as_bytes()));
    (response.status, response.text())
}

fn path_decoded_per_segment(addr: SocketAddr) {
    assert_eq!(raw_get(addr, "/hello/a%2Fb"), (200, "Hello, a/b!".into()));
    assert_eq!(raw_get(addr, "/hello/100%25"), (200, "Hello, 100%!".into()));
    for target in ["/hello/a%00b", "/hello/a%0D%0Ab"] {
        assert_eq!(raw_get(addr, target).0, 404, "{target}");
    }
}

fn query_decoded_when_read(addr: SocketAddr) {
    // `/hello` never reads its query, so a broken escape there changes nothing...
    assert_eq!(
        raw_get(addr, "/hello?q=100%"),
        (200, "Hello, World!".into())
    );
    // ...and the mirror, which does, says what is wrong with it.
    let (status, body) = raw_get(addr, "/debug/request?q=100%");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("invalid query"), "{body}");
}

fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

fn header(response: &Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_string()
}

fn get(addr: SocketAddr, path: &str) -> Response {
    client().get(format!("http://{addr}{path}")).send().unwrap()
}

fn home_page(addr: SocketAddr) {
    let response = get(addr, "/");
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("text/html"));
    let page = response.text().unwrap();
    for link in [
        "href=\"/hello\"",
        "href=\"/hello/",
        "href=\"/debug/request",
        "action=\"/echo\"",
    ] {
        assert!(page.contains(link), "no {link} in {page}");
    }
}

fn hello(addr: SocketAddr) {
    let response = get(addr, "/hello");
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("text/plain"));
    assert_eq!(response.text().unwrap(), "Hello, World!");
}

fn hello_name(addr: SocketAddr) {
    let cases = [
        ("/hello/ferris", "Hello, ferris!"),
        ("/hello/Z%C3%BCrich", "Hello, Zürich!"),
        ("/hello/Ada%20Lovelace", "Hello, Ada Lovelace!"),
        ("/hello/a%2Fb", "Hello, a/b!"),
        ("/hello/%F0%9F%A6%80", "Hello, 🦀!"),
    ];
    for (path, greeting) in cases {
        let response = get(addr, path);
        assert_eq!(response.status(), 200, "{path}");
        assert!(header(&response, "content-type").starts_with("text/plain"));
        assert_eq!(response.text().unwrap(), greeting, "{path}");
    }
}

fn echo(addr: SocketAddr) {
    let body = "{\"a\": [1, 2]}";
    let response = client()
        .post(format!("http://{addr}/echo"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "application/json");
    assert_eq!(response.text().unwrap(), body);
}

fn echo_untyped(addr: SocketAddr) {
    let answer = exchange(
        addr,
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n\x00\xffab",
    );
    let response = well_formed(&answer);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Content-Type"),
        Some("application/octet-stream")
    );
    assert_eq!(response.body, b"\x00\xffab");
}

fn debug_request(addr: SocketAddr) {
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let response = client()
            .request(
                method.parse().unwrap(),
                format!("http://{addr}/debug/request?x=1"),
            )
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{method}");
        assert!(header(&response, "content-type").starts_with("application/json"));
        let text = response.text().unwrap();
        assert!(text.contains(&format!("\"{method}\"")), "{method}: {text}");
    }
}

fn not_found(addr: SocketAddr) {
    for path in ["/nowhere", "/hello/a/b", "/echo/x", "/debug"] {
        let response = get(addr, path);
        assert_eq!(response.status(), 404, "{path}");
        assert!(header(&response, "content-type").starts_with("text/html"));
        assert!(response.text().unwrap().contains("404"), "{path}");
    }
}

fn method_not_allowed(addr: SocketAddr) {
    let cases = [
        ("POST", "/hello", "GET, HEAD, OPTIONS"),
        ("DELETE", "/hello/ada", "GET, HEAD, OPTIONS"),
        ("GET", "/echo", "POST, OPTIONS"),
        ("PUT", "/", "GET, HEAD, OPTIONS"),
    ];
    for (method, path, allow) in cases {
        let answer = exchange(
            addr,
            format!("{method} {path} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").as_bytes(),
        );
        let response = well_formed(&answer);
        assert_eq!(response.status, 405, "{method} {path}");
        assert_eq!(response.header("Allow"), Some(allow), "{method} {path}");
    }
}

fn head(addr: SocketAddr) {
    for path in ["/hello", "/hello/ada", "/"] {
        let get = well_formed(&exchange(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes(),
        ));
        let head = RawHead::of(&exchange(
            addr,
            format!("HEAD {path} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes(),
        ));
        assert_eq!(head.status_line, get.status_line, "{path}");
        assert_eq!(
            head.content_length,
            get.header("Content-Length").map(String::from)
        );
        assert!(head.after_head.is_empty(), "HEAD {path} sent a body");
    }
}

/// The head of an answer to HEAD, which has a `Content-Length` but no body after it.
struct RawHead {
    status_line: String,
    content_length: Option<String>,
    after_head: Vec<u8>,
}

impl RawHead {
    fn of(bytes: &[u8]) -> RawHead {
        let end = tests::raw::find(bytes, b"\r\n\r\n").expect("a head") + 4;
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let content_length = head
            .lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            })
            .map(|(_, v)| v.trim().to_string());
        RawHead {
            status_line: head.lines().next().unwrap_or_default().to_string(),
            content_length,
            after_head: bytes[end..].to_vec(),
        }
    }
}

fn options(addr: SocketAddr) {
    let cases = [("/hello", "GET, HEAD, OPTIONS"), ("/echo", "POST, OPTIONS")];
    for (path, allow) in cases {
        let answer = exchange(
            addr,
            format!("OPTIONS {path} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes(),
        );
        let response = well_formed(&answer);
        assert_eq!(response.status, 204, "{path}");
        assert_eq!(response.header("Allow"), Some(allow), "{path}");
        assert!(response.body.is_empty());
    }
    let missing = well_formed(&exchange(
        addr,
        b"OPTIONS /nowhere HTTP/1.1\r\nHost: a\r\n\r\n",
    ));
    assert_eq!(missing.status, 404);
}

fn trailing_slash(addr: SocketAddr) {
    let cases = [
        ("/hello/", "/hello"),
        ("/hello/?lang=en&x=%20", "/hello?lang=en&x=%20"),
        ("/hello/ada/", "/hello/ada"),
        ("/echo/", "/echo"),
    ];
    for (path, location) in cases {
        let response = get(addr, path);
        assert_eq!(response.status(), 308, "{path}");
        assert_eq!(header(&response, "location"), location, "{path}");
    }
    assert_eq!(get(addr, "/nowhere/").status(), 404);
}

fn trailing_slash_followed(addr: SocketAddr) {
    let response = reqwest::blocking::get(format!("http://{addr}/hello/ada/")).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), "Hello, ada!");
}

fn post_follows_308(addr: SocketAddr) {
    // 308, unlike 301, tells the client to repeat the same method with the same body.
    let response = reqwest::blocking::Client::new()
        .post(format!("http://{addr}/echo/"))
        .header("Content-Type", "text/plain")
        .body("kept")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), "kept");
}

fn absolute_form(addr: SocketAddr) {
    // What a client sends through a proxy; RFC 9112 §3.2.2 says a server must accept it too.
    let cases = [
        ("GET http://a/hello/ada HTTP/1.1", 200, None),
        ("GET http://a HTTP/1.1", 200, None),
        ("GET http://a/hello/?x=1 HTTP/1.1", 308, Some("/hello?x=1")),
        ("GET http://a/nowhere HTTP/1.1", 404, None),
    ];
    for (request_line, status, location) in cases {
        let answer = exchange(
            addr,
            format!("{request_line}\r\nHost: a\r\n\r\n").as_bytes(),
        );
        let response = well_formed(&answer);
        assert_eq!(response.status, status, "{request_line}");
        assert_eq!(response.header("Location"), location, "{request_line}");
    }
}
