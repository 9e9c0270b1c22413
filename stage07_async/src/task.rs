//! Join handles: a task's output, for whoever awaits it.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A task ended without an output: it panicked, or its runtime was dropped before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskFailed;

impl fmt::Display for TaskFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the task panicked or was dropped before it finished")
    }
}

impl std::error::Error for TaskFailed {}

enum State<T> {
    Running { joiner: Option<Waker> },
    Done(Result<T, TaskFailed>),
    Taken,
}

/// Awaits a spawned task's output: `Ok(output)`, or [`TaskFailed`] if it never gave one.
/// Dropping the handle lets the task run on, detached.
pub struct JoinHandle<T> {
    state: Rc<RefCell<State<T>>>,
}

/// The task's end of the pair: it gives the output, or, dropped without giving one (the task
/// panicked or was dropped), says so.
pub(crate) struct Finisher<T> {
    state: Rc<RefCell<State<T>>>,
}

pub(crate) fn join_pair<T>() -> (JoinHandle<T>, Finisher<T>) {
    let state = Rc::new(RefCell::new(State::Running { joiner: None }));
    (
        JoinHandle {
            state: Rc::clone(&state),
        },
        Finisher { state },
    )
}

impl<T> Finisher<T> {
    pub(crate) fn finish(self, output: T) {
        self.end(Ok(output));
    }

    /// Ends the task with `result`, if it has not ended already, and wakes whoever awaits it.
    fn end(&self, result: Result<T, TaskFailed>) {
        let mut state = self.state.borrow_mut();
        if let State::Running { joiner } = &mut *state {
            let joiner = joiner.take();
            *state = State::Done(result);
            drop(state);
            if let Some(waker) = joiner {
                waker.wake();
            }
        }
    }
}

impl<T> Drop for Finisher<T> {
    fn drop(&mut self) {
        self.end(Err(TaskFailed)); // nothing, if `finish` came first
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, TaskFailed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.state.borrow_mut();
        if let State::Running { joiner } = &mut *state {
            *joiner = Some(cx.waker().clone());
            return Poll::Pending;
        }
        match std::mem::replace(&mut *state, State::Taken) {
            State::Done(result) => Poll::Ready(result),
            _ => panic!("a JoinHandle was polled after it gave its output"),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match *self.state.borrow() {
            State::Running { .. } => "running",
            State::Done(_) => "done",
            State::Taken => "taken",
        };
        f.debug_struct("JoinHandle").field("state", &state).finish()
    }
}
