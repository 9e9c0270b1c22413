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
    let response = wire.response(bytes.starts_with(b"HEAD "))?;
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    if text.contains("\r\nconnection: close\r\n") {
        wire.expect_close("after the answer to a request that said Connection: close")
            .map_err(|f| f.with_expected("the connection closed right after the answer"))?;
    }
    let reset = wire.was_reset();
    let exchange = Exchange {
        sent: wire.sent().to_vec(),
        response,
    };
    Ok((exchange, reset))
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
        let expected = format!("HTTP/1.1 {code}");
        let failure = self
            .fail(format!(
                "the status is {}, where {code} was expected",
                self.response.status
            ))
            .expecting_bytes(0, expected.as_bytes());
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
        self.fail(format!("the answer has no {name} field"))
            .with_expected(expected)
            .with_caret(self.response.end_of_fields())
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
