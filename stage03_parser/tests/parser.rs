//! The parser driven the three ways h11 tests its own: whole, split at every byte, and with the next
//! request behind it; plus every error status from complete requests.

use stage03_parser::{Limits, Method, ParseError, Parsed, Parser, Request, Version};

/// Parses `input` given all at once; the request and the bytes it used, or the error's status.
fn parse_whole(input: &[u8]) -> Result<Option<(Request, usize)>, u16> {
    parse_with(Limits::default(), input)
}

fn parse_with(limits: Limits, input: &[u8]) -> Result<Option<(Request, usize)>, u16> {
    match Parser::new(limits).parse(input) {
        Ok(Parsed::Complete { request, consumed }) => Ok(Some((request, consumed))),
        Ok(Parsed::Incomplete) => Ok(None),
        Err(e) => Err(e.status().code()),
    }
}

/// Feeds `input` to one parser in pieces ending at each of `cuts`, then whole; the first outcome
/// that is not `Incomplete`.
fn parse_in_pieces(input: &[u8], cuts: &[usize]) -> Result<Option<(Request, usize)>, u16> {
    let mut parser = Parser::new(Limits::default());
    for &end in cuts.iter().chain([&input.len()]) {
        match parser.parse(&input[..end]) {
            Ok(Parsed::Incomplete) => continue,
            Ok(Parsed::Complete { request, consumed }) => return Ok(Some((request, consumed))),
            Err(e) => return Err(e.status().code()),
        }
    }
    Ok(None)
}

const VALID: &[&[u8]] = &[
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /search?q=rust+http&tag=a&tag=b HTTP/1.1\r\nHost: localhost:7878\r\nAccept: */*\r\n\r\n",
    b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\": [1, 2]}",
    b"POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n6\r\n world\r\n0\r\nT: v\r\n\r\n",
    b"GET /old HTTP/1.0\r\n\r\n",
    b"\r\nOPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"PUT /binary HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n\0\r\n\xff",
    b"GET /hello?q=100% HTTP/1.1\r\nHost: [::1]:7878\r\nX-File: caf\xe9\r\n\r\n",
];

#[test]
fn valid_requests_parse_to_what_they_say() {
    let (r, used) = parse_whole(VALID[1]).unwrap().unwrap();
    assert_eq!(used, VALID[1].len());
    assert_eq!(
        (&r.method, r.path(), r.version),
        (&Method::Get, "/search", Version::Http11)
    );
    let query = r.query().unwrap();
    assert_eq!(query.get("q"), Some("rust http"));
    assert_eq!(query.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(r.header("host"), Some("localhost:7878"));

    let (r, _) = parse_whole(VALID[3]).unwrap().unwrap();
    assert_eq!(r.body, b"hello world");
    assert_eq!(r.header("T"), None, "trailers are checked and dropped");

    let (r, _) = parse_whole(VALID[6]).unwrap().unwrap();
    assert_eq!(r.body, b"\0\r\n\xff");

    // A query that does not decode and a header that is not UTF-8 are both accepted: the first
    // is an error only for a handler that reads the query, the second is kept byte for byte.
    let (r, _) = parse_whole(VALID[7]).unwrap().unwrap();
    assert_eq!((r.path(), r.raw_query()), ("/hello", Some("q=100%")));
    assert!(r.query().is_err());
    assert_eq!(
        r.headers.get("x-file").map(|v| v.as_bytes()),
        Some(&b"caf\xe9"[..])
    );
}

// ANCHOR: every_split
#[test]
fn every_split_parses_the_same_and_every_prefix_is_incomplete() {
    for input in VALID {
        let whole = parse_whole(input);
        assert!(
            matches!(whole, Ok(Some(_))),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        for cut in 0..input.len() {
            assert_eq!(parse_in_pieces(input, &[cut]), whole, "cut at {cut}");
            assert_eq!(
                parse_whole(&input[..cut]),
                Ok(None),
                "prefix of {cut} bytes"
            );
        }
        let every_byte: Vec<usize> = (0..input.len()).collect();
        assert_eq!(
            parse_in_pieces(input, &every_byte),
            whole,
            "one byte at a time"
        );
    }
}
// ANCHOR_END: every_split

#[test]
fn pipelined_requests_come_out_one_by_one() {
    let mut buffer: Vec<u8> = VALID.concat();
    let mut parser = Parser::new(Limits::default());
    let mut seen = Vec::new();
    while let Ok(Parsed::Complete { request, consumed }) = parser.parse(&buffer) {
        seen.push(request.target);
        buffer.drain(..consumed);
    }
    assert_eq!(
        seen,
        [
            "/",
            "/search?q=rust+http&tag=a&tag=b",
            "/api",
            "/up",
            "/old",
            "*",
            "/binary",
            "/hello?q=100%"
        ]
    );
    assert!(buffer.is_empty());
}

#[test]
fn errors_after_a_complete_request_wait_for_their_turn() {
    let input = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/9.9\r\n\r\n";
    let mut parser = Parser::new(Limits::default());
    let Ok(Parsed::Complete { consumed, .. }) = parser.parse(input) else {
        panic!()
    };
    let error = parser.parse(&input[consumed..]).unwrap_err();
    assert_eq!(error, ParseError::UnsupportedVersion("HTTP/9.9".into()));
}

#[test]
fn each_error_has_its_status() {
    let cases: &[(&str, &[u8], u16)] = &[
        ("not HTTP", b"hello there\r\n\r\n", 400),
        ("binary garbage fails at once", b"\x16\x03\x01\x02\x00\x01", 400),
        ("TLS to a plain port", b"\x16\x03\x01", 400),
        ("lowercase version", b"GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        ("version 3", b"GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
        ("bare LF", b"GET / HTTP/1.1\nHost: a\n\n", 400),
        ("bare CR in a value", b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400),
        ("space before colon", b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("obs-fold", b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400),
        ("missing Host", b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400),
        ("two Hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("bad escape", b"GET /%G0 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("CL and TE", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("CL not digits", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400),
        ("CL conflict", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("gzip alone: no end to the body", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        ("gzip then chunked", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("invalid Host", b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("Host with a path", b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        ("unclosed IPv6 Host", b"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
        ("chunk size with trailing space", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", 400),
        ("TE in HTTP/1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("bad chunk", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("body too large", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", 413),
    ];
    for (name, input, status) in cases {
        assert_eq!(parse_whole(input).map(|_| ()), Err(*status), "{name}");
    }
}

#[test]
fn limits_answer_414_431_and_413() {
    let limits = Limits {
        max_request_line: 30,
        max_head: 80,
        max_headers: 3,
        max_body: 10,
    };
    let long_target = format!("GET /{} HTTP/1.1\r\n", "a".repeat(30));
    let many = "GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n";
    let big = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nCookie: {}\r\n\r\n",
        "c".repeat(60)
    );
    let cases: &[(&str, &[u8], u16)] = &[
        (
            "line too long, even before its end",
            &long_target.as_bytes()[..35],
            414,
        ),
        ("line too long", long_target.as_bytes(), 414),
        ("too many fields", many.as_bytes(), 431),
        (
            "head too large, even before its end",
            &big.as_bytes()[..81],
            431,
        ),
        (
            "Content-Length over the limit",
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n",
            413,
        ),
        (
            "chunks over the limit",
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n5\r\n",
            413,
        ),
    ];
    for (name, input, status) in cases {
        assert_eq!(
            parse_with(limits, input).map(|_| ()),
            Err(*status),
            "{name}"
        );
    }
    let at_limit = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789";
    assert!(matches!(parse_with(limits, at_limit), Ok(Some(_))));

    // No limit at all: the largest length a `usize` holds must not wrap past the buffer's end.
    let unlimited = Limits {
        max_body: usize::MAX,
        ..Limits::default()
    };
    let huge = format!(
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\n\r\nx",
        usize::MAX
    );
    assert_eq!(parse_with(unlimited, huge.as_bytes()).map(|_| ()), Err(413));
}

#[test]
fn an_error_stays_an_error() {
    let mut parser = Parser::new(Limits::default());
    let input = b"GET / HTTP/1.1\r\nHost : a\r\nHost: a\r\n\r\n";
    let first = parser.parse(input).unwrap_err();
    assert_eq!(parser.parse(input), Err(first));
}

#[test]
fn expect_continue_is_visible_before_the_body() {
    let head = b"POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
    let mut parser = Parser::new(Limits::default());
    assert_eq!(parser.head(), None);
    assert_eq!(
        parser.parse(&head[..head.len() - 1]),
        Ok(Parsed::Incomplete)
    );
    assert_eq!(parser.head(), None, "not before the blank line");
    assert_eq!(parser.parse(head), Ok(Parsed::Incomplete));
    assert!(parser.head().is_some_and(Request::expects_continue));
    let whole = [&head[..], b"hello"].concat();
    assert!(matches!(parser.parse(&whole), Ok(Parsed::Complete { .. })));
    assert_eq!(parser.head(), None, "reset for the next request");
}

#[test]
fn chunked_bodies_split_anywhere_decode_the_same() {
    let input = VALID[3];
    let head_end = input.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let whole = parse_whole(input);
    for first in head_end..input.len() {
        for second in first..input.len() {
            assert_eq!(
                parse_in_pieces(input, &[first, second]),
                whole,
                "cuts {first}, {second}"
            );
        }
    }
}
