//! Timers: [`sleep`], and [`timeout`] around any future.
//!
//! A timer is an entry in the reactor's table, ordered by when it is due; the first entry's due
//! time is how long the reactor lets the kernel wait. Dropping a [`Sleep`] removes its entry, so a
//! cancelled timer costs nothing afterwards and never wakes anyone.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::runtime::{Core, Forgotten, Owner};

/// Numbers that make each timer unique, in every runtime of the process.
static NEXT_TIMER: AtomicU64 = AtomicU64::new(0);

// ANCHOR: sleep
/// A future that is ready once `deadline` has come. It is `Send` (it holds a time, a number
/// and the runtime it is set in, and reaches the reactor through the thread it is polled on), so
/// an async handler may await it.
#[derive(Debug)]
#[must_use = "a Sleep does nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    /// Set once the timer is in a reactor's table: its number, and whose table.
    set: Option<(u64, Owner)>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            self.cancel(); // the reactor has removed a timer it fired; one not fired yet goes
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        Core::with(|core| {
            // Polled on another runtime than the one it is set in: it moves.
            if self.set.as_ref().is_some_and(|(_, owner)| !owner.is(core)) {
                self.cancel();
            }
            let (key, _) = self
                .set
                .get_or_insert_with(|| (NEXT_TIMER.fetch_add(1, Ordering::Relaxed), core.owner()));
            core.reactor
                .borrow_mut()
                .set_timer(deadline, *key, cx.waker());
        });
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}
// ANCHOR_END: sleep

impl Sleep {
    /// When it is due.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    fn cancel(&mut self) {
        let Some((key, owner)) = self.set.take() else {
            return;
        };
        let deadline = self.deadline;
        let here = Core::try_with(|core| {
            let own = owner.is(core);
            if own {
                core.reactor.borrow_mut().remove_timer(deadline, key);
            }
            own
        });
        // Away from its runtime's thread, the runtime removes it at its next turn.
        if here != Some(true) {
            owner.forget(Forgotten::Timer { deadline, key });
        }
    }
}

/// Ready after `duration`. One too long to add to the clock (`Duration::MAX`) is never ready.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(later(duration))
}

/// `duration` from now, or, if the clock cannot count that far, a time no program will see: about
/// thirty years from now, as tokio takes it.
pub(crate) fn later(duration: Duration) -> Instant {
    stage05_framework::connection::after(Instant::now(), duration)
}

/// Ready at `deadline` (at once, if it has passed).
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        set: None,
    }
}

/// What [`timeout`] gives when the time ran out first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the time ran out")
    }
}

impl std::error::Error for Elapsed {}

// ANCHOR: timeout
/// `future`'s output, or [`Elapsed`] if it is not ready within `duration`. Either way the other
/// one is dropped: a future that timed out is cancelled, and so is the timer of one that did not.
pub async fn timeout<F: Future>(duration: Duration, future: F) -> Result<F::Output, Elapsed> {
    timeout_at(later(duration), future).await
}

/// `future`'s output, or [`Elapsed`] if it is not ready by `deadline`.
pub async fn timeout_at<F: Future>(deadline: Instant, future: F) -> Result<F::Output, Elapsed> {
    let mut future = pin!(future);
    let mut timer = sleep_until(deadline);
    poll_fn(|cx| {
        // The future first: one that is ready at the deadline still counts.
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        Pin::new(&mut timer).poll(cx).map(|()| Err(Elapsed))
    })
    .await
}
// ANCHOR_END: timeout
