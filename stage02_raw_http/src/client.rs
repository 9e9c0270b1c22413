//! The raw HTTP client: write a request by hand, read the response by the rules of its framing.

use std::fmt;
use std::io::{self, BufRead, BufReader, Cursor, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::head::{HeadError, read_head};
use crate::url::{Url, UrlError};

/// How long we wait on a silent server, and how much we are willing to read from it.
const TIMEOUT: Duration = Duration::from_secs(30);
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// A response, split into its three parts and not interpreted further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of that name, compared case-insensitively (header names are).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a fetch failed.
#[derive(Debug)]
pub enum ClientError {
    Url(UrlError),
    Connect {
        to: String,
        source: io::Error,
    },
    Head(HeadError),
    /// The server's bytes are not an HTTP response we can read.
    Malformed(String),
    Io(io::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Url(e) => write!(f, "{e}"),
            ClientError::Connect { to, source } => write!(f, "cannot connect to {to}: {source}"),
            ClientError::Head(e) => write!(f, "reading the response head: {e}"),
            ClientError::Malformed(what) => write!(f, "not an HTTP response: {what}"),
            ClientError::Io(e) => write!(f, "reading the response: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

// ANCHOR: request_bytes
/// The request, written by hand: GET, or POST when there is a body to send.
pub fn request_bytes(url: &Url, data: Option<&[u8]>) -> Vec<u8> {
    let method = if data.is_some() { "POST" } else { "GET" };
    let mut head = format!(
        "{method} {} HTTP/1.1\r\n\
         Host: {}\r\n\
         User-Agent: stage02_raw_http\r\n\
         Connection: close\r\n",
        url.target,
        url.host_header()
    );
    if let Some(body) = data {
        // The same content type curl uses for `-d`.
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(data.unwrap_or_default());
    bytes
}
// ANCHOR_END: request_bytes

/// Fetches `url` (a POST with `data` when given) and returns the response.
pub fn fetch(url: &str, data: Option<&[u8]>) -> Result<Response, ClientError> {
    let url = Url::parse(url).map_err(ClientError::Url)?;
    let to = format!("{}:{}", url.host, url.port);
    let mut stream = TcpStream::connect((url.connect_host(), url.port))
        .map_err(|source| ClientError::Connect { to, source })?;
    stream
        .write_all(&request_bytes(&url, data))
        .map_err(ClientError::Io)?;
    let (bytes, head_end) = read_head(&mut stream, MAX_HEAD, TIMEOUT).map_err(ClientError::Head)?;
    let (status_line, headers) = split_head(&bytes[..head_end])?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(ClientError::Io)?;
    let already_read = Cursor::new(bytes[head_end..].to_vec());
    let mut rest = BufReader::new(already_read.chain(stream)).take(MAX_BODY);
    let mut response = Response {
        status_line,
        headers,
        body: Vec::new(),
    };
    response.body = read_body(&response, &mut rest)?;
    Ok(response)
}

fn split_head(head: &[u8]) -> Result<(String, Vec<(String, String)>), ClientError> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.trim_end_matches("\r\n").split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_string();
    if !status_line.starts_with("HTTP/") {
        return Err(ClientError::Malformed(format!(
            "status line {status_line:?}"
        )));
    }
    let headers = lines
        .map(|line| match line.split_once(':') {
            Some((name, value)) => Ok((name.to_string(), value.trim().to_string())),
            None => Err(ClientError::Malformed(format!("header line {line:?}"))),
        })
        .collect::<Result<_, _>>()?;
    Ok((status_line, headers))
}

// ANCHOR: read_body
/// Reads the body the way the response says it is framed. There are exactly three ways:
/// a `Content-Length`, `Transfer-Encoding: chunked`, or "until the server closes".
fn read_body(response: &Response, rest: &mut impl BufRead) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    let code = response.status_line.split(' ').nth(1).unwrap_or("");
    if code.starts_with('1') || code == "204" || code == "304" {
        return Ok(body); // These never have a body, whatever the headers say.
    }
    let chunked = response
        .header("Transfer-Encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        read_chunked(rest, &mut body)?;
    } else if let Some(length) = response.header("Content-Length") {
        let length: u64 = length
            .parse()
            .map_err(|_| ClientError::Malformed(format!("Content-Length {length:?}")))?;
        rest.take(length)
            .read_to_end(&mut body)
            .map_err(ClientError::Io)?;
        if (body.len() as u64) < length {
            return Err(ClientError::Malformed(format!(
                "the server closed after {} of {length} body bytes",
                body.len()
            )));
        }
    } else {
        rest.read_to_end(&mut body).map_err(ClientError::Io)?;
    }
    Ok(body)
}
// ANCHOR_END: read_body

/// Chunked framing: each chunk is its size in hex on a line, the bytes, CR LF; a size of 0 ends
/// the body, followed by optional trailer lines and an empty line.
fn read_chunked(rest: &mut impl BufRead, body: &mut Vec<u8>) -> Result<(), ClientError> {
    loop {
        let line = read_line(rest)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size, 16)
            .map_err(|_| ClientError::Malformed(format!("chunk size {line:?}")))?;
        if size == 0 {
            while !read_line(rest)?.is_empty() {} // trailers, if any, end with an empty line
            return Ok(());
        }
        let before = body.len();
        rest.take(size).read_to_end(body).map_err(ClientError::Io)?;
        if ((body.len() - before) as u64) < size || !read_line(rest)?.is_empty() {
            return Err(ClientError::Malformed("a chunk is cut short".into()));
        }
    }
}

/// One line without its CR LF, at most 4 KiB long.
fn read_line(rest: &mut impl BufRead) -> Result<String, ClientError> {
    let mut line = Vec::new();
    rest.take(4096)
        .read_until(b'\n', &mut line)
        .map_err(ClientError::Io)?;
    if !line.ends_with(b"\n") {
        return Err(ClientError::Malformed(
            "a line of the body's framing never ends".into(),
        ));
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(head: &str, rest: &[u8]) -> Result<Vec<u8>, ClientError> {
        let (status_line, headers) = split_head(head.as_bytes())?;
        let response = Response {
            status_line,
            headers,
            body: vec![],
        };
        read_body(&response, &mut Cursor::new(rest.to_vec()))
    }

    #[test]
    fn bodies_are_framed_three_ways() {
        let cases: &[(&str, &[u8], &[u8])] = &[
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                b"helloEXTRA",
                b"hello",
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nEXTRA",
                b"hello, world",
            ),
            (
                "HTTP/1.0 200 OK\r\n\r\n",
                b"until the end",
                b"until the end",
            ),
            (
                "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                b"hello",
                b"",
            ),
        ];
        for (head, rest, body) in cases {
            assert_eq!(body_of(head, rest).unwrap(), *body, "{head:?}");
        }
    }

    #[test]
    fn broken_framing_is_an_error() {
        let cases: &[(&str, &[u8])] = &[
            ("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", b"short"),
            ("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", b""),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"zz\r\n",
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"5\r\nhel",
            ),
            ("SSH-2.0-OpenSSH\r\n\r\n", b""),
        ];
        for (head, rest) in cases {
            assert!(body_of(head, rest).is_err(), "{head:?} {rest:?}");
        }
    }

    #[test]
    fn a_post_carries_its_length() {
        let url = Url::parse("http://localhost:7878/echo").unwrap();
        let request = request_bytes(&url, Some(b"a=1"));
        let text = String::from_utf8(request).unwrap();
        assert!(text.starts_with("POST /echo HTTP/1.1\r\nHost: localhost:7878\r\n"));
        assert!(text.ends_with("Content-Length: 3\r\n\r\na=1"));
    }
}
