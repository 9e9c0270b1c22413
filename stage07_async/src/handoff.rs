//! Spreading one server's connections over its runtimes.
//!
//! Every runtime waits for the same listener, and `EPOLLEXCLUSIVE` wakes one of them for a new
//! connection. Which one is the kernel's choice, and on a server that is not busy it is the same
//! runtime nearly every time (one of four was handed 199 of 200 connections opened one after
//! another). A connection stays where it was accepted, so the other
//! cores would sit idle. So the runtime that accepts a connection gives it to the runtime that
//! holds the fewest, when that is another one: the stream goes in that runtime's inbox, and its
//! waker wakes it, across threads, like any waker.

use std::future::poll_fn;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

/// What every runtime knows of the others.
#[derive(Debug)]
pub(crate) struct Runtimes {
    slots: Vec<Slot>,
}

#[derive(Debug, Default)]
struct Slot {
    /// Connections this runtime serves, or has been handed and not yet taken.
    open: AtomicUsize,
    inbox: Mutex<Inbox>,
}

#[derive(Debug, Default)]
struct Inbox {
    streams: Vec<(TcpStream, SocketAddr)>,
    /// The runtime's task that takes what is handed over, while it waits.
    waker: Option<Waker>,
}

impl Runtimes {
    pub(crate) fn new(runtimes: usize) -> Runtimes {
        Runtimes {
            slots: (0..runtimes).map(|_| Slot::default()).collect(),
        }
    }

    /// How many runtimes there are.
    pub(crate) fn count(&self) -> usize {
        self.slots.len()
    }

    /// The runtime that should serve a connection runtime `me` has accepted: `me`, unless another
    /// holds fewer. The counts may be a moment old (other threads change them); it is a hint.
    pub(crate) fn least_loaded(&self, me: usize) -> usize {
        let mine = self.open(me);
        self.slots
            .iter()
            .enumerate()
            .map(|(i, slot)| (slot.open.load(Ordering::Relaxed), i))
            .filter(|&(open, _)| open < mine)
            .min()
            .map_or(me, |(_, i)| i)
    }

    /// Connections runtime `runtime` holds.
    pub(crate) fn open(&self, runtime: usize) -> usize {
        self.slots[runtime].open.load(Ordering::SeqCst)
    }

    /// Counts a connection as runtime `runtime`'s.
    pub(crate) fn opened(&self, runtime: usize) {
        self.slots[runtime].open.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts one of runtime `runtime`'s connections as closed; returns how many it has left.
    pub(crate) fn closed(&self, runtime: usize) -> usize {
        self.slots[runtime].open.fetch_sub(1, Ordering::SeqCst) - 1
    }

    /// Gives runtime `to` a connection to serve, counted as its own from now on.
    pub(crate) fn hand_over(&self, to: usize, stream: TcpStream, peer: SocketAddr) {
        self.opened(to);
        let waker = {
            let mut inbox = self.inbox(to);
            inbox.streams.push((stream, peer));
            inbox.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake(); // outside the lock: waking may write to the other runtime's socket
        }
    }

    /// Ready with the connections handed to runtime `me` once there are some.
    pub(crate) async fn handed_to(&self, me: usize) -> Vec<(TcpStream, SocketAddr)> {
        poll_fn(|cx| {
            let mut inbox = self.inbox(me);
            if !inbox.streams.is_empty() {
                return Poll::Ready(std::mem::take(&mut inbox.streams));
            }
            inbox.waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    fn inbox(&self, runtime: usize) -> MutexGuard<'_, Inbox> {
        self.slots[runtime]
            .inbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::Runtimes;

    #[test]
    fn a_connection_goes_to_the_runtime_that_holds_the_fewest() {
        let runtimes = Runtimes::new(3);
        assert_eq!(runtimes.least_loaded(0), 0, "all equal: it stays");
        runtimes.opened(0);
        assert_eq!(runtimes.least_loaded(0), 1, "the first of those with fewer");
        runtimes.opened(1);
        runtimes.opened(2);
        assert_eq!(runtimes.least_loaded(2), 2, "all equal again");
        assert_eq!(runtimes.closed(1), 0);
        assert_eq!(runtimes.least_loaded(0), 1);
    }
}
