//! A fixed pool of threads and a bounded queue of work for them.
//!
//! The Rust Book's pool (chapter 21) is the starting point: workers that take jobs from a shared
//! channel, and a `Drop` that closes the channel and joins them. This one goes further in three
//! ways. The queue is bounded, so a flood of connections waits in a queue of known size and the
//! rest are refused at once rather than piling up without end. A job that panics is caught, so a
//! worker never dies and the pool always has its threads. And the lock on the shared receiver is
//! held only while a job is taken, never while it runs: the Book's readers have often written
//! `while let Ok(job) = receiver.lock().unwrap().recv()`, whose lock lives until the end of the
//! loop's body, so the pool runs one job at a time.

use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use stage01_tcp_echo::log;

/// A job for a worker, when the work is any closure.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Workers, their queue, and what they do with each item of it.
///
/// The items are data (`T`), not closures, so that an item the full queue refuses comes back
/// whole: for a server, the connection itself, which can then still be answered `503`.
#[derive(Debug)]
pub struct ThreadPool<T: Send + 'static> {
    sender: Option<SyncSender<T>>,
    workers: Vec<JoinHandle<()>>,
}

impl<T: Send + 'static> ThreadPool<T> {
    /// `workers` threads (at least one) that each run `work` on the items queued, and a queue of
    /// at most `queue` items waiting for them. Fails if the system will not start a thread (it
    /// has a limit of its own); the threads started so far are then stopped and joined.
    pub fn new(
        workers: usize,
        queue: usize,
        work: impl Fn(T) + Send + Sync + 'static,
    ) -> io::Result<Self> {
        let (sender, receiver) = mpsc::sync_channel::<T>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let work = Arc::new(work);
        let mut pool = ThreadPool {
            sender: Some(sender),
            workers: Vec::new(),
        };
        for n in 0..workers.max(1) {
            let (receiver, work) = (Arc::clone(&receiver), Arc::clone(&work));
            let worker = thread::Builder::new()
                .name(format!("worker-{n}"))
                .spawn(move || run_worker(&receiver, &*work))?; // `pool` is dropped: joined
            pool.workers.push(worker);
        }
        Ok(pool)
    }

    /// Queues `item`, or gives it back at once if the queue is full: the caller decides what a
    /// refused item means (for a connection, a `503`).
    pub fn try_execute(&self, item: T) -> Result<(), T> {
        let sender = self.sender.as_ref().expect("the pool is running");
        match sender.try_send(item) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(item) | TrySendError::Disconnected(item)) => Err(item),
        }
    }

    /// How many workers there are.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }
}

// ANCHOR: work
/// A worker's life: take an item (holding the lock only for that), work on it, again, until the
/// pool is dropped and the channel closes.
fn run_worker<T>(receiver: &Mutex<Receiver<T>>, work: &(impl Fn(T) + ?Sized)) {
    loop {
        // The guard is a temporary of this statement: the lock is released before the work.
        let item = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(item) = item else {
            return; // the pool was dropped
        };
        // Work that panics must not take its worker with it: the pool would shrink by one
        // thread each time, and serve nothing once it had none.
        if panic::catch_unwind(AssertUnwindSafe(|| work(item))).is_err() {
            log!("{}: a job panicked; the worker goes on", worker_name());
        }
    }
}
// ANCHOR_END: work

fn worker_name() -> String {
    thread::current().name().unwrap_or("worker").to_string()
}

impl<T: Send + 'static> Drop for ThreadPool<T> {
    /// Closes the queue, lets the workers finish what they have, and waits for them.
    fn drop(&mut self) {
        drop(self.sender.take());
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Job, ThreadPool};

    fn closures(workers: usize, queue: usize) -> ThreadPool<Job> {
        ThreadPool::new(workers, queue, |job: Job| job()).expect("start the workers")
    }
    use std::sync::mpsc;
    use std::sync::{Arc, Barrier};

    #[test]
    fn jobs_run_side_by_side() {
        // Four jobs that each wait for all four: they finish only if they run at the same time.
        let pool = closures(4, 4);
        let barrier = Arc::new(Barrier::new(4));
        let (done, finished) = mpsc::channel();
        for _ in 0..4 {
            let (barrier, done) = (Arc::clone(&barrier), done.clone());
            let job = Box::new(move || {
                barrier.wait();
                done.send(()).unwrap();
            });
            assert!(pool.try_execute(job).is_ok());
        }
        for _ in 0..4 {
            finished.recv().unwrap();
        }
    }

    #[test]
    fn a_full_queue_gives_the_job_back() {
        let pool = closures(1, 1);
        let (release, wait) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel();
        let blocker = Box::new(move || {
            started.send(()).unwrap();
            let _ = wait.recv();
        });
        assert!(pool.try_execute(blocker).is_ok());
        running.recv().unwrap(); // the worker has it
        assert!(
            pool.try_execute(Box::new(|| ())).is_ok(),
            "one waits in the queue"
        );
        assert!(
            pool.try_execute(Box::new(|| ())).is_err(),
            "the next is refused"
        );
        release.send(()).unwrap();
    }

    #[test]
    fn a_panicking_job_does_not_kill_its_worker() {
        let pool = closures(1, 4);
        assert!(
            pool.try_execute(Box::new(|| panic!("a job with a bug")))
                .is_ok()
        );
        let (done, finished) = mpsc::channel();
        assert!(
            pool.try_execute(Box::new(move || done.send(()).unwrap()))
                .is_ok()
        );
        finished
            .recv()
            .expect("the same, single worker ran the next job");
        assert_eq!(pool.workers(), 1);
    }
}
