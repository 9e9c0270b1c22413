//! A seeded random and mutation fuzz test, std only: no panic, no hang, and every outcome is one
//! the server can act on — incomplete, complete, or an error with a 4xx/5xx status. It also checks
//! that splitting an input in two never changes the outcome.
//!
//! Set `FUZZ_SEED` to replay another run; the seed is printed when a case fails.

use stage03_parser::{Limits, Parsed, Parser};

/// Marsaglia's xorshift64: ten lines, deterministic, good enough to stand in for a fuzzer.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INPUTS: u32 = 100_000;

const CORPUS: &[&[u8]] = &[
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /p%20q?x=1&y=%C3%A9+z HTTP/1.1\r\nHost: h:1\r\nAccept: */*\r\nConnection: close\r\n\r\n",
    b"POST /f HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2",
    b"POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n",
    b"PUT /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nxyz",
    b"OPTIONS * HTTP/1.0\r\n\r\n",
    b"GET http://example.com:80/abs?q HTTP/1.1\r\nHost: example.com\r\n\r\n",
];

/// Bytes that matter to the grammar, so mutations hit the interesting branches often.
const SPECIAL: &[u8] = b"\r\n :;,%+?#/*0123456789aAfF\t\x00\x7f\xff-";

fn mutate(rng: &mut XorShift, input: &mut Vec<u8>) {
    let at = rng.below(input.len() + 1);
    match rng.below(7) {
        0 if at < input.len() => input[at] = SPECIAL[rng.below(SPECIAL.len())],
        1 => input.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
        2 if at < input.len() => {
            input.remove(at);
        }
        3 => input.truncate(at),
        4 if at < input.len() => input[at] ^= 1 << rng.below(8),
        5 => {
            let len = rng.below(input.len() - at + 1).min(64);
            let copy = input[at..at + len].to_vec();
            input.splice(at..at, copy);
        }
        _ => {
            let other = CORPUS[rng.below(CORPUS.len())];
            let from = rng.below(other.len());
            input.truncate(at);
            input.extend_from_slice(&other[from..]);
        }
    }
}

fn generate(rng: &mut XorShift) -> Vec<u8> {
    if rng.below(10) == 0 {
        let len = rng.below(200);
        return (0..len).map(|_| rng.next() as u8).collect();
    }
    let mut input = CORPUS[rng.below(CORPUS.len())].to_vec();
    for _ in 0..=rng.below(4) {
        mutate(rng, &mut input);
    }
    input
}

/// What one parse said, in a comparable form: the status code for errors.
fn outcome(parser: &mut Parser, input: &[u8]) -> Result<Parsed, u16> {
    parser.parse(input).map_err(|e| e.status().code())
}

#[test]
fn random_and_mutated_requests_never_panic_and_always_answer_sensibly() {
    let seed = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_CAFE_F00D_u64);
    let mut rng = XorShift(seed);
    let limits = Limits {
        max_request_line: 64,
        max_head: 256,
        max_headers: 8,
        max_body: 64,
    };
    let mut tally = [0u32; 3];
    for n in 0..INPUTS {
        let input = generate(&mut rng);
        let whole = outcome(&mut Parser::new(limits), &input);
        match &whole {
            Ok(Parsed::Incomplete) => tally[0] += 1,
            Ok(Parsed::Complete { consumed, .. }) => {
                assert!(*consumed <= input.len(), "seed {seed}, input {n}");
                tally[1] += 1;
            }
            Err(status) => {
                assert!(
                    (400..600).contains(status),
                    "seed {seed}, input {n}: {status}"
                );
                tally[2] += 1;
            }
        }
        let cut = rng.below(input.len() + 1);
        let mut parser = Parser::new(limits);
        let split = match outcome(&mut parser, &input[..cut]) {
            Ok(Parsed::Incomplete) => outcome(&mut parser, &input),
            other => other,
        };
        assert_eq!(
            split,
            whole,
            "seed {seed}, input {n} cut at {cut}: {:?}",
            String::from_utf8_lossy(&input)
        );
    }
    // The generator must reach every outcome, or the test proves less than it claims.
    assert!(tally.iter().all(|&count| count > INPUTS / 100), "{tally:?}");
    eprintln!("incomplete, complete, error: {tally:?}");
}
