//! Running one future to its end on the current thread.
//!
//! Chapter 7 explains futures, wakers and executors properly. This is the smallest executor that
//! is correct: poll the future; when it is not ready, sleep until its waker wakes this thread.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// Wakes a thread parked in [`block_on`].
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` until it is ready, parking the thread in between.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            // A wake-up may also come for nothing (`park` can return early): polling again is
            // always allowed, so that is harmless.
            Poll::Pending => thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::block_on;
    use std::sync::mpsc;
    use std::thread;

    #[test]
    fn a_future_woken_from_another_thread_completes() {
        let (tx, rx) = mpsc::channel();
        // A future that is not ready at first: it waits for a value from another thread.
        let waiting = thread::spawn(move || block_on(Ready { rx }));
        tx.send(42).unwrap();
        assert_eq!(waiting.join().unwrap(), 42);
    }

    /// Pending until a value is on the channel; wakes itself from a helper thread.
    struct Ready {
        rx: mpsc::Receiver<i32>,
    }

    impl std::future::Future for Ready {
        type Output = i32;
        fn poll(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<i32> {
            match self.rx.try_recv() {
                Ok(value) => std::task::Poll::Ready(value),
                Err(_) => {
                    let waker = cx.waker().clone();
                    thread::spawn(move || {
                        thread::yield_now();
                        waker.wake();
                    });
                    std::task::Poll::Pending
                }
            }
        }
    }
}
