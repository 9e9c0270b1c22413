//! What this crate asks of the operating system that std does not offer: epoll, Linux's readiness
//! API. Three C functions, declared by hand, and the one struct they share.
//!
//! This is the only module of the crate with `unsafe` code, and the only one that knows which
//! system it runs on. Everything else (the reactor, the executor, the server) is built on the
//! safe [`Epoll`] below, so a backend for another system (`poll(2)`, or kqueue on macOS and the
//! BSDs) would replace this file and nothing else. Off Linux, [`Epoll::new`] says so, and the build
//! script warns at compile time.
//!
//! Readiness, not completion: epoll does no I/O. It says "this socket has bytes to read" or "this
//! socket has room to write", and the program then does the read or write itself, which will not
//! block. Each socket is registered once, *edge-triggered*: the kernel reports an event when
//! something changes (bytes arrive, room to write appears), not again and again for as long as
//! the socket stays ready. So a task may wait only after a read or write said `WouldBlock`; the
//! reactor remembers what was reported until then, so no event is lost.
#![cfg_attr(target_os = "linux", allow(unsafe_code))]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

/// What one readiness event says: which registration, and what it can do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// The number given when the file descriptor was registered.
    pub token: u64,
    /// A read will not block: bytes, the end of the stream, or an error are waiting.
    pub readable: bool,
    /// A write will not block: there is room, or an error is waiting.
    pub writable: bool,
    /// The peer has closed its sending half, or the connection is broken: every read from now on
    /// returns at once (the rest of the bytes, then the end of the stream or the error).
    pub read_closed: bool,
}

/// How a file descriptor is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Reading and writing, the way every connection is watched.
    ReadWrite,
    /// Reading only: the runtime's own wake-up socket, which is never written to by this thread.
    Read,
    /// Reading only, and with several threads' epolls watching the same listener, wake one of
    /// them, not all (`EPOLLEXCLUSIVE`): a new connection is accepted by one thread, and the
    /// others sleep on instead of waking to find nothing.
    AcceptExclusive,
}

#[cfg(target_os = "linux")]
pub use linux::{Epoll, Events};

#[cfg(not(target_os = "linux"))]
pub use elsewhere::{Epoll, Events};

#[cfg(target_os = "linux")]
mod linux {
    use super::{Event, Interest};
    use std::ffi::c_int;
    use std::io;
    use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
    use std::time::Duration;

    /// `O_CLOEXEC`, whose value is the same on every architecture Rust supports on Linux but
    /// SPARC.
    #[cfg(not(any(target_arch = "sparc", target_arch = "sparc64")))]
    const EPOLL_CLOEXEC: c_int = 0o2_000_000;
    #[cfg(any(target_arch = "sparc", target_arch = "sparc64"))]
    const EPOLL_CLOEXEC: c_int = 0x40_0000;
    const EPOLL_CTL_ADD: c_int = 1;
    const EPOLL_CTL_DEL: c_int = 2;
    const EPOLLIN: u32 = 0x001;
    const EPOLLOUT: u32 = 0x004;
    const EPOLLERR: u32 = 0x008;
    const EPOLLHUP: u32 = 0x010;
    const EPOLLRDHUP: u32 = 0x2000;
    const EPOLLEXCLUSIVE: u32 = 1 << 28;
    const EPOLLET: u32 = 1 << 31;
    const EINTR: i32 = 4;

    // ANCHOR: epoll_event
    /// `struct epoll_event`: what happened (or what to watch for), and the caller's own number.
    /// The C header packs it on x86-64 only, so that it has the layout 32-bit x86 gave it; on
    /// other architectures (ARM, RISC-V) the `u64` is aligned as usual. Packing it everywhere, as
    /// some tutorials do, makes epoll read garbage there.
    #[repr(C)]
    #[cfg_attr(target_arch = "x86_64", repr(packed))]
    #[derive(Clone, Copy)]
    struct EpollEvent {
        events: u32,
        data: u64,
    }
    // ANCHOR_END: epoll_event

    // The layout the kernel expects, checked when the crate is built: 12 bytes on x86-64
    // (packed) and 32-bit x86 (where a `u64` is aligned to 4 bytes anyway), 16 elsewhere.
    const _: () = assert!(
        std::mem::size_of::<EpollEvent>()
            == if cfg!(any(target_arch = "x86_64", target_arch = "x86")) {
                12
            } else {
                16
            }
    );

    unsafe extern "C" {
        /// `int epoll_create1(int flags)`: a new epoll instance, as a file descriptor.
        fn epoll_create1(flags: c_int) -> c_int;
        /// `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`.
        fn epoll_ctl(epfd: c_int, op: c_int, fd: c_int, event: *mut EpollEvent) -> c_int;
        /// `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)`.
        fn epoll_wait(
            epfd: c_int,
            events: *mut EpollEvent,
            maxevents: c_int,
            timeout: c_int,
        ) -> c_int;
    }

    /// An epoll instance: the set of file descriptors one thread waits on.
    #[derive(Debug)]
    pub struct Epoll {
        fd: OwnedFd,
    }

    /// Room for the events one [`Epoll::wait`] returns.
    pub struct Events {
        buffer: Vec<EpollEvent>,
    }

    impl Events {
        /// Room for `capacity` events per wait; more wait for the next call.
        pub fn with_capacity(capacity: usize) -> Events {
            Events {
                buffer: Vec::with_capacity(capacity.max(1)),
            }
        }

        /// The events the last wait returned.
        pub fn iter(&self) -> impl Iterator<Item = Event> + '_ {
            self.buffer.iter().map(|event| {
                // Copied out of the (possibly packed) struct: a reference to a packed field is
                // not allowed, since it may be misaligned.
                let (flags, token) = (event.events, event.data);
                let broken = flags & (EPOLLERR | EPOLLHUP) != 0;
                Event {
                    token,
                    readable: broken || flags & (EPOLLIN | EPOLLRDHUP) != 0,
                    writable: broken || flags & EPOLLOUT != 0,
                    read_closed: broken || flags & EPOLLRDHUP != 0,
                }
            })
        }
    }

    impl Epoll {
        /// A new, empty epoll instance.
        pub fn new() -> io::Result<Epoll> {
            // SAFETY: `epoll_create1` takes no pointers; it returns a new file descriptor or -1.
            let fd = unsafe { epoll_create1(EPOLL_CLOEXEC) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` was just returned to us, open, and nothing else owns it.
            let fd = unsafe { OwnedFd::from_raw_fd(fd) };
            Ok(Epoll { fd })
        }

        /// Watches `fd`, edge-triggered, reporting its events with `token`.
        pub fn add(&self, fd: BorrowedFd<'_>, interest: Interest, token: u64) -> io::Result<()> {
            let events = match interest {
                Interest::ReadWrite => EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                Interest::Read => EPOLLIN | EPOLLRDHUP | EPOLLET,
                Interest::AcceptExclusive => EPOLLIN | EPOLLEXCLUSIVE | EPOLLET,
            };
            let mut event = EpollEvent {
                events,
                data: token,
            };
            // SAFETY: both descriptors are open for the call (`BorrowedFd` and `self.fd` say so),
            // and `event` is a valid `epoll_event` that lives across it; the kernel copies it.
            let result = unsafe {
                epoll_ctl(
                    self.fd.as_raw_fd(),
                    EPOLL_CTL_ADD,
                    fd.as_raw_fd(),
                    &raw mut event,
                )
            };
            if result < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }

        /// Stops watching `fd`. Closing a descriptor does this too, unless a duplicate of it
        /// is still open (a listener shared by several threads is), so it is always done.
        pub fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
            // SAFETY: both descriptors are open for the call; since Linux 2.6.9 the event
            // pointer of a delete is ignored and may be null.
            let result = unsafe {
                epoll_ctl(
                    self.fd.as_raw_fd(),
                    EPOLL_CTL_DEL,
                    fd.as_raw_fd(),
                    std::ptr::null_mut(),
                )
            };
            if result < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }

        /// Waits until something registered is ready, or `timeout` has passed (`None`: no
        /// limit), and puts what happened in `events`. A signal that interrupts the wait is
        /// taken as "nothing happened": the caller looks at its timers and waits again.
        pub fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
            let timeout_ms = match timeout {
                None => -1,
                // Rounded up: rounding down would wake a little before a timer is due, find
                // nothing to do, and wait again for 0 ms, spinning until it is (mio does the same).
                Some(timeout) => {
                    c_int::try_from(timeout.as_nanos().div_ceil(1_000_000)).unwrap_or(c_int::MAX)
                }
            };
            let buffer = &mut events.buffer;
            buffer.clear();
            let capacity = c_int::try_from(buffer.capacity()).unwrap_or(c_int::MAX);
            // SAFETY: the buffer has room for `capacity` events, and the kernel writes at most
            // that many; `self.fd` is open for the call.
            let n = unsafe {
                epoll_wait(
                    self.fd.as_raw_fd(),
                    buffer.as_mut_ptr(),
                    capacity,
                    timeout_ms,
                )
            };
            if n < 0 {
                let error = io::Error::last_os_error();
                return match error.raw_os_error() {
                    Some(EINTR) => Ok(()),
                    _ => Err(error),
                };
            }
            // SAFETY: `epoll_wait` has written `n` events (0 <= n <= capacity) at the start of
            // the buffer, so its first `n` elements are initialized.
            unsafe { buffer.set_len(n as usize) };
            Ok(())
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod elsewhere {
    use super::{Event, Interest};
    use std::io;
    use std::os::fd::BorrowedFd;
    use std::time::Duration;

    fn unsupported() -> io::Error {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "stage07_async's reactor uses epoll, which only Linux has; \
             a poll(2) or kqueue backend in src/sys.rs is what is missing",
        )
    }

    /// Stands in for epoll where there is none: it cannot be made.
    #[derive(Debug)]
    pub struct Epoll {
        _never: (),
    }

    /// Stands in for epoll's events where there is none.
    pub struct Events;

    impl Events {
        pub fn with_capacity(_: usize) -> Events {
            Events
        }

        pub fn iter(&self) -> impl Iterator<Item = Event> + '_ {
            std::iter::empty()
        }
    }

    impl Epoll {
        pub fn new() -> io::Result<Epoll> {
            Err(unsupported())
        }

        pub fn add(&self, _: BorrowedFd<'_>, _: Interest, _: u64) -> io::Result<()> {
            Err(unsupported())
        }

        pub fn delete(&self, _: BorrowedFd<'_>) -> io::Result<()> {
            Err(unsupported())
        }

        pub fn wait(&self, _: &mut Events, _: Option<Duration>) -> io::Result<()> {
            Err(unsupported())
        }
    }
}
