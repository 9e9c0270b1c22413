//! The executor: one thread that runs many tasks, polling each when it has been woken, and
//! handing the thread to the reactor when none has.
//!
//! A *task* is a future the runtime owns and polls to its end ([`spawn`]). When a task returns
//! `Poll::Pending`, it has given its waker to whatever it waits for (the reactor, for a socket or
//! a timer; another thread, for a result). Waking puts the task's number in the *ready queue*;
//! the executor polls what is there, and when the queue is empty it lets the reactor wait in the
//! kernel until something happens. That is the whole of the loop in [`Runtime::block_on`].
//!
//! The tasks of one runtime never leave its thread, so they need not be `Send`; wakers must be,
//! since any thread may wake a task. So a waker holds only the task's number and the queue (an
//! `Arc`, with a `Mutex`), never the task itself, and a waker from another thread also writes a
//! byte to the reactor's wake-up socket, in case the runtime is asleep in `epoll_wait`.

use std::cell::RefCell;
use std::future::Future;
use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::panic::{self, AssertUnwindSafe};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

use stage01_tcp_echo::log;

use crate::reactor::Reactor;
use crate::slab::Slab;
use crate::task::{JoinHandle, join_pair};

/// The number the future given to [`Runtime::block_on`] has in the ready queue.
const MAIN: usize = usize::MAX;

/// A task's future: it runs on this thread only, so it need not be `Send`.
type LocalFuture = Pin<Box<dyn Future<Output = ()>>>;

/// What wakers share with the executor; every other thread may hold it.
struct Shared {
    /// The tasks woken since the executor last looked.
    ready: Mutex<Vec<usize>>,
    /// The executor is (about to be) asleep in `epoll_wait`: a waker must wake it.
    sleeping: AtomicBool,
    /// A byte written here ends the reactor's wait.
    wake_sender: UnixStream,
    /// Sockets and timers dropped on another thread, for the reactor to forget at its next turn.
    forgotten: Mutex<Vec<Forgotten>>,
}

/// What a socket or timer dropped away from its runtime's thread leaves for the runtime to undo.
#[derive(Debug)]
pub(crate) enum Forgotten {
    /// A socket's registration (its descriptor is closed already, and out of the epoll set).
    Socket {
        token: u64,
    },
    Timer {
        deadline: Instant,
        key: u64,
    },
}

/// A runtime as its sockets and timers remember it: which one it is, and how to tell it what was
/// dropped elsewhere. Both are `Send`, so they may be dropped on any thread.
#[derive(Clone)]
pub(crate) struct Owner {
    shared: Arc<Shared>,
}

impl Owner {
    /// Whether `core` is this runtime.
    pub(crate) fn is(&self, core: &Core) -> bool {
        Arc::ptr_eq(&self.shared, &core.shared)
    }

    /// Whether the runtime is waiting in the kernel with nothing to do: it will take new work at
    /// once. (A runtime whose thread is stuck in a handler that blocks is not.)
    pub(crate) fn is_parked(&self) -> bool {
        self.shared.sleeping.load(Ordering::Relaxed)
    }

    /// Tells the runtime to undo `what` at its next turn: it was dropped on another thread.
    pub(crate) fn forget(&self, what: Forgotten) {
        self.shared
            .forgotten
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(what);
    }
}

impl std::fmt::Debug for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Owner").finish_non_exhaustive()
    }
}

impl Shared {
    /// Puts tasks taken from the queue but not polled back at its front.
    fn requeue(&self, tasks: &[usize]) {
        let mut ready = self.ready.lock().unwrap_or_else(PoisonError::into_inner);
        ready.splice(0..0, tasks.iter().copied());
    }

    fn schedule(&self, task: usize) {
        self.ready
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(task);
        // Only the first waker after the executor went to sleep writes; the byte wakes it, and
        // it clears `sleeping` itself. A wake from the runtime's own thread (the reactor waking
        // tasks, a task waking another) finds it awake, and costs no system call.
        if self.sleeping.swap(false, Ordering::SeqCst) {
            // Full means a byte is waiting already, which wakes it as well.
            let _ = (&self.wake_sender).write(&[1]);
        }
    }
}

// ANCHOR: task_waker
/// The waker of one task: its number, and whether it is in the ready queue already (so a task
/// woken ten times before it runs is polled once).
struct TaskWaker {
    task: usize,
    scheduled: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            self.shared.schedule(self.task);
        }
    }
}
// ANCHOR_END: task_waker

struct Task {
    /// `None` while the task is being polled.
    future: Option<LocalFuture>,
    waker: Arc<TaskWaker>,
}

/// One runtime's state, reached from its thread through [`Core::with`].
pub(crate) struct Core {
    pub(crate) reactor: RefCell<Reactor>,
    tasks: RefCell<Slab<Task>>,
    shared: Arc<Shared>,
}

thread_local! {
    /// The runtime running on this thread, while [`Runtime::block_on`] runs.
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

impl Core {
    /// Runs `f` with this thread's runtime.
    ///
    /// # Panics
    ///
    /// If no runtime runs on this thread: sockets, timers and `spawn` need one.
    pub(crate) fn with<R>(f: impl FnOnce(&Core) -> R) -> R {
        Core::try_with(f).expect(
            "no stage07_async runtime on this thread: this must run inside Runtime::block_on",
        )
    }

    /// Runs `f` with this thread's runtime, which must be `owner`: a socket registered with
    /// one runtime's reactor means nothing to another's.
    ///
    /// # Panics
    ///
    /// If no runtime runs on this thread, or another one does.
    pub(crate) fn with_own<R>(owner: &Owner, f: impl FnOnce(&Core) -> R) -> R {
        Core::with(|core| {
            assert!(
                owner.is(core),
                "this socket belongs to another stage07_async runtime: a socket is used on the \
                 thread whose runtime registered it"
            );
            f(core)
        })
    }

    /// Runs `f` with this thread's runtime, if there is one. A socket or timer dropped after
    /// its runtime has gone needs nothing undone: the kernel forgets a closed socket. (Also
    /// `None` while the thread's locals are being destroyed, when a thread ends.)
    pub(crate) fn try_with<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
        let core = CURRENT
            .try_with(|current| current.borrow().clone())
            .ok()
            .flatten()?;
        Some(f(&core))
    }

    /// This runtime, as its sockets and timers remember it.
    pub(crate) fn owner(&self) -> Owner {
        Owner {
            shared: Arc::clone(&self.shared),
        }
    }

    fn spawn_local(&self, future: LocalFuture) {
        let mut tasks = self.tasks.borrow_mut();
        let waker = Arc::new(TaskWaker {
            task: tasks.next_index(),
            scheduled: AtomicBool::new(false),
            shared: Arc::clone(&self.shared),
        });
        let task = tasks.insert(Task {
            future: Some(future),
            waker: Arc::clone(&waker),
        });
        debug_assert_eq!(task, waker.task);
        drop(tasks);
        waker.wake_by_ref(); // the first poll
    }

    // ANCHOR: run_task
    /// Polls task `task` once, if it is still there. The future is taken out of the table while
    /// it runs, so that it may spawn tasks (which changes the table) as it goes. (A waker kept
    /// after its task ended may name a newer task that got its place: that task is polled once
    /// for nothing, which a future must allow, so task numbers need no generation.)
    fn run_task(&self, task: usize) {
        let (mut future, waker) = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(entry) = tasks.get_mut(task) else {
                return; // finished since it was woken
            };
            let Some(future) = entry.future.take() else {
                return;
            };
            (future, Arc::clone(&entry.waker))
        };
        // Cleared before the poll: a wake during it schedules the task again, and is not lost.
        waker.scheduled.swap(false, Ordering::AcqRel);
        let waker = Waker::from(waker);
        let mut cx = Context::from_waker(&waker);
        // A task that panics ends; the runtime and its other tasks go on.
        match panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx))) {
            Ok(Poll::Pending) => {
                if let Some(entry) = self.tasks.borrow_mut().get_mut(task) {
                    entry.future = Some(future);
                }
            }
            finished => {
                if finished.is_err() {
                    log!("a task panicked; the runtime goes on");
                }
                let entry = self.tasks.borrow_mut().remove(task);
                // Outside the borrow, since dropping may touch the reactor; and caught, since a
                // `Drop` may panic too, and the runtime must go on after that as well.
                if panic::catch_unwind(AssertUnwindSafe(|| drop((entry, future)))).is_err() {
                    log!("a finished task panicked while it was dropped; the runtime goes on");
                }
            }
        }
    }
    // ANCHOR_END: run_task

    /// Schedules every task for a poll. A poll that nothing asked for is allowed (a future
    /// must cope with it): the server uses this to make every connection look at its stop flag.
    pub(crate) fn wake_all(&self) {
        let wakers: Vec<Arc<TaskWaker>> = {
            let mut tasks = self.tasks.borrow_mut();
            let indices: Vec<usize> = tasks.indices().collect();
            indices
                .into_iter()
                .filter_map(|i| tasks.get_mut(i).map(|t| Arc::clone(&t.waker)))
                .collect()
        };
        for waker in wakers {
            waker.wake_by_ref();
        }
    }

    /// Lets the reactor wait (if nothing is ready), then wakes what it reports.
    fn park(&self, woken: &mut Vec<Waker>) {
        let forgotten = std::mem::take(
            &mut *self
                .shared
                .forgotten
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        if !forgotten.is_empty() {
            self.reactor.borrow_mut().forget(forgotten);
        }
        // Say "asleep" first, then look: a waker that comes after the look sees `sleeping` and
        // writes its byte, and one that came before left its task in the queue.
        self.shared.sleeping.store(true, Ordering::SeqCst);
        let block = self
            .shared
            .ready
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty();
        let turned = self.reactor.borrow_mut().turn(block, woken);
        self.shared.sleeping.store(false, Ordering::SeqCst);
        if let Err(error) = turned {
            // epoll_wait fails only for a bad descriptor or buffer: a bug, not a condition.
            panic!("the reactor cannot wait: {error}");
        }
        for waker in woken.drain(..) {
            waker.wake();
        }
    }
}

/// What a runtime holds at one moment (see [`Runtime::counts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Spawned tasks that have not finished (the future given to `block_on` is not one).
    pub tasks: usize,
    /// Timers set and not yet fired or dropped.
    pub timers: usize,
    /// Sockets registered with the reactor.
    pub sockets: usize,
}

/// A single-threaded async runtime: an executor and its reactor, on the thread that calls
/// [`Runtime::block_on`].
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use stage07_async::{Runtime, sleep, spawn};
///
/// let runtime = Runtime::new()?;
/// let started = Instant::now();
/// let total = runtime.block_on(async {
///     // Two tasks that sleep 50 ms each, at the same time, on one thread.
///     let a = spawn(async { sleep(Duration::from_millis(50)).await; 1 });
///     let b = spawn(async { sleep(Duration::from_millis(50)).await; 2 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(total, 3);
/// assert!(started.elapsed() < Duration::from_millis(100) * 10);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Runtime {
    core: Rc<Core>,
}

impl Runtime {
    /// A runtime for this thread. Fails if the system gives no epoll instance or socket pair
    /// (out of file descriptors, or not Linux).
    pub fn new() -> io::Result<Runtime> {
        let (wake_sender, wake_receiver) = UnixStream::pair()?;
        wake_sender.set_nonblocking(true)?;
        let reactor = Reactor::new(wake_receiver)?;
        Ok(Runtime {
            core: Rc::new(Core {
                reactor: RefCell::new(reactor),
                tasks: RefCell::new(Slab::new()),
                shared: Arc::new(Shared {
                    ready: Mutex::new(Vec::new()),
                    sleeping: AtomicBool::new(false),
                    wake_sender,
                    forgotten: Mutex::new(Vec::new()),
                }),
            }),
        })
    }

    /// What this runtime holds now: its tasks, its timers and its registered sockets.
    pub fn counts(&self) -> Counts {
        let (timers, sockets) = self.core.reactor.borrow().counts();
        Counts {
            tasks: self.core.tasks.borrow().len(),
            timers,
            sockets,
        }
    }

    // ANCHOR: block_on
    /// Runs `future` to its end on this thread, and with it every task spawned meanwhile, as
    /// far as they get; returns its output. Tasks that have not finished are still there for
    /// the next `block_on`, and are dropped with the runtime.
    ///
    /// # Panics
    ///
    /// If this thread is already running a runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _entered = Entered::only(&self.core);
        let mut future = pin!(future);
        let main = Arc::new(TaskWaker {
            task: MAIN,
            scheduled: AtomicBool::new(true),
            shared: Arc::clone(&self.core.shared),
        });
        let waker = Waker::from(Arc::clone(&main));
        let mut ready = vec![MAIN];
        let mut woken = Vec::new();
        loop {
            for (i, &task) in ready.iter().enumerate() {
                if task != MAIN {
                    self.core.run_task(task);
                    continue;
                }
                main.scheduled.swap(false, Ordering::AcqRel);
                // The tasks woken with the main future are still scheduled: if it returns (or
                // panics, out of `block_on`), they go back in the queue for the next
                // `block_on`, or their wakes would be lost.
                let requeue = Requeue {
                    shared: &self.core.shared,
                    tasks: &ready[i + 1..],
                };
                if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&waker))
                {
                    return output;
                }
                std::mem::forget(requeue); // polled, and pending: the loop goes on
            }
            ready.clear();
            self.core.park(&mut woken);
            std::mem::swap(
                &mut ready,
                &mut self
                    .core
                    .shared
                    .ready
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
        }
    }
    // ANCHOR_END: block_on
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // The unfinished tasks are dropped with their runtime current, so that their sockets
        // and timers can deregister from it. A runtime may be dropped inside another one's task:
        // that one is current again afterwards.
        let _entered = Entered::over(&self.core);
        let tasks = self.core.tasks.borrow_mut().drain();
        drop(tasks);
    }
}

/// Puts tasks taken from the ready queue back at its front when dropped (see `block_on`).
struct Requeue<'a> {
    shared: &'a Shared,
    tasks: &'a [usize],
}

impl Drop for Requeue<'_> {
    fn drop(&mut self) {
        self.shared.requeue(self.tasks);
    }
}

/// Makes a runtime this thread's current one until dropped; then the one before it, if any, is
/// current again.
struct Entered {
    previous: Option<Rc<Core>>,
}

impl Entered {
    /// For `block_on`: no other runtime may be running on this thread, since a `block_on` inside
    /// a task would stop every other task of its runtime until it returned.
    fn only(core: &Rc<Core>) -> Entered {
        let entered = Entered::over(core);
        assert!(
            entered.previous.is_none(),
            "a stage07_async runtime is running on this thread already: block_on cannot nest"
        );
        entered
    }

    /// Makes `core` current over whatever was (or `None` if the thread's locals are being
    /// destroyed: a `Runtime` kept in a thread local is dropped after `CURRENT` may be gone, and
    /// its tasks then drop with no runtime current, which `Core::try_with` allows for).
    fn over(core: &Rc<Core>) -> Entered {
        let previous = CURRENT
            .try_with(|current| current.replace(Some(Rc::clone(core))))
            .unwrap_or(None);
        Entered { previous }
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // Dropped while the thread ends (a `Runtime` in a thread local): nothing to restore.
        let _ = CURRENT.try_with(|current| current.replace(previous));
    }
}

/// Runs `f` with this thread's runtime, as its sockets and timers remember it.
pub(crate) fn with_owner<R>(f: impl FnOnce(Owner) -> R) -> R {
    Core::with(|core| f(core.owner()))
}

/// Schedules every task of this thread's runtime for a poll (see `Core::wake_all`).
pub(crate) fn wake_all() {
    Core::with(Core::wake_all);
}

/// Lets the other tasks run: `Pending` once, with the task woken at once, so it goes to the back
/// of the ready queue. A task that never waits (a client that sends without pause keeps its
/// socket readable) would otherwise keep the thread for as long as it liked.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

// ANCHOR: spawn
/// Starts `future` as a task of this thread's runtime, and returns a handle to await its output.
/// The task runs whether or not the handle is awaited or kept.
///
/// # Panics
///
/// Outside [`Runtime::block_on`].
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    let (handle, finisher) = join_pair();
    let task = async move {
        let output = future.await;
        finisher.finish(output);
    };
    Core::with(|core| core.spawn_local(Box::pin(task)));
    handle
}
// ANCHOR_END: spawn
