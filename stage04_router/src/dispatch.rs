//! From a request to a response through the router: the HTTP meaning of each [`Lookup`].
//!
//! This is the function chapter 3's server calls for every request. The router only says what
//! happened; here each outcome becomes the status a client expects: the handler's own answer, a
//! `308` to the registered form of the path, `405` or `204` with `Allow`, or a `404` page.

use stage03_parser::Request;
use stage03_parser::response::Response;
use stage03_parser::status::Status;

use crate::params::Params;
use crate::router::{Lookup, Router};
use crate::site::Handler;

// ANCHOR: respond
/// The response to `request` from the route it reaches in `router`.
///
/// # Examples
///
/// ```
/// use stage03_parser::{Method, Request};
/// use stage04_router::dispatch::respond;
/// use stage04_router::site::demo_router;
///
/// let router = demo_router();
/// let answer = respond(&router, &Request::new(Method::Delete, "/hello").unwrap());
/// assert_eq!(answer.status().code(), 405);
/// assert_eq!(answer.headers().get("Allow").unwrap(), "GET, HEAD, OPTIONS");
///
/// let answer = respond(&router, &Request::new(Method::Get, "/hello/?lang=en").unwrap());
/// assert_eq!(answer.status().code(), 308);
/// assert_eq!(answer.headers().get("Location").unwrap(), "/hello?lang=en");
/// ```
pub fn respond(router: &Router<Handler>, request: &Request) -> Response {
    match route(router, request) {
        Routed::To(handler, params) => handler(request, &params),
        Routed::Answered(response) => response,
    }
}

/// Where a request goes: to a handler, with the route's parameters, or nowhere, in which case the
/// router's outcome is the answer.
pub enum Routed<'r, H> {
    To(&'r H, Params),
    Answered(Response),
}

/// The router's answer to `request`: the handler to call, or the response each other outcome
/// means. Generic over the handler type: chapter 5's framework calls it with handlers of its own.
pub fn route<'r, H>(router: &'r Router<H>, request: &Request) -> Routed<'r, H> {
    let answer = match router.lookup(request) {
        Lookup::Found { handler, params } => return Routed::To(handler, params),
        Lookup::Redirect { location } => {
            // The query is the client's text, sent back as it came (it is already encoded).
            let location = match request.raw_query() {
                Some(query) => format!("{location}?{query}"),
                None => location,
            };
            let shown = escape_html(&location);
            let page = format!("<p>This page is at <a href=\"{shown}\">{shown}</a>.</p>");
            page_response(Status::PERMANENT_REDIRECT, &page).header("Location", location)
        }
        Lookup::MethodNotAllowed { allow } => {
            let allow = join(&allow);
            let method = escape_html(request.method.as_str());
            let page = format!("<p>{method} is not allowed here; try {allow}.</p>");
            page_response(Status::METHOD_NOT_ALLOWED, &page).header("Allow", allow)
        }
        Lookup::Options { allow } => {
            Response::new(Status::NO_CONTENT).header("Allow", join(&allow))
        }
        // `OPTIONS *` asks about the server as a whole, not a path (RFC 9110 §9.3.7).
        Lookup::NotFound if request.target == "*" => Response::new(Status::NO_CONTENT),
        Lookup::NotFound => page_response(Status::NOT_FOUND, "<p>Nothing lives at this path.</p>"),
    };
    Routed::Answered(answer)
}
// ANCHOR_END: respond

/// Methods as an `Allow` value: `GET, HEAD, OPTIONS`.
fn join(methods: &[stage03_parser::Method]) -> String {
    let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    names.join(", ")
}

/// A small HTML page for a status the router produced, so a browser shows more than a blank tab.
/// `message` is HTML already. Chapter 5's framework builds its error pages with it too.
pub fn page_response(status: Status, message: &str) -> Response {
    let title = format!("{} {}", status.code(), status.reason());
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         </head>\n<body><h1>{title}</h1>\n{message}\n<p><a href=\"/\">Home</a></p></body></html>\n"
    );
    Response::html(status, page)
}

/// Text made safe to put in HTML, so nothing a client sent can become markup. Chapter 5's
/// framework uses it for every page it builds from a visitor's words.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape_html, respond};
    use crate::site::demo_router;
    use stage03_parser::{Method, Request};

    /// Status, then the headers the router sets, then whether there is a body.
    fn outcome(method: Method, target: &str) -> String {
        let request = Request::new(method, target).unwrap();
        let response = respond(&demo_router(), &request);
        let mut line = response.status().code().to_string();
        for name in ["Location", "Allow"] {
            if let Some(value) = response.headers().get(name) {
                line.push_str(&format!(" {name}: {}", value.to_str().unwrap()));
            }
        }
        line
    }

    #[test]
    fn each_lookup_becomes_its_status() {
        let cases = [
            (Method::Get, "/hello", "200"),
            (Method::Head, "/hello", "200"),
            (Method::Get, "/hello/Ada?x=1", "200"),
            (Method::Get, "/nowhere", "404"),
            (Method::Post, "/nowhere", "404"),
            (Method::Post, "/hello", "405 Allow: GET, HEAD, OPTIONS"),
            (Method::Get, "/echo", "405 Allow: POST, OPTIONS"),
            (
                Method::Options,
                "/hello/Ada",
                "204 Allow: GET, HEAD, OPTIONS",
            ),
            (Method::Options, "/debug/request", "200"), // the mirror answers every method
            (Method::Get, "/hello/", "308 Location: /hello"),
            (
                Method::Get,
                "/hello/?a=1&b=%20",
                "308 Location: /hello?a=1&b=%20",
            ),
            (Method::Post, "/echo/", "308 Location: /echo"),
            (Method::Get, "/hello/Ada/", "308 Location: /hello/Ada"),
            // Absolute-form, as a proxy would send it: routed by its path.
            (Method::Get, "http://example.com/hello?x=1", "200"),
            (Method::Get, "HTTP://example.com", "200"),
            (
                Method::Delete,
                "http://example.com?x=1",
                "405 Allow: GET, HEAD, OPTIONS",
            ),
            (
                Method::Get,
                "http://example.com/hello/?x=1",
                "308 Location: /hello?x=1",
            ),
            (Method::Get, "http://example.com/nowhere", "404"),
            (Method::Options, "*", "204"),
        ];
        for (method, target, want) in cases {
            assert_eq!(outcome(method.clone(), target), want, "{method} {target}");
        }
    }

    #[test]
    fn client_text_never_becomes_markup() {
        let request = Request::new(Method::Get, "/hello/?<script>").unwrap();
        let response = respond(&demo_router(), &request);
        let page = String::from_utf8_lossy(response.body()).into_owned();
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
        assert_eq!(escape_html("a&b\"c'"), "a&amp;b&quot;c&#39;");
    }
}
