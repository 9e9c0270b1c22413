//! Stopping every runtime of a server: a flag that any thread may set, and a future that each
//! runtime's accept loop awaits.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::task::{Poll, Waker};

/// Set once, seen by every runtime.
#[derive(Debug, Default)]
pub struct Shutdown {
    triggered: AtomicBool,
    /// One waker per task that waits (each runtime's accept loop): a few, never more.
    waiting: Mutex<Vec<Waker>>,
}

impl Shutdown {
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Sets the flag and wakes everyone waiting. Calling it again does nothing more.
    pub fn trigger(&self) {
        if self.triggered.swap(true, Ordering::SeqCst) {
            return;
        }
        let waiting = std::mem::take(&mut *self.lock());
        for waker in waiting {
            waker.wake();
        }
    }

    pub fn is_triggered(&self) -> bool {
        self.triggered.load(Ordering::SeqCst)
    }

    /// Ready once [`Shutdown::trigger`] has been called.
    pub async fn wait(&self) {
        poll_fn(|cx| {
            if self.is_triggered() {
                return Poll::Ready(());
            }
            let mut waiting = self.lock();
            // Looked at again under the lock: `trigger` takes the list under it, after setting
            // the flag, so a waker added here is either seen by it or not needed.
            if self.is_triggered() {
                return Poll::Ready(());
            }
            // The same task waits again and again (the accept loop, once per connection): keep
            // one waker for it, not one per wait.
            if !waiting.iter().any(|w| w.will_wake(cx.waker())) {
                waiting.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waker>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
