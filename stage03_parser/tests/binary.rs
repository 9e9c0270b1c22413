//! The binary, started the way a reader starts it.

use tests::binary::{RunningBinary, run};
use tests::raw::{RawResponse, exchange};

const BIN: &str = env!("CARGO_BIN_EXE_stage03_parser");

#[test]
fn the_binary_serves_the_mirror_and_refuses_bad_requests() {
    let server = RunningBinary::start(BIN, &["--addr", "127.0.0.1:0"]);
    assert_eq!(
        server.first_line,
        format!("listening on http://{}", server.addr)
    );

    let good = exchange(
        server.addr,
        b"GET /a%20b?x=1&x=2 HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    let good = RawResponse::parse(&good);
    assert_eq!(good.status, 200);
    assert_eq!(good.header("Content-Type"), Some("application/json"));
    let body = String::from_utf8(good.body).unwrap();
    assert!(
        body.contains(r#""path":"/a%20b","query":[["x","1"],["x","2"]]"#),
        "{body}"
    );

    let cases: &[(&[u8], u16)] = &[
        (b"GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
        (
            b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            501,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",
            400,
        ),
        (b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        (b"GET /?q=100% HTTP/1.1\r\nHost: t\r\n\r\n", 400), // the mirror reads the query
    ];
    for (request, status) in cases {
        let answer = RawResponse::parse(&exchange(server.addr, request));
        assert_eq!(
            answer.status,
            *status,
            "{}",
            String::from_utf8_lossy(request)
        );
        assert_eq!(answer.header("Connection"), Some("close"));
    }
}

#[test]
fn help_and_bad_arguments() {
    let help = run(BIN, &["--help"], b"");
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--addr HOST:PORT"));

    for args in [&["--addr", "nowhere"][..], &["--verbose"]] {
        let bad = run(BIN, args, b"");
        assert_eq!(bad.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}
