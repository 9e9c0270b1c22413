//! Parser throughput: `cargo bench -p stage03_parser` (release build, std only, no harness).
//!
//! Prints MB/s and requests/s for three typical requests parsed whole, then the cost per byte
//! when a request arrives one byte per `parse` call, at growing sizes: flat if the parser resumes
//! where it stopped, growing with the size if it re-scanned the buffer each time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use stage03_parser::{Limits, Parsed, Parser};

/// How long each measurement runs; long enough to swamp timer noise, short enough to wait for.
const RUN_FOR: Duration = Duration::from_secs(2);

const BROWSER_GET: &[u8] = b"GET /guestbook?page=2 HTTP/1.1\r\n\
Host: localhost:7878\r\n\
Connection: keep-alive\r\n\
sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n\
sec-ch-ua-mobile: ?0\r\n\
sec-ch-ua-platform: \"Linux\"\r\n\
Upgrade-Insecure-Requests: 1\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-User: ?1\r\n\
Sec-Fetch-Dest: document\r\n\
Referer: http://localhost:7878/guestbook\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n\
Cookie: session=3f2a9c1e8b7d4e6f; theme=dark\r\n\r\n";

/// A small JSON POST, as curl sends it.
fn api_post() -> Vec<u8> {
    let body = r#"{"author": "Ferris", "text": "Hello, World!"}"#;
    let head = format!(
        "POST /api/messages HTTP/1.1\r\nHost: localhost:7878\r\nUser-Agent: curl/8.5.0\r\n\
         Accept: */*\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body.as_bytes()].concat()
}

/// A 1 MiB body in 16 KiB chunks.
fn chunked_upload() -> Vec<u8> {
    let mut request =
        b"POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let chunk = vec![b'x'; 16 * 1024];
    for _ in 0..64 {
        request.extend_from_slice(b"4000\r\n");
        request.extend_from_slice(&chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    request
}

/// A request of about `size` bytes of headers, for the byte-at-a-time runs.
fn request_of(size: usize) -> Vec<u8> {
    let mut request = b"GET / HTTP/1.1\r\nHost: localhost\r\n".to_vec();
    let mut i = 0;
    while request.len() < size {
        request.extend_from_slice(format!("X-Header-{i:03}: {}\r\n", "v".repeat(150)).as_bytes());
        i += 1;
    }
    request.extend_from_slice(b"\r\n");
    request
}

fn parse_once(limits: Limits, input: &[u8]) -> usize {
    match Parser::new(limits).parse(input) {
        Ok(Parsed::Complete { request, consumed }) => black_box(request).body.len() + consumed,
        other => panic!("the benchmark input must parse: {other:?}"),
    }
}

fn whole(name: &str, limits: Limits, input: &[u8]) {
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < RUN_FOR {
        for _ in 0..16 {
            black_box(parse_once(limits, black_box(input)));
        }
        runs += 16;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mb_per_s = (runs as f64 * input.len() as f64) / seconds / 1e6;
    println!(
        "{name:<28} {:>9} bytes {:>10.0} MB/s {:>12.0} requests/s",
        input.len(),
        mb_per_s,
        runs as f64 / seconds
    );
}

fn byte_at_a_time(size: usize) {
    let input = request_of(size);
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < RUN_FOR {
        let mut parser = Parser::new(Limits::default());
        for end in 1..input.len() {
            black_box(parser.parse(black_box(&input[..end])).ok());
        }
        let last = parser.parse(&input);
        assert!(matches!(last, Ok(Parsed::Complete { .. })), "{last:?}");
        runs += 1;
    }
    let ns_per_byte = started.elapsed().as_nanos() as f64 / (runs as f64 * input.len() as f64);
    println!(
        "byte at a time {:>13} bytes {ns_per_byte:>10.1} ns/byte",
        input.len()
    );
}

fn main() {
    if cfg!(debug_assertions) {
        eprintln!("note: a debug build; run `cargo bench -p stage03_parser` for real figures");
    }
    let big_body = Limits {
        max_body: 2 * 1024 * 1024,
        ..Limits::default()
    };
    whole("browser GET", Limits::default(), BROWSER_GET);
    whole("API POST (JSON body)", Limits::default(), &api_post());
    whole("1 MiB chunked upload", big_body, &chunked_upload());
    for size in [1024, 4 * 1024, 15 * 1024] {
        byte_at_a_time(size);
    }
}
