//! Ctrl+C and `SIGTERM`, turned into a call to [`StopSignal::stop`]: the one thing this chapter
//! needs from the operating system that the standard library does not offer.
//!
//! A signal is the kernel interrupting the process: Ctrl+C in a terminal sends `SIGINT`, and
//! `kill` (or a service manager stopping the program) sends `SIGTERM`. Unless the program says
//! otherwise, either ends it on the spot, with requests half answered. Saying otherwise means
//! registering a *signal handler*, a function the kernel runs on some thread of the process, in
//! the middle of whatever that thread was doing. It may have been holding a lock, or inside the
//! allocator, so the handler may only do what is *async-signal-safe* (the `signal-safety(7)`
//! manual page lists it): no locks, no allocation, no `println!`.
//!
//! So the handler does one thing: it writes one byte to a socket. A thread of ours waits on the
//! other end of that socket, and when the byte arrives it does the real work as ordinary code:
//! it stops the server. This is the *self-pipe trick*; chapter 7 will register the reading end
//! with its reactor instead of giving it a thread.
//!
//! std has the socket pair ([`UnixStream::pair`]) but no way to register a handler, so two C
//! functions are declared by hand: `signal`, which registers it, and `write`, the one call the
//! handler makes (and a third, to keep `errno` as the interrupted code left it). That is the only
//! `unsafe` code of this crate. It is compiled on Linux, Android, macOS, iOS and FreeBSD, whose
//! C libraries it knows by name; elsewhere Ctrl+C ends the server at once.
//!
//! `signal` is the simplest way to set a handler, and on these systems it keeps the handler set
//! and restarts a blocking call the signal interrupted (BSD semantics, `SA_RESTART`); POSIX does
//! not promise either, and `sigaction` says both explicitly. Neither matters here: the handler
//! runs once, and the accept loop is woken by the stop signal, not by the interruption.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void};
use std::io::{self, Read};
use std::os::fd::IntoRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread;

use stage01_tcp_echo::log;
use stage01_tcp_echo::stop::StopSignal;

// The numbers POSIX systems give these two signals (`kill -l` lists them).
const SIGINT: c_int = 2;
const SIGTERM: c_int = 15;
/// `signal`'s "no handler of ours": the default action, which ends the process.
const SIG_DFL: usize = 0;
/// `signal`'s "ignore it": what a process started under a shell's `trap '' INT` has for `SIGINT`,
/// and so has a shell script's background job.
const SIG_IGN: usize = 1;
/// What `signal` returns when it fails.
const SIG_ERR: usize = usize::MAX;

unsafe extern "C" {
    /// `sighandler_t signal(int signum, sighandler_t handler)`: a handler is a function pointer,
    /// or 0 for the default. (`sigaction` says more, such as which signals to block meanwhile;
    /// `signal` is enough for a handler that only writes a byte.)
    fn signal(signum: c_int, handler: usize) -> usize;
    /// `ssize_t write(int fd, const void *buf, size_t count)`.
    fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    /// Where this thread's `errno` lives, which `write` may change under the interrupted code.
    #[cfg_attr(
        any(target_os = "linux", target_os = "android"),
        link_name = "__errno_location"
    )]
    #[cfg_attr(
        any(target_os = "macos", target_os = "ios", target_os = "freebsd"),
        link_name = "__error"
    )]
    fn errno_location() -> *mut c_int;
}

/// The socket the handler writes to; -1 until [`Signals::install`] has run.
static WAKE: AtomicI32 = AtomicI32::new(-1);

// ANCHOR: handler
/// The signal handler: one byte to the waiting thread, and nothing else.
extern "C" fn on_signal(_signum: c_int) {
    let fd = WAKE.load(Ordering::Relaxed);
    let byte = 1u8;
    // SAFETY: `errno_location` returns this thread's own `errno`, valid for the thread's life;
    // `write` is async-signal-safe (signal-safety(7)); `fd` is a socket that is never closed
    // (`Signals::install` gives up its ownership), and in non-blocking mode, so the handler cannot
    // block on it: if it is full, a byte is waiting already. `byte` lives across the call. The
    // interrupted code finds its `errno` as it left it.
    unsafe {
        let errno = errno_location();
        let saved = *errno;
        write(fd, (&raw const byte).cast(), 1);
        *errno = saved;
    }
}
// ANCHOR_END: handler

/// Sets what the process does on `signum`: call `handler`, the default (`SIG_DFL`) or nothing
/// (`SIG_IGN`); returns what it did before.
fn set_handler(signum: c_int, handler: usize) -> io::Result<usize> {
    // SAFETY: `signum` is SIGINT or SIGTERM, which may be caught, and `handler` is SIG_DFL,
    // SIG_IGN or `on_signal`, an `extern "C" fn(c_int)` that does only async-signal-safe work.
    let previous = unsafe { signal(signum, handler) };
    if previous == SIG_ERR {
        return Err(io::Error::last_os_error());
    }
    Ok(previous)
}

/// Ctrl+C (`SIGINT`) and `SIGTERM`, caught: each one that arrives is a byte on [`Signals::receiver`].
/// Whoever holds it decides what a signal does: [`stop_on_signals`] gives it a thread, and chapter
/// 7 registers the socket with its reactor, so no thread waits on it.
#[derive(Debug)]
pub struct Signals {
    receiver: UnixStream,
    /// The signals whose handler is ours (not those the process was started ignoring).
    ours: Vec<c_int>,
}

impl Signals {
    /// Sets the handler for `SIGINT` and `SIGTERM`. Once per process: a second call is an error.
    pub fn install() -> io::Result<Signals> {
        let (receiver, handler_end) = UnixStream::pair()?;
        handler_end.set_nonblocking(true)?;
        let fd = handler_end.into_raw_fd(); // never closed: a handler may run at any time
        if WAKE
            .compare_exchange(-1, fd, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return Err(io::Error::other("the signal handler is installed already"));
        }
        // Signals the process was started ignoring stay ignored: whoever started it asked for that.
        let handler = on_signal as extern "C" fn(c_int) as usize;
        let mut ours = Vec::new();
        for signum in [SIGINT, SIGTERM] {
            match set_handler(signum, handler)? {
                SIG_IGN => drop(set_handler(signum, SIG_IGN)?),
                _ => ours.push(signum),
            }
        }
        Ok(Signals { receiver, ours })
    }

    /// The socket a byte arrives on for each signal. A signal that came before anyone reads it
    /// leaves its byte waiting there.
    pub fn receiver(&self) -> &UnixStream {
        &self.receiver
    }

    /// Puts the default action back, so that the next signal ends the process at once, as it
    /// would have without any of this: a way out when something will not finish.
    pub fn restore_defaults(&self) {
        for &signum in &self.ours {
            let _ = set_handler(signum, SIG_DFL);
        }
    }
}

// ANCHOR: stop_on_signals
/// Makes Ctrl+C (`SIGINT`) and `SIGTERM` call `stop.stop()`: the server stops accepting,
/// finishes what it has and returns from `run`. A second signal ends the process at once, as it
/// would have without this. Call it once per process.
pub fn stop_on_signals(stop: StopSignal) -> io::Result<()> {
    let signals = Signals::install()?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let signalled = signals.receiver().read_exact(&mut [0]).is_ok();
            // After one signal (or if the socket failed), the next one ends the process.
            signals.restore_defaults();
            if signalled {
                log!("stopping: finishing what is in flight (again to quit at once)");
                stop.stop();
            }
        })?;
    Ok(())
}
// ANCHOR_END: stop_on_signals
