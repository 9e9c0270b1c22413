//! [`Async`]: any socket, made non-blocking and registered with this thread's reactor, so that a
//! read or write that would block makes the task wait instead of the thread.

use std::future::poll_fn;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::task::{Context, Poll};

use crate::reactor::Direction;
use crate::runtime::{Core, Forgotten, Owner};
use crate::sys::Interest;

/// The sockets std can put in non-blocking mode. (Sealed: only these can be [`Async`].)
pub trait NonBlocking: AsFd + private::Sealed {
    fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()>;
}

mod private {
    pub trait Sealed {}
    impl Sealed for std::net::TcpStream {}
    impl Sealed for std::net::TcpListener {}
    impl Sealed for std::os::unix::net::UnixStream {}
}

impl NonBlocking for std::net::TcpStream {
    fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        std::net::TcpStream::set_nonblocking(self, nonblocking)
    }
}

impl NonBlocking for std::net::TcpListener {
    fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        std::net::TcpListener::set_nonblocking(self, nonblocking)
    }
}

impl NonBlocking for UnixStream {
    fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        UnixStream::set_nonblocking(self, nonblocking)
    }
}

// ANCHOR: async
/// A non-blocking socket registered with the reactor of the thread that made it.
///
/// Its operations try the system call first, and only when the kernel says `WouldBlock` do they
/// wait: the reactor forgets the readiness it had seen, keeps the task's waker, and wakes it at
/// the socket's next event. Dropping it deregisters the socket, then closes it.
#[derive(Debug)]
pub struct Async<T: NonBlocking> {
    io: T,
    token: u64,
    /// The runtime whose reactor it is registered with.
    runtime: Owner,
}

impl<T: NonBlocking> Async<T> {
    /// Puts `io` in non-blocking mode and registers it, for reading and writing.
    ///
    /// # Panics
    ///
    /// Outside a runtime (see [`crate::Runtime::block_on`]).
    pub fn new(io: T) -> io::Result<Async<T>> {
        Async::with_interest(io, Interest::ReadWrite)
    }

    pub(crate) fn with_interest(io: T, interest: Interest) -> io::Result<Async<T>> {
        io.set_nonblocking(true)?;
        let (token, runtime) = Core::with(|core| {
            let token = core.reactor.borrow_mut().register(io.as_fd(), interest);
            (token, core.owner())
        });
        Ok(Async {
            io,
            token: token?,
            runtime,
        })
    }

    /// The socket itself. Reading or writing through it bypasses the readiness the reactor keeps:
    /// a read that says `WouldBlock` here does not tell the reactor, and the next
    /// [`Async::readable`] returns at once. Do I/O with [`Async::try_read_with`] and the like.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// Ready unless the last read through this `Async` said `WouldBlock` (or, through `net`, took
    /// everything there was) and no event has come since. So it is ready at first, and
    /// ready again once bytes, the end of the stream or an error arrive: it is what the reactor
    /// last saw, not a promise that the next read will not block.
    ///
    /// # Panics
    ///
    /// On a thread whose runtime is not the one that registered the socket (and the same for
    /// every method below that waits or may).
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_ready(Direction::Read, cx)
    }

    /// Ready once a write would not block.
    pub fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_ready(Direction::Write, cx)
    }

    /// Waits until a read would not block.
    pub async fn readable(&self) {
        poll_fn(|cx| self.poll_readable(cx)).await;
    }

    /// Waits until a write would not block.
    pub async fn writable(&self) {
        poll_fn(|cx| self.poll_writable(cx)).await;
    }

    /// Runs `op`, a read of some kind, once; if the kernel says `WouldBlock`, the socket is not
    /// readable after all, and the next [`Async::readable`] waits for an event.
    pub fn try_read_with<R>(&self, op: impl FnOnce(&T) -> io::Result<R>) -> io::Result<R> {
        self.try_io(Direction::Read, op)
    }

    /// Runs `op`, a write of some kind, once; `WouldBlock` as for [`Async::try_read_with`].
    pub fn try_write_with<R>(&self, op: impl FnOnce(&T) -> io::Result<R>) -> io::Result<R> {
        self.try_io(Direction::Write, op)
    }

    /// Says that a read just took everything there was: it returned fewer bytes than its buffer
    /// had room for. With edge-triggered readiness that is as good as a `WouldBlock`, and saves
    /// the read that would have said it (tokio does the same). Said after a read that did not
    /// take everything, it would lose the rest until the next event: so only `net` says it.
    pub(crate) fn read_drained(&self) {
        Core::with_own(&self.runtime, |core| {
            core.reactor.borrow_mut().read_drained(self.token);
        });
    }

    /// Runs `op` until it does not say `WouldBlock`, waiting for readability in between.
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        loop {
            match self.try_read_with(&mut op) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.readable().await,
                other => return other,
            }
        }
    }

    /// Runs `op` until it does not say `WouldBlock`, waiting for writability in between.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        loop {
            match self.try_write_with(&mut op) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.writable().await,
                other => return other,
            }
        }
    }

    fn poll_ready(&self, direction: Direction, cx: &mut Context<'_>) -> Poll<()> {
        Core::with_own(&self.runtime, |core| {
            core.reactor
                .borrow_mut()
                .poll_ready(self.token, direction, cx)
        })
    }

    fn try_io<R>(
        &self,
        direction: Direction,
        op: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        // Checked before the I/O, not only when it would block: used on the wrong thread, a read
        // must fail the same way whether or not bytes happen to be there.
        Core::with_own(&self.runtime, |_| ());
        let result = op(&self.io);
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            Core::with_own(&self.runtime, |core| {
                core.reactor.borrow_mut().clear_ready(self.token, direction);
            });
        }
        result
    }
}

impl<T: NonBlocking> Drop for Async<T> {
    fn drop(&mut self) {
        let (fd, token) = (self.io.as_fd(), self.token);
        let here = Core::try_with(|core| {
            let own = self.runtime.is(core);
            if own {
                core.reactor.borrow_mut().deregister(fd, token);
            }
            own
        });
        // Dropped on another thread: closing the socket (right after this) takes it out of the
        // epoll set, unless a copy of it is open, and its runtime forgets its place at its next
        // turn. (If that runtime has gone, the place went with it.)
        if here != Some(true) {
            self.runtime.forget(Forgotten::Socket { token });
        }
    }
}
// ANCHOR_END: async
