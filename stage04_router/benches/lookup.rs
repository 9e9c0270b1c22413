//! Lookup cost with 10, 100 and 1,000 routes: the segment tree against a linear scan over patterns
//! (what most tutorials write: try each route in turn until one fits).
//!
//! Run with `cargo bench -p stage04_router` (release build). Std only, no harness: each figure is the
//! best of five rounds of at least 100 ms, so a busy machine shows up as noise, not as a slope.

use std::hint::black_box;
use std::time::{Duration, Instant};

use stage04_router::{Lookup, Method, Router};

const SIZES: [usize; 3] = [10, 100, 1_000];
const PATHS: usize = 1_024;
const ROUND: Duration = Duration::from_millis(100);

fn main() {
    println!("ns per lookup (best of 5 rounds), {PATHS} different paths, all of them routed");
    println!("{:>7}  {:>10}  {:>12}", "routes", "tree", "linear scan");
    for size in SIZES {
        let patterns = patterns(size);
        let paths = paths(size, PATHS);
        let tree = tree_router(&patterns);
        let linear = LinearRouter::new(&patterns);
        // Both must agree on every path, or the comparison means nothing.
        for path in &paths {
            let found = match tree.lookup_raw(&Method::Get, path) {
                Lookup::Found { handler, .. } => Some(*handler),
                _ => None,
            };
            assert_eq!(found, linear.lookup(path), "{path}");
        }
        let tree_ns = measure(&paths, |p| match tree.lookup_raw(&Method::Get, p) {
            Lookup::Found { handler, params } => handler + params.len(),
            _ => 0,
        });
        let linear_ns = measure(&paths, |p| linear.lookup(p).unwrap_or(0));
        println!("{size:>7}  {tree_ns:>10.0}  {linear_ns:>12.0}");
    }
}

/// Route shapes a real site has: plain pages, a resource by id, nested resources, a deep literal.
fn patterns(size: usize) -> Vec<String> {
    (0..size)
        .map(|i| match i % 4 {
            0 => format!("/page{i}"),
            1 => format!("/things{i}/{{id}}"),
            2 => format!("/users{i}/{{user}}/posts/{{post}}"),
            _ => format!("/api/v1/settings{i}/profile"),
        })
        .collect()
}

/// `count` paths, each matching a route picked by a seeded xorshift, so every run asks the same.
fn paths(size: usize, count: usize) -> Vec<String> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let i = (state % size as u64) as usize;
            match i % 4 {
                0 => format!("/page{i}"),
                1 => format!("/things{i}/42"),
                2 => format!("/users{i}/ada/posts/7"),
                _ => format!("/api/v1/settings{i}/profile"),
            }
        })
        .collect()
}

fn tree_router(patterns: &[String]) -> Router<usize> {
    let mut router = Router::new();
    for (i, pattern) in patterns.iter().enumerate() {
        router
            .route(Method::Get, pattern, i)
            .expect("bench patterns are valid");
    }
    router
}

/// The tutorial router: a list of split patterns, tried in order.
struct LinearRouter {
    routes: Vec<(Vec<String>, usize)>,
}

impl LinearRouter {
    fn new(patterns: &[String]) -> LinearRouter {
        let routes = patterns
            .iter()
            .enumerate()
            .map(|(i, p)| (p.split('/').skip(1).map(String::from).collect(), i))
            .collect();
        LinearRouter { routes }
    }

    fn lookup(&self, path: &str) -> Option<usize> {
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        self.routes.iter().find_map(|(pattern, handler)| {
            let fits = pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p.starts_with('{') || p == s);
            fits.then_some(*handler)
        })
    }
}

/// The best (lowest) ns per call over five rounds.
fn measure(paths: &[String], mut lookup: impl FnMut(&str) -> usize) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            let mut calls = 0u64;
            while start.elapsed() < ROUND {
                for path in paths {
                    black_box(lookup(black_box(path)));
                }
                calls += paths.len() as u64;
            }
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}
