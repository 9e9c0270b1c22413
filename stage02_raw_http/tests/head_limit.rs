//! The head's size limit as a client meets it, through the binary: exact to the byte.

use stage02_raw_http::head::DEFAULT_MAX_HEAD;
use tests::binary::RunningBinary;
use tests::raw::{RawResponse, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_stage02_raw_http");

/// A GET whose head, empty line included, is exactly `len` bytes: one header is padded to fit.
fn request_of(len: usize) -> Vec<u8> {
    let fixed = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: \r\n\r\n".len();
    let pad = "p".repeat(len - fixed);
    format!("GET / HTTP/1.1\r\nHost: a\r\nX-Pad: {pad}\r\n\r\n").into_bytes()
}

#[test]
fn a_head_of_the_limit_is_answered_and_one_byte_more_gets_431() {
    let server = RunningBinary::start(BIN, &["server", "--addr", "127.0.0.1:0"]);
    let limit = DEFAULT_MAX_HEAD;
    for (len, status) in [
        (limit - 1, 200),
        (limit, 200),
        (limit + 1, 431),
        (limit + 1000, 431),
    ] {
        let response = RawResponse::parse(&exchange(server.addr, &request_of(len)));
        assert_eq!(
            response.status, status,
            "a head of {len} bytes, limit {limit}"
        );
    }
}
