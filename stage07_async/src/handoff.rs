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
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Poll, Waker};
use std::time::Duration;

use crate::runtime::Owner;

/// What every runtime knows of the others.
#[derive(Debug)]
pub(crate) struct Runtimes {
    slots: Vec<Slot>,
    /// How many runtimes have started, for [`Runtimes::wait_for_the_others`].
    running: Mutex<usize>,
    all_running: Condvar,
}

#[derive(Debug, Default)]
struct Slot {
    /// Connections this runtime serves, or has been handed and not yet taken.
    open: AtomicUsize,
    /// The runtime, once it runs: whether it is parked says whether it is free.
    runtime: OnceLock<Owner>,
    /// Requests whose handler this runtime is running now: while one is, and the runtime is not
    /// parked, its thread may be stuck in a handler that blocks.
    in_handler: AtomicUsize,
    inbox: Mutex<Inbox>,
}

#[derive(Debug, Default)]
struct Inbox {
    streams: Vec<(TcpStream, SocketAddr)>,
    /// The runtime's task that takes what is handed over, while it waits.
    waker: Option<Waker>,
    /// The runtime has stopped: nothing more may be handed to it.
    closed: bool,
}

impl Runtimes {
    pub(crate) fn new(runtimes: usize) -> Runtimes {
        Runtimes {
            slots: (0..runtimes).map(|_| Slot::default()).collect(),
            running: Mutex::new(0),
            all_running: Condvar::new(),
        }
    }

    /// How many runtimes there are.
    pub(crate) fn count(&self) -> usize {
        self.slots.len()
    }

    /// Runtime `runtime` runs, as `owner`.
    pub(crate) fn started(&self, runtime: usize, owner: Owner) {
        let _ = self.slots[runtime].runtime.set(owner);
        *self.running.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.all_running.notify_all();
    }

    /// Waits until every runtime has started, for at most `at_most`. A connection is handed only
    /// to a runtime that has started, so on a loaded machine, where a new thread may wait a
    /// while for a core, the first clients would all stay on the runtime that accepts first.
    /// Bounded, because a runtime that fails to start never says so here (it stops the server).
    pub(crate) fn wait_for_the_others(&self, at_most: Duration) {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = self
            .all_running
            .wait_timeout_while(running, at_most, |running| *running < self.slots.len());
    }

    /// The runtime that should serve a connection runtime `me` has accepted: `me`, unless another
    /// holds fewer and is free: parked, waiting for work, or at least in no handler. Not one
    /// that is in a handler and not parked: its thread may be stuck in a handler that blocks (a
    /// CGI script, say), and the connection would wait for it while `me`, which is accepting, is
    /// plainly free. (Parked alone would not do: a runtime that has just written an answer is a
    /// moment from parking, and on a loaded machine its client may already be back.) The counts
    /// may be a moment old (other threads change them); it is a hint.
    pub(crate) fn least_loaded(&self, me: usize) -> usize {
        let free = self.slots.iter().enumerate().map(|(i, slot)| {
            // A runtime that has not started yet is not free: it might never.
            let free = slot.runtime.get().is_some_and(|runtime| {
                runtime.is_parked() || slot.in_handler.load(Ordering::Relaxed) == 0
            });
            (i, slot.open.load(Ordering::Relaxed), free)
        });
        fewest(me, self.open(me), free)
    }

    /// Counts a request of runtime `runtime`'s as in its handler, until the guard is dropped.
    pub(crate) fn in_handler(&self, runtime: usize) -> InHandler<'_> {
        let count = &self.slots[runtime].in_handler;
        count.fetch_add(1, Ordering::Relaxed);
        InHandler { count }
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

    /// Gives runtime `to` a connection to serve, counted as its own from now on; or gives it
    /// back if that runtime has stopped.
    pub(crate) fn hand_over(
        &self,
        to: usize,
        stream: TcpStream,
        peer: SocketAddr,
    ) -> Result<(), (TcpStream, SocketAddr)> {
        let waker = {
            let mut inbox = self.inbox(to);
            if inbox.closed {
                return Err((stream, peer));
            }
            self.opened(to);
            inbox.streams.push((stream, peer));
            inbox.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake(); // outside the lock: waking may write to the other runtime's socket
        }
        Ok(())
    }

    /// Runtime `me` has stopped: nothing more is handed to it, and what was handed and not yet
    /// taken is returned (counted as its own still), for the caller to close and count closed.
    pub(crate) fn close(&self, me: usize) -> Vec<(TcpStream, SocketAddr)> {
        let mut inbox = self.inbox(me);
        inbox.closed = true;
        std::mem::take(&mut inbox.streams)
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

/// A request in its handler, counted until this is dropped.
pub(crate) struct InHandler<'a> {
    count: &'a AtomicUsize,
}

impl Drop for InHandler<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Of `runtimes` (each its number, how many connections it holds, and whether it is free),
/// the free one holding the fewest, if that is fewer than `mine`; else `me`.
fn fewest(me: usize, mine: usize, runtimes: impl Iterator<Item = (usize, usize, bool)>) -> usize {
    runtimes
        .filter(|&(_, open, free)| free && open < mine)
        .map(|(i, open, _)| (open, i))
        .min()
        .map_or(me, |(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::fewest;

    #[test]
    fn a_connection_goes_to_the_free_runtime_that_holds_the_fewest() {
        let all_free = |counts: &[usize]| {
            let counts: Vec<_> = counts
                .iter()
                .enumerate()
                .map(|(i, &n)| (i, n, true))
                .collect();
            counts.into_iter()
        };
        assert_eq!(fewest(0, 0, all_free(&[0, 0, 0])), 0, "all equal: it stays");
        assert_eq!(
            fewest(0, 1, all_free(&[1, 0, 0])),
            1,
            "the first of those with fewer"
        );
        assert_eq!(fewest(2, 1, all_free(&[1, 1, 1])), 2, "all equal again");
        assert_eq!(
            fewest(0, 3, all_free(&[3, 2, 1])),
            2,
            "the one with the fewest"
        );
        let busy = [(0, 2, true), (1, 0, false), (2, 1, true)];
        assert_eq!(
            fewest(0, 2, busy.into_iter()),
            2,
            "not one stuck in a handler"
        );
        let none_free = [(0, 2, true), (1, 0, false)];
        assert_eq!(fewest(0, 2, none_free.into_iter()), 0, "it stays");
    }
}
