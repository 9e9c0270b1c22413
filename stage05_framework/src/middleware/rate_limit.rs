//! At most so many requests per address in a window of time: `429 Too Many Requests` after that.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use stage03_parser::status::Status;

use super::{Inner, Middleware};
use crate::error::{Error, ErrorStyle};
use crate::input::Input;
use crate::reply::Reply;

/// How many addresses are remembered at once. A flood from more addresses than this is answered
/// `429` until windows end: the table never grows past it.
pub const MAX_CLIENTS: usize = 10_000;

/// `limit` requests per address per `window`; more get `429` with `Retry-After`, the seconds
/// until the window ends. Counted in fixed windows that start at an address's first request.
#[derive(Debug)]
pub struct RateLimit {
    limit: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

impl RateLimit {
    /// `limit` requests per `window` for each address.
    pub fn new(limit: u32, window: Duration) -> RateLimit {
        RateLimit {
            limit,
            window,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// `None` if a request from `ip` may go on now, or how long until it may.
    fn wait_for(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        // A panic elsewhere while holding the lock leaves the counts usable: keep going.
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if !clients.contains_key(&ip) && clients.len() >= MAX_CLIENTS {
            clients.retain(|_, w| now.duration_since(w.started) < self.window);
            if clients.len() >= MAX_CLIENTS {
                return Some(self.window);
            }
        }
        let window = clients.entry(ip).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(window.started) >= self.window {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        window.count += 1;
        (window.count > self.limit).then(|| {
            self.window
                .saturating_sub(now.duration_since(window.started))
        })
    }
}

impl Middleware for RateLimit {
    fn call(&self, input: Input, inner: Inner<'_>) -> Reply {
        let Some(peer) = input.request.peer else {
            return inner.run(input);
        };
        match self.wait_for(peer.ip(), Instant::now()) {
            None => inner.run(input),
            Some(wait) => {
                // Whole seconds, rounded up: `Retry-After: 0` would invite an immediate retry.
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let error = Error::new(Status::TOO_MANY_REQUESTS, "too many requests; slow down")
                    .with_header("Retry-After", seconds.max(1).to_string());
                Reply::Ready(error.render(ErrorStyle::of(&input.request)))
            }
        }
    }
}
