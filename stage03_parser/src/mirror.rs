//! The mirror: a handler that answers any request with what the parser made of it, as JSON.
//!
//! It is this chapter's whole application, and chapter 4 keeps it at `/debug/request`: a reader can
//! send anything with curl or a browser form and see the method, the path as sent, the decoded
//! query, the headers in the order they came, the body, and the form fields or JSON value inside it.

use crate::json::{self, Value};
use crate::request::Request;
use crate::response::Response;
use crate::status::Status;
use crate::url::Params;

// ANCHOR: mirror
/// The request as a JSON object; `400` with the reason when the query does not decode, or the body
/// claims to be a form or JSON and is not.
///
/// # Examples
///
/// ```
/// use stage03_parser::json::{self, Value};
/// use stage03_parser::{Method, Request, mirror::mirror};
///
/// let mut request = Request::new(Method::Post, "/hello?tag=a&tag=b").unwrap();
/// request.headers.append("Content-Type", "application/json");
/// request.body = br#"{"name": "Ferris"}"#.to_vec();
///
/// let response = mirror(&request);
/// let seen = json::parse_bytes(response.body()).unwrap();
/// assert_eq!(seen.get("path").and_then(Value::as_str), Some("/hello"));
/// assert_eq!(seen.get("json").and_then(|j| j.get("name")), Some(&Value::from("Ferris")));
///
/// request.body = b"{oops".to_vec();
/// assert_eq!(mirror(&request).status().code(), 400);
/// ```
pub fn mirror(request: &Request) -> Response {
    // The mirror reads the query, so a broken escape in it is a 400 here (and only here).
    let query = match request.query() {
        Ok(query) => query,
        Err(e) => return bad_request(format!("invalid query: {e}")),
    };
    let headers: Value = request
        .headers
        .iter()
        .map(|(name, value)| {
            Value::array([Value::from(name), Value::from(shown(value.as_bytes()))])
        })
        .collect();
    let mut seen = Value::object([
        ("method", Value::from(request.method.as_str())),
        ("target", Value::from(request.target.as_str())),
        ("path", Value::from(request.path())),
        ("query", pairs(query.iter())),
        ("version", Value::from(request.version.to_string())),
        ("headers", headers),
        ("body", request.body_text().map_or(Value::Null, Value::from)),
        ("body_length", Value::from(request.body.len() as f64)),
    ]);
    if let Some(peer) = request.peer {
        seen.insert("peer", Value::from(peer.to_string()));
    }
    match request.media_type().as_deref() {
        Some("application/x-www-form-urlencoded") => match request.form() {
            Ok(form) => seen.insert("form", form_pairs(&form)),
            Err(e) => return bad_request(format!("invalid form body: {e}")),
        },
        Some(media) if media == "application/json" || media.ends_with("+json") => {
            match json::parse_bytes(&request.body) {
                Ok(value) => seen.insert("json", value),
                Err(e) => return bad_request(format!("invalid JSON body: {e}")),
            }
        }
        _ => {}
    }
    Response::json(Status::OK, &seen)
}
// ANCHOR_END: mirror

/// `[["name", "value"], ...]`: an ordered multi-map, repeats and order kept, as JSON can say it.
fn pairs<'a>(items: impl Iterator<Item = (&'a str, &'a str)>) -> Value {
    items
        .map(|(name, value)| Value::array([name, value]))
        .collect()
}

fn form_pairs(form: &Params) -> Value {
    pairs(form.iter())
}

/// A header value as JSON text can hold it: the text if it is UTF-8, otherwise each byte read as
/// Latin-1 (ISO-8859-1), which maps every byte to one character and so loses nothing: obs-text
/// is Latin-1 in the HTTP of the 1990s.
fn shown(value: &[u8]) -> String {
    match std::str::from_utf8(value) {
        Ok(text) => text.to_string(),
        Err(_) => value.iter().map(|&b| char::from(b)).collect(),
    }
}

fn bad_request(message: String) -> Response {
    Response::json(
        Status::BAD_REQUEST,
        &Value::object([("error", Value::from(message))]),
    )
}

#[cfg(test)]
mod tests {
    use super::mirror;
    use crate::json::{self, Value};
    use crate::{Method, Request};

    fn mirrored(content_type: Option<&str>, body: &[u8]) -> (u16, Value) {
        let mut request = Request::new(Method::Post, "/p?a=1&a=2&b=x+y").unwrap();
        request.headers.append("Host", "example");
        if let Some(content_type) = content_type {
            request.headers.append("Content-Type", content_type);
        }
        request.body = body.to_vec();
        let response = mirror(&request);
        let value = json::parse_bytes(response.body()).unwrap();
        (response.status().code(), value)
    }

    #[test]
    fn mirrors_the_parts_of_a_request() {
        let (status, seen) = mirrored(None, b"plain text");
        assert_eq!(status, 200);
        let text = |key: &str| seen.get(key).and_then(Value::as_str).map(str::to_string);
        assert_eq!(text("method").as_deref(), Some("POST"));
        assert_eq!(text("target").as_deref(), Some("/p?a=1&a=2&b=x+y"));
        assert_eq!(text("path").as_deref(), Some("/p"));
        assert_eq!(text("body").as_deref(), Some("plain text"));
        assert_eq!(
            seen.get("query").map(Value::to_string).as_deref(),
            Some(r#"[["a","1"],["a","2"],["b","x y"]]"#)
        );
        assert_eq!(
            seen.get("headers").map(Value::to_string).as_deref(),
            Some(r#"[["Host","example"]]"#)
        );
        assert_eq!(seen.get("form"), None);
        assert_eq!(seen.get("json"), None);
    }

    #[test]
    fn forms_json_and_their_errors() {
        let cases: &[(&str, &[u8], u16, &str, &str)] = &[
            (
                "application/x-www-form-urlencoded",
                b"n=J%C3%BC+r&n=2",
                200,
                "form",
                r#"[["n","Jü r"],["n","2"]]"#,
            ),
            (
                "application/json; charset=utf-8",
                br#"{"a":[1,true]}"#,
                200,
                "json",
                r#"{"a":[1,true]}"#,
            ),
            ("application/problem+json", b"null", 200, "json", "null"),
            ("application/json", b"{\"a\":1,}", 400, "error", ""),
            (
                "application/x-www-form-urlencoded",
                b"bad=%zz",
                400,
                "error",
                "",
            ),
            ("text/plain", b"{not json", 200, "body", r#""{not json""#),
        ];
        for (content_type, body, status, key, shown) in cases {
            let (got, seen) = mirrored(Some(content_type), body);
            assert_eq!(got, *status, "{content_type} {body:?}");
            let value = seen
                .get(key)
                .unwrap_or_else(|| panic!("no {key} in {seen}"));
            if !shown.is_empty() {
                assert_eq!(value.to_string(), *shown);
            }
        }
        let (_, seen) = mirrored(Some("application/json"), b"[1,]");
        let error = seen.get("error").and_then(Value::as_str).unwrap();
        assert!(
            error.starts_with("invalid JSON body: ") && error.contains("line 1, column"),
            "{error}"
        );
    }

    #[test]
    fn the_path_is_shown_as_sent_and_a_bad_query_is_a_400() {
        let request = Request::new(Method::Get, "/files/a%2Fb?e=%E2%82%AC").unwrap();
        let seen = json::parse_bytes(mirror(&request).body()).unwrap();
        assert_eq!(
            seen.get("path").and_then(Value::as_str),
            Some("/files/a%2Fb")
        );
        assert_eq!(
            seen.get("query").map(Value::to_string).as_deref(),
            Some(r#"[["e","€"]]"#)
        );

        let response = mirror(&Request::new(Method::Get, "/p?q=100%").unwrap());
        assert_eq!(response.status().code(), 400);
        let seen = json::parse_bytes(response.body()).unwrap();
        let error = seen
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default();
        assert!(
            error.starts_with("invalid query: bad percent-escape"),
            "{error}"
        );
    }

    #[test]
    fn a_header_that_is_not_utf8_is_shown_as_latin1() {
        let mut request = Request::new(Method::Get, "/").unwrap();
        request.headers.append("X-File", b"caf\xe9.txt".to_vec());
        let seen = json::parse_bytes(mirror(&request).body()).unwrap();
        let headers = seen.get("headers").map(Value::to_string);
        assert_eq!(headers.as_deref(), Some(r#"[["X-File","café.txt"]]"#));
    }

    #[test]
    fn a_body_that_is_not_text_is_null_with_its_length() {
        let (status, seen) = mirrored(None, &[0xff, 0xfe]);
        assert_eq!(status, 200);
        assert_eq!(seen.get("body"), Some(&Value::Null));
        assert_eq!(seen.get("body_length").and_then(Value::as_f64), Some(2.0));
    }
}
