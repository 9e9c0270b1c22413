//! The reactor: what the runtime's thread does when no task can make progress. It asks the
//! kernel to wait until a registered socket is ready or the next timer is due, whichever comes
//! first, and then wakes the tasks that were waiting for exactly that.
//!
//! Two tables: the registrations (for each socket, whether it was last seen readable and
//! writable, and the wakers of the tasks waiting for either), and the timers, ordered by when
//! they are due. The next timer's deadline is the timeout of `epoll_wait`, so a runtime with
//! nothing to do sleeps in the kernel and uses no CPU at all.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::runtime::Forgotten;
use crate::slab::Slab;
use crate::sys::{Epoll, Events, Interest};

/// The token of the runtime's own wake-up socket (see [`Reactor::new`]).
const WAKE_TOKEN: u64 = u64::MAX;

/// How many events one wait takes in; more wait for the next turn.
const EVENTS_PER_TURN: usize = 1024;

/// Reading or writing: what a task waits for on a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Read,
    Write,
}

/// What the reactor knows about one registered socket.
#[derive(Debug, Default)]
struct Source {
    /// Readiness last reported, and not used up since: a read or write that fails with
    /// `WouldBlock` clears it, the next event sets it again.
    readable: bool,
    writable: bool,
    /// The peer has closed its half, or the connection broke: it stays readable for good.
    read_closed: bool,
    /// The tasks waiting to read and to write. Mostly one or none; a `Vec`, so that two tasks
    /// waiting on one socket (one reads, another waits for it to close) are both woken.
    readers: Vec<Waker>,
    writers: Vec<Waker>,
}

/// A registration: its place in the table, and that place's generation, so that an event or a
/// stale token for a socket that has gone cannot reach the socket registered there after it.
#[derive(Debug)]
struct Slot {
    generation: u32,
    source: Source,
}

/// The operating system's readiness events and the runtime's timers, for one thread.
pub(crate) struct Reactor {
    epoll: Epoll,
    events: Events,
    sources: Slab<Slot>,
    generation: u32,
    /// Due time and a number unique to each timer, so two timers due at the same instant differ.
    timers: BTreeMap<(Instant, u64), Waker>,
    /// The reading end of the socket another thread writes a byte to, to wake this one from
    /// `epoll_wait` when it wakes one of this runtime's tasks.
    wake_receiver: UnixStream,
}

impl Reactor {
    /// A reactor whose waits end when a byte arrives on `wake_receiver`, among everything else.
    pub(crate) fn new(wake_receiver: UnixStream) -> io::Result<Reactor> {
        let epoll = Epoll::new()?;
        wake_receiver.set_nonblocking(true)?;
        epoll.add(wake_receiver.as_fd(), Interest::Read, WAKE_TOKEN)?;
        Ok(Reactor {
            epoll,
            events: Events::with_capacity(EVENTS_PER_TURN),
            sources: Slab::new(),
            generation: 0,
            timers: BTreeMap::new(),
            wake_receiver,
        })
    }

    /// Watches `fd` from now on; the token names it in the calls below.
    pub(crate) fn register(&mut self, fd: BorrowedFd<'_>, interest: Interest) -> io::Result<u64> {
        self.generation = self.generation.wrapping_add(1);
        // Ready until the first `WouldBlock` says otherwise: the first read is simply tried.
        let source = Source {
            readable: true,
            writable: true,
            ..Source::default()
        };
        let index = self.sources.insert(Slot {
            generation: self.generation,
            source,
        });
        let token = (u64::from(self.generation) << 32) | index as u64;
        if let Err(error) = self.epoll.add(fd, interest, token) {
            self.sources.remove(index);
            return Err(error);
        }
        Ok(token)
    }

    /// Stops watching `fd`, registered as `token`.
    pub(crate) fn deregister(&mut self, fd: BorrowedFd<'_>, token: u64) {
        if self.source(token).is_some() {
            self.sources.remove(index_of(token));
            // Fails only if `fd` is not registered, which changes nothing.
            let _ = self.epoll.delete(fd);
        }
    }

    /// Whether the socket is ready for `direction`; if not, `cx`'s waker is woken when it is.
    pub(crate) fn poll_ready(
        &mut self,
        token: u64,
        direction: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        let Some(source) = self.source(token) else {
            // Deregistered: nothing will ever come, and a read will say what went wrong.
            return Poll::Ready(());
        };
        let (ready, waiting) = match direction {
            Direction::Read => (source.readable, &mut source.readers),
            Direction::Write => (source.writable, &mut source.writers),
        };
        if ready {
            return Poll::Ready(());
        }
        // A task polled again mostly has the same waker: keep one per task, not one per poll.
        if !waiting.iter().any(|waker| waker.will_wake(cx.waker())) {
            waiting.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// A read or write found nothing to do (`WouldBlock`): wait for the next event.
    pub(crate) fn clear_ready(&mut self, token: u64, direction: Direction) {
        if let Some(source) = self.source(token) {
            match direction {
                Direction::Read => source.readable = false,
                Direction::Write => source.writable = false,
            }
        }
    }

    /// A read took less than it had room for, so it took everything the kernel had: the next
    /// read would only say `WouldBlock`, and the next event is worth waiting for instead. (Not
    /// once the peer has closed: the event that said so has come already, and no other will.
    /// One case breaks the rule: TCP's urgent byte (`MSG_OOB`, which no HTTP client sends) stops
    /// a read early with more queued and no new event, so such a client stalls its own request
    /// until its deadline; tokio takes the same shortcut.)
    pub(crate) fn read_drained(&mut self, token: u64) {
        if let Some(source) = self.source(token) {
            source.readable = source.read_closed;
        }
    }

    /// Wakes `waker` once `deadline` has come; `key` makes the timer unique. Setting it again
    /// with the same `deadline` and `key` replaces the waker.
    pub(crate) fn set_timer(&mut self, deadline: Instant, key: u64, waker: &Waker) {
        match self.timers.get_mut(&(deadline, key)) {
            Some(set) if set.will_wake(waker) => {}
            Some(set) => *set = waker.clone(),
            None => {
                self.timers.insert((deadline, key), waker.clone());
            }
        }
    }

    /// Undoes what sockets and timers dropped on other threads left behind.
    pub(crate) fn forget(&mut self, forgotten: Vec<Forgotten>) {
        for what in forgotten {
            match what {
                // The descriptor is closed already: only its place in the table is left.
                Forgotten::Socket { token } => {
                    if self.source(token).is_some() {
                        self.sources.remove(index_of(token));
                    }
                }
                Forgotten::Timer { deadline, key } => self.remove_timer(deadline, key),
            }
        }
    }

    /// Forgets a timer: a `Sleep` that is dropped before it is due is cancelled this way.
    pub(crate) fn remove_timer(&mut self, deadline: Instant, key: u64) {
        self.timers.remove(&(deadline, key));
    }

    /// How many timers are set and how many sockets registered, for tests and the book.
    pub(crate) fn counts(&self) -> (usize, usize) {
        (self.timers.len(), self.sources.len())
    }

    // ANCHOR: turn
    /// Waits for events, no longer than until the next timer is due, or not at all unless
    /// `block`; then puts the wakers of every task whose socket is ready or whose timer is due
    /// in `woken`. The caller wakes them once this reactor is no longer borrowed: a woken task
    /// may be polled at once, and it may want the reactor.
    pub(crate) fn turn(&mut self, block: bool, woken: &mut Vec<Waker>) -> io::Result<()> {
        let timeout = match (block, self.timers.first_key_value()) {
            (false, _) => Some(Duration::ZERO),
            (true, Some((&(due, _), _))) => Some(due.saturating_duration_since(Instant::now())),
            (true, None) => None, // nothing to wait for but the kernel
        };
        self.epoll.wait(&mut self.events, timeout)?;
        for event in self.events.iter() {
            if event.token == WAKE_TOKEN {
                // Another thread woke this one: empty the socket, so the next byte is an event.
                while matches!((&self.wake_receiver).read(&mut [0; 64]), Ok(n) if n > 0) {}
                continue;
            }
            let Some(slot) = self.sources.get_mut(index_of(event.token)) else {
                continue;
            };
            if slot.generation != generation_of(event.token) {
                continue; // for a socket that has gone since
            }
            let source = &mut slot.source;
            source.read_closed |= event.read_closed;
            if event.readable {
                source.readable = true;
                woken.append(&mut source.readers);
            }
            if event.writable {
                source.writable = true;
                woken.append(&mut source.writers);
            }
        }
        let now = Instant::now();
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            woken.push(entry.remove());
        }
        Ok(())
    }
    // ANCHOR_END: turn

    fn source(&mut self, token: u64) -> Option<&mut Source> {
        let slot = self.sources.get_mut(index_of(token))?;
        (slot.generation == generation_of(token)).then_some(&mut slot.source)
    }
}

fn index_of(token: u64) -> usize {
    (token & u64::from(u32::MAX)) as usize
}

fn generation_of(token: u64) -> u32 {
    (token >> 32) as u32
}
