//! Requests written by hand, one exchange each, and the expectations a check holds an answer to.
//! Each expectation that fails says what it wanted and puts the caret on the byte that is wrong.

use crate::check::Target;
use crate::outcome::{Failure, Outcome};
use crate::response::Response;
use crate::show::visible;
use crate::wire::Wire;

/// A request: `method target HTTP/1.1`, `Host`, the `fields` given (name, value), a
/// `Content-Length` when there is a body or the method usually has one, and the body.
pub fn request(method: &str, target: &str, fields: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: checker\r\n");
    for (name, value) in fields {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    [head.as_bytes(), body].concat()
}

/// `GET target` asking the server to close after its answer, so the answer can be read to the
/// close and nothing extra can hide after it.
pub fn get(target: &str) -> Vec<u8> {
    request("GET", target, &[("Connection", "close")], b"")
}

/// The path and query of a `Location` value: itself, or what follows the authority of an
/// absolute URI.
pub fn location_path(value: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if value.len() > scheme.len() && value[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let rest = &value[scheme.len()..];
            return rest.find(['/', '?']).map_or("/", |at| &rest[at..]);
        }
    }
    value
}

/// Where the status code starts in a status line: after `HTTP/1.x `.
const STATUS_CODE_AT: usize = 9;

/// One request and its answer.
pub struct Exchange {
    pub sent: Vec<u8>,
    pub response: Response,
}

/// Sends `bytes` on a new connection and reads one response; if the request asked
/// `Connection: close`, also that nothing follows it before the server closes, and that the
/// server read the whole request (closing with part of it unread resets the connection, and
/// the client's kernel may then throw the answer away before the client reads it).
pub fn exchange(target: &Target, bytes: &[u8]) -> Result<Exchange, Failure> {
    let (exchange, reset) = exchange_allowing_reset(target, bytes)?;
    if reset {
        return Err(exchange.fail(
            "the server reset the connection after its answer: it closed without reading all \
             of the request, and a client may then lose the answer. Read the whole head (up \
             to \\r\\n\\r\\n) and any body its Content-Length announces before closing.",
        ));
    }
    Ok(exchange)
}

/// [`exchange`] for a request the server is right to stop reading (too large, not HTTP):
/// a reset after the answer is no fault. Also says whether there was one.
pub fn exchange_allowing_reset(target: &Target, bytes: &[u8]) -> Result<(Exchange, bool), Failure> {
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    wire.send(bytes)?;
    let to_head = bytes.starts_with(b"HEAD ");
    let response = wire.response(to_head)?;
    if asks_close(bytes) {
        let after = "after the answer to a request that said Connection: close";
        let rest = wire.until_close().map_err(|f| {
            f.with_problem(format!(
                "the connection stayed open {after} for {} s: the server should close it",
                target.timeout.as_secs_f32()
            ))
            .with_expected("the connection closed right after the answer")
        })?;
        if !rest.is_empty() {
            let at = response.bytes.len();
            let problem = if to_head {
                format!(
                    "a HEAD answer has no body (RFC 9110 §9.3.2): the head is the GET answer's, \
                     and nothing follows it; {} bytes came after it",
                    rest.len()
                )
            } else {
                format!(
                    "{} more bytes came {after}, where the server should have closed the \
                     connection: a body longer than its Content-Length, or an answer to a \
                     request that should not have been read",
                    rest.len()
                )
            };
            return Err(Failure::new(problem)
                .with_sent(wire.sent())
                .with_expected("the connection closed right after the answer")
                .with_got([response.bytes, rest].concat())
                .with_caret(at));
        }
    }
    let reset = wire.was_reset();
    let exchange = Exchange {
        sent: wire.sent().to_vec(),
        response,
    };
    Ok((exchange, reset))
}

/// Whether a request the checker wrote says `Connection: close`.
fn asks_close(bytes: &[u8]) -> bool {
    let head_end = crate::response::find(bytes, b"\r\n\r\n").unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..head_end])
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("connection"))
        .flat_map(|(_, value)| value.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("close"))
}

/// [`exchange_allowing_reset`], without saying whether there was a reset.
pub fn exchange_refused(target: &Target, bytes: &[u8]) -> Result<Exchange, Failure> {
    exchange_allowing_reset(target, bytes).map(|(exchange, _)| exchange)
}

impl Exchange {
    /// A failure about this exchange, showing all of it.
    pub fn fail(&self, problem: impl Into<String>) -> Failure {
        Failure::new(problem)
            .with_sent(&self.sent)
            .with_got(self.response.bytes.clone())
    }

    pub fn status(&self, code: u16) -> Outcome {
        if self.response.status == code {
            return Ok(());
        }
        // The caret goes under the status code, whatever the version before it.
        let failure = self
            .fail(format!(
                "the status is {}, where {code} was expected",
                self.response.status
            ))
            .expecting_bytes(STATUS_CODE_AT, code.to_string().as_bytes())
            .with_expected(format!("HTTP/1.1 {code}"));
        Err(match self.response.status {
            // Not the student's mistake but the grading's: say so, and how to grade instead.
            429 => failure.explained(
                "(429 is the server's rate limit turning the checker away: a chapter 7 run sends \
                 about 160 requests in a second, and the book's site allows 600 a minute from \
                 one address. Grade a fresh server, or raise the limit: --rate-limit 100000.)",
            ),
            _ => failure,
        })
    }

    /// The field `name` is there and its value starts with `prefix` (case-insensitively).
    pub fn header_starts(&self, name: &str, prefix: &str) -> Outcome {
        let expected = format!("{name}: {prefix}…");
        match self.response.header(name) {
            Some(value)
                if value
                    .to_ascii_lowercase()
                    .starts_with(&prefix.to_ascii_lowercase()) =>
            {
                Ok(())
            }
            Some(value) => Err(self
                .fail(format!(
                    "{name} is {value:?}, where {prefix:?}… was expected"
                ))
                .with_expected(expected)
                .with_caret(self.response.header_value_at(name).unwrap_or(0))),
            None => Err(self.missing(name, expected)),
        }
    }

    /// `Content-Type` is the media type `expected` (`text/plain; charset=utf-8`): type and
    /// parameter names without case, spaces around `;` and `=` optional, a charset's value
    /// without case (RFC 9110 §8.3.1); other parameters may follow.
    pub fn media_type(&self, expected: &str) -> Outcome {
        let parse = |text: &str| -> (String, Vec<(String, String)>) {
            let mut parts = text.split(';');
            let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let parameters = parts
                .filter_map(|p| p.split_once('='))
                .map(|(name, value)| {
                    let name = name.trim().to_ascii_lowercase();
                    let value = value.trim().trim_matches('"');
                    let value = if name == "charset" {
                        value.to_ascii_lowercase()
                    } else {
                        value.to_string()
                    };
                    (name, value)
                })
                .collect();
            (essence, parameters)
        };
        let (essence, parameters) = parse(expected);
        match self.response.header("Content-Type") {
            Some(value) => {
                let (got, got_parameters) = parse(value);
                if got == essence && parameters.iter().all(|p| got_parameters.contains(p)) {
                    return Ok(());
                }
                Err(self
                    .fail(format!(
                        "Content-Type is {value:?}, where {expected:?} was expected (compared \
                         as a media type: case and spaces around ; do not matter)"
                    ))
                    .with_expected(format!("Content-Type: {expected}"))
                    .with_caret(self.response.header_value_at("Content-Type").unwrap_or(0)))
            }
            None => Err(self.missing("Content-Type", format!("Content-Type: {expected}"))),
        }
    }

    /// `Connection` names `token` (its value is a list of tokens, compared without case). The
    /// caret goes under the value that came, when the field is there.
    pub fn connection_says(&self, token: &str) -> Outcome {
        if self.response.connection_has(token) {
            return Ok(());
        }
        let expected = format!("Connection: {token}");
        match self.response.header_value_at("Connection") {
            Some(at) => Err(self
                .fail(format!(
                    "Connection is {:?}, where {token:?} was expected (compared as a list of \
                     tokens, without case)",
                    self.response.header("Connection").unwrap_or_default()
                ))
                .with_expected(expected)
                .with_caret(at)),
            None => Err(self.missing("Connection", expected)),
        }
    }

    /// `Location` leads to `path` (with its query): the path itself, or an absolute URI whose
    /// path it is (`http://host/hello`), as RFC 9110 §10.2.2 allows.
    pub fn location_is(&self, path: &str) -> Outcome {
        match self.response.header("Location") {
            Some(value) if location_path(value) == path => Ok(()),
            _ => self.header_is("Location", path),
        }
    }

    /// The field `name` is there with exactly `value`.
    pub fn header_is(&self, name: &str, value: &str) -> Outcome {
        match self.response.header(name) {
            Some(got) if got == value => Ok(()),
            Some(got) => Err(self
                .fail(format!("{name} is {got:?}, where {value:?} was expected"))
                .with_expected(format!("{name}: {value}"))
                .with_caret(self.response.header_value_at(name).unwrap_or(0))),
            None => Err(self.missing(name, format!("{name}: {value}"))),
        }
    }

    fn missing(&self, name: &str, expected: String) -> Failure {
        let failure = self
            .fail(format!("the answer has no {name} field"))
            .with_expected(expected)
            .with_caret(self.response.end_of_fields());
        if name.eq_ignore_ascii_case("Content-Length") {
            failure.of_kind(&crate::check::NO_CONTENT_LENGTH)
        } else {
            failure
        }
    }

    pub fn body_is(&self, expected: &[u8]) -> Outcome {
        if self.response.body() == expected {
            return Ok(());
        }
        Err(self
            .fail(format!(
                "the body is not {:?} ({} bytes came, {} expected)",
                visible(expected),
                self.response.body().len(),
                expected.len()
            ))
            .expecting_bytes(self.response.head_len, expected))
    }

    pub fn body_contains(&self, needle: &str) -> Outcome {
        if self.response.text().contains(needle) {
            return Ok(());
        }
        Err(self
            .fail(format!("the body does not contain {needle:?}"))
            .with_expected(format!("a body with {needle:?} in it"))
            .with_caret(self.response.head_len))
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener};
    use std::thread;
    use std::time::Duration;

    use super::{Exchange, exchange, get, location_path, request};
    use crate::check::Target;
    use crate::response::Response;

    /// Reads a request head, up to `\r\n\r\n`, a byte at a time (or until the client stops).
    fn read_head(stream: &mut std::net::TcpStream) {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
    }

    /// A server for one connection: it reads a head, writes `answer`, and closes.
    fn one_answer(answer: &'static [u8]) -> Target {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            read_head(&mut stream);
            let _ = stream.write_all(answer);
        });
        Target {
            addr,
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn a_head_answer_with_a_body_is_told_so() {
        let target = one_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        let fields = [("Connection", "close")];
        let failure = exchange(&target, &request("HEAD", "/hello", &fields, b""))
            .err()
            .expect("a body after a HEAD answer");
        assert!(
            failure.problem.contains("RFC 9110 §9.3.2"),
            "{}",
            failure.problem
        );
        assert!(
            failure.got.ends_with(b"\r\n\r\nok"),
            "the whole response is shown"
        );
    }

    /// A server that answers 413 on the head, then reads no more, and keeps the connection
    /// open: the sending of the rest stalls past its deadline, and the answer is still what is
    /// judged.
    #[test]
    fn a_send_error_does_not_hide_the_answer() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (done, finished) = std::sync::mpsc::channel::<()>();
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            read_head(&mut stream);
            let _ =
                stream.write_all(b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n");
            // Held open, unread, until the test is over.
            let _ = finished.recv();
        });
        let target = Target {
            addr,
            timeout: Duration::from_secs(1),
        };
        // More than any socket buffers hold, so that the writing stalls.
        let body = vec![b'x'; 64 * 1024 * 1024];
        let answer = exchange(&target, &request("POST", "/", &[], &body));
        drop(done);
        let answer = answer.unwrap_or_else(|f| panic!("the answer was lost: {f:?}"));
        assert_eq!(answer.response.status, 413);
    }

    #[test]
    fn the_status_caret_is_under_the_code_whatever_the_version() {
        let bytes = b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec();
        let answer = Exchange {
            sent: get("/"),
            response: Response::parse(bytes).expect("a response"),
        };
        let failure = answer.status(200).expect_err("404");
        assert_eq!(failure.caret, Some(9));
        assert_eq!(failure.expected, "HTTP/1.1 200");
    }

    #[test]
    fn an_absolute_location_leads_to_its_path() {
        assert_eq!(
            location_path("http://example.com:8080/hello?x=1"),
            "/hello?x=1"
        );
        assert_eq!(location_path("HTTPS://example.com"), "/");
        assert_eq!(location_path("/hello"), "/hello");
    }
}
