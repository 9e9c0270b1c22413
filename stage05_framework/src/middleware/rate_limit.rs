//! At most so many requests per address in a window of time: `429 Too Many Requests` after that.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use stage03_parser::status::Status;

use super::{Inner, Middleware};
use crate::error::{Error, ErrorStyle};
use crate::input::Input;
use crate::reply::Reply;

/// How many clients are remembered at once. When the table is full, the one seen longest ago is
/// forgotten to make room: the table never grows past this, and a newcomer is never refused just
/// because others filled it (a flood can only make the limit forget, not lock anyone out).
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
    /// `limit` requests per `window` for each address (at least 1).
    pub fn new(limit: u32, window: Duration) -> RateLimit {
        let limit = limit.max(1);
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
                let oldest = clients
                    .iter()
                    .min_by_key(|(_, w)| w.started)
                    .map(|(ip, _)| *ip);
                if let Some(oldest) = oldest {
                    clients.remove(&oldest);
                }
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
        match self.wait_for(client(peer.ip()), Instant::now()) {
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

/// Who a request counts against: an IPv4 address (also when it arrives IPv4-mapped on an IPv6
/// socket), or an IPv6 address's /64 network. A single IPv6 customer is usually given a whole
/// /64, 2^64 addresses: counting each alone would let one client take a fresh address for every
/// request.
fn client(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
    }
}
