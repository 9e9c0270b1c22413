//! At most so many requests per address in a window of time: `429 Too Many Requests` after that.

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use stage03_parser::status::Status;

use super::{Inner, Middleware};
use crate::error::{Error, ErrorStyle};
use crate::input::Input;
use crate::reply::Reply;

/// How many clients are remembered at once. When the table is full, the one whose window started
/// longest ago is forgotten to make room: the table never grows past this, and a newcomer is never
/// refused just because others filled it (a flood can only make the limit forget, not lock anyone
/// out).
pub const MAX_CLIENTS: usize = 10_000;

/// `limit` requests per address per `window`; more get `429` with `Retry-After`, the seconds
/// until the window ends. Counted in fixed windows that start at an address's first request.
#[derive(Debug)]
pub struct RateLimit {
    limit: u32,
    window: Duration,
    clients: Mutex<Clients>,
}

/// The clients remembered, twice: by address, to count a request, and by when their window
/// started, to find the one to forget. Every request waits for the lock around them, so neither
/// is ever searched from end to end: a full table forgets its first entry in `by_start` in
/// O(log n), where a scan for the oldest would cost each newcomer a pass over 10,000 clients.
#[derive(Debug, Default)]
struct Clients {
    windows: HashMap<IpAddr, Window>,
    /// `(window.started, address)` for each entry of `windows`, oldest first.
    by_start: BTreeSet<(Instant, IpAddr)>,
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
            clients: Mutex::new(Clients::default()),
        }
    }

    /// `None` if a request from `ip` may go on now, or how long until it may.
    fn wait_for(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        // A panic elsewhere while holding the lock leaves the counts usable: keep going.
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        let Clients { windows, by_start } = &mut *clients;
        if !windows.contains_key(&ip) && windows.len() >= MAX_CLIENTS {
            // Full: forget the window that started first. If any window has ended, that one
            // has (it started before every window still running), and forgetting an ended
            // window changes nothing: the address's next request would start a new one anyway.
            if let Some((_, oldest)) = by_start.pop_first() {
                windows.remove(&oldest);
            }
        }
        let window = windows.entry(ip).or_insert_with(|| {
            by_start.insert((now, ip));
            Window {
                started: now,
                count: 0,
            }
        });
        if now.duration_since(window.started) >= self.window {
            by_start.remove(&(window.started, ip));
            by_start.insert((now, ip));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    /// The two views of the table hold the same clients, with the same window starts.
    fn consistent(limit: &RateLimit) -> usize {
        let clients = limit.clients.lock().unwrap();
        assert_eq!(clients.by_start.len(), clients.windows.len());
        for (started, ip) in &clients.by_start {
            assert_eq!(clients.windows[ip].started, *started, "{ip}");
        }
        clients.windows.len()
    }

    #[test]
    fn a_full_table_stays_full_and_its_order_follows_new_windows() {
        // Times are made up, one address a millisecond: nothing here waits for a clock.
        let limit = RateLimit::new(1, Duration::from_secs(60));
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let ip = |i: u64| IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i as u32));
        let flood = MAX_CLIENTS as u64 + 100;
        for i in 0..flood {
            assert_eq!(limit.wait_for(ip(i), at(i)), None, "a newcomer is let in");
        }
        assert_eq!(consistent(&limit), MAX_CLIENTS);
        // The first hundred made room: the first newcomer is counted afresh...
        assert_eq!(limit.wait_for(ip(0), at(flood)), None);
        // ...while the newest is remembered, over its limit.
        assert!(limit.wait_for(ip(flood - 1), at(flood)).is_some());
        assert_eq!(consistent(&limit), MAX_CLIENTS);
        // An hour on, a window that ended starts again, and moves to the end of the order: the
        // next to be forgotten is another address.
        let hour = at(3_600_000);
        let again = ip(flood - 1);
        assert_eq!(limit.wait_for(again, hour), None);
        assert_eq!(consistent(&limit), MAX_CLIENTS);
        let clients = limit.clients.lock().unwrap();
        assert_eq!(clients.by_start.last(), Some(&(hour, again)));
        assert_ne!(clients.by_start.first().map(|(_, ip)| *ip), Some(again));
    }
}
