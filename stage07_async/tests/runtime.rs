//! The runtime on its own: wakers, tasks, timers and sockets, with no HTTP in sight.
#![cfg(target_os = "linux")]

use std::cell::RefCell;
use std::future::{Future, pending, poll_fn};
use std::io::{Read, Write};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use stage07_async::{
    Async, Counts, Elapsed, Runtime, TaskFailed, TcpListener, sleep, sleep_until, spawn, timeout,
};

/// Runs `test` on a thread of its own and fails if it has not finished within 10 s: a lost wake
/// would otherwise hang the test run instead of failing it.
fn within_10s<T: Send + 'static>(test: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(test());
    });
    result
        .recv_timeout(Duration::from_secs(10))
        .expect("no result within 10 s: a task was never woken")
}

/// A value another thread sets, and the waker of whoever waits for it.
#[derive(Default)]
struct Slot {
    value: Option<u32>,
    waker: Option<Waker>,
}

/// Ready with the slot's value once another thread has put it there.
struct FromAnotherThread {
    slot: Arc<Mutex<Slot>>,
    /// Told "go" once the waker is in the slot, so the other thread wakes a future that waits.
    go: Option<mpsc::Sender<()>>,
}

impl Future for FromAnotherThread {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        let mut slot = self.slot.lock().unwrap();
        if let Some(value) = slot.value {
            return Poll::Ready(value);
        }
        slot.waker = Some(cx.waker().clone());
        drop(slot);
        if let Some(go) = self.go.take() {
            go.send(()).unwrap();
        }
        Poll::Pending
    }
}

#[test]
fn a_future_woken_from_another_thread_completes() {
    let answer = within_10s(|| {
        let slot = Arc::new(Mutex::new(Slot::default()));
        let (go, wait) = mpsc::channel();
        let setter = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || {
                wait.recv().unwrap();
                let mut slot = slot.lock().unwrap();
                slot.value = Some(42);
                slot.waker.take().unwrap().wake();
            })
        };
        let runtime = Runtime::new().unwrap();
        let answer = runtime.block_on(FromAnotherThread { slot, go: Some(go) });
        setter.join().unwrap();
        answer
    });
    assert_eq!(answer, 42);
}

/// Wakes itself while it is being polled, then says `Pending`, `times` times: an executor that
/// cleared the task's "scheduled" mark after the poll, not before, would lose those wakes.
struct WakesItselfDuringPoll {
    times: u32,
}

impl Future for WakesItselfDuringPoll {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        if self.times == 0 {
            return Poll::Ready("done");
        }
        self.times -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn a_wake_during_the_poll_is_not_lost() {
    let outputs = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        let main = runtime.block_on(WakesItselfDuringPoll { times: 3 });
        let task =
            runtime.block_on(async { spawn(WakesItselfDuringPoll { times: 3 }).await.unwrap() });
        (main, task)
    });
    assert_eq!(outputs, ("done", "done"));
}

#[test]
fn timers_fire_in_the_order_of_their_deadlines() {
    let order = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let start = Instant::now();
            let fired = Rc::new(RefCell::new(Vec::new()));
            let tasks: Vec<_> = [30, 10, 20, 0]
                .into_iter()
                .map(|ms| {
                    let fired = Rc::clone(&fired);
                    spawn(async move {
                        sleep_until(start + Duration::from_millis(ms)).await;
                        fired.borrow_mut().push(ms);
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            fired.take()
        })
    });
    assert_eq!(order, [0, 10, 20, 30]);
}

#[test]
fn a_dropped_timer_is_cancelled() {
    let counts = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let mut long = sleep(Duration::from_secs(3600));
            // Polled once, so it is in the reactor's table.
            let polled = poll_fn(|cx| Poll::Ready(Pin::new(&mut long).poll(cx).is_pending()));
            assert!(polled.await);
            let set = runtime.counts().timers;
            drop(long);
            (set, runtime.counts().timers)
        })
    });
    assert_eq!(counts, (1, 0));
}

#[test]
fn timeout_gives_the_output_in_time_and_elapsed_when_too_late() {
    let (late, in_time, timers) = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let late = timeout(Duration::from_millis(20), pending::<()>()).await;
            let in_time = timeout(Duration::from_secs(3600), async { 7 }).await;
            // The hour-long timer of the one in time was cancelled with it.
            (late, in_time, runtime.counts().timers)
        })
    });
    assert_eq!(late, Err(Elapsed));
    assert_eq!(in_time, Ok(7));
    assert_eq!(timers, 0);
}

#[test]
fn a_task_that_panics_fails_alone() {
    let outcome = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        let outcome = runtime.block_on(async {
            let failing = spawn(async {
                sleep(Duration::from_millis(1)).await;
                panic!("on purpose, in a test");
            });
            let fine = spawn(async {
                sleep(Duration::from_millis(5)).await;
                "still running"
            });
            (failing.await, fine.await)
        });
        (outcome, runtime.counts())
    });
    let ((failed, fine), counts) = outcome;
    assert_eq!(failed, Err(TaskFailed));
    assert_eq!(fine, Ok("still running"));
    // The task that panicked is gone, with its timer: nothing is left behind.
    assert_eq!(
        counts,
        Counts {
            tasks: 0,
            timers: 0,
            sockets: 0
        }
    );
}

#[test]
fn many_tasks_sleep_at_the_same_time_on_one_thread() {
    // A thousand tasks each wait for the others: they all meet only if each waits as a task,
    // leaving the thread to the rest, and not the thread itself.
    let met = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let arrived = Rc::new(RefCell::new(0));
            let tasks: Vec<_> = (0..1000)
                .map(|_| {
                    let arrived = Rc::clone(&arrived);
                    spawn(async move {
                        *arrived.borrow_mut() += 1;
                        let everyone = async {
                            while *arrived.borrow() < 1000 {
                                sleep(Duration::from_millis(1)).await;
                            }
                        };
                        timeout(Duration::from_secs(5), everyone).await.is_ok()
                    })
                })
                .collect();
            let mut met = 0;
            for task in tasks {
                met += usize::from(task.await.unwrap());
            }
            met
        })
    });
    assert_eq!(met, 1000);
}

#[test]
fn a_socket_read_waits_as_a_task_and_the_thread_goes_on() {
    let (echoed, ticks) = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let (go, wait) = mpsc::channel::<()>();
            // A client that connects at once but writes only when told.
            let client = thread::spawn(move || {
                let mut stream = std::net::TcpStream::connect(addr).unwrap();
                wait.recv().unwrap();
                stream.write_all(b"ping").unwrap();
                let mut back = String::new();
                stream.read_to_string(&mut back).unwrap();
                back
            });
            let (stream, _) = listener.accept().await.unwrap();
            // While the server waits for the bytes, another task ticks on the same thread.
            let ticker = spawn(async move {
                let mut ticks = 0;
                while ticks < 3 {
                    sleep(Duration::from_millis(5)).await;
                    ticks += 1;
                }
                go.send(()).unwrap();
                ticks
            });
            let mut buffer = [0u8; 16];
            let n = stream.read(&mut buffer).await.unwrap();
            stream.write_all(&buffer[..n]).await.unwrap();
            drop(stream);
            let ticks = ticker.await.unwrap();
            (client.join().unwrap(), ticks)
        })
    });
    assert_eq!(echoed, "ping");
    assert_eq!(ticks, 3);
}

#[test]
fn a_socket_is_deregistered_when_dropped() {
    let counts = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let with = runtime.counts().sockets;
            drop(listener);
            (with, runtime.counts().sockets)
        })
    });
    assert_eq!(counts, (1, 0));
}

#[test]
fn tasks_that_yield_take_turns() {
    let order = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let order = Rc::new(RefCell::new(String::new()));
            let tasks: Vec<_> = ["a", "b"]
                .into_iter()
                .map(|name| {
                    let order = Rc::clone(&order);
                    spawn(async move {
                        for _ in 0..3 {
                            order.borrow_mut().push_str(name);
                            stage07_async::yield_now().await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            order.take()
        })
    });
    assert_eq!(order, "ababab");
}

#[test]
#[allow(clippy::async_yields_async)] // the handle is returned, on purpose, to await it later
fn tasks_woken_with_the_main_future_run_in_the_next_block_on() {
    let output = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        let deadline = Instant::now() + Duration::from_millis(20);
        // The task and the main future are woken by the same turn of the reactor.
        let handle = runtime.block_on(async move {
            let handle = spawn(async move {
                sleep_until(deadline).await;
                "ran"
            });
            sleep_until(deadline).await;
            handle
        });
        runtime.block_on(handle).unwrap()
    });
    assert_eq!(output, "ran");
}

#[test]
fn two_tasks_waiting_on_one_socket_are_both_woken() {
    let woken = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
            let ours = Rc::new(Async::new(ours).unwrap());
            // Nothing to read yet: the first read says `WouldBlock`, so both really wait.
            let mut byte = [0u8; 1];
            let nothing = ours.try_read_with(|mut socket| socket.read(&mut byte));
            assert_eq!(nothing.unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
            let waiters: Vec<_> = (0..2)
                .map(|_| {
                    let ours = Rc::clone(&ours);
                    spawn(async move { ours.readable().await })
                })
                .collect();
            stage07_async::yield_now().await; // both are polled, and wait
            theirs.write_all(b"x").unwrap();
            let mut woken = 0;
            for waiter in waiters {
                let done = timeout(Duration::from_secs(5), waiter).await;
                woken += usize::from(done.is_ok());
            }
            woken
        })
    });
    assert_eq!(woken, 2, "each task waiting to read is woken by the event");
}

#[test]
fn a_runtime_dropped_inside_another_runtimes_task_leaves_it_running() {
    let output = within_10s(|| {
        let outer = Runtime::new().unwrap();
        outer.block_on(async {
            let inner = Runtime::new().unwrap();
            drop(inner);
            // The outer runtime is still this thread's: a timer still works.
            sleep(Duration::from_millis(1)).await;
            "still running"
        })
    });
    assert_eq!(output, "still running");
}

#[test]
fn a_socket_used_on_another_runtimes_thread_panics_saying_why() {
    let message = within_10s(|| {
        let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        let socket = Runtime::new()
            .unwrap()
            .block_on(async { Async::new(ours).unwrap() });
        // Bytes are waiting, so the read itself would succeed: it must fail all the same, not
        // only when it happens to find nothing.
        theirs.write_all(b"ping").unwrap();
        let other = Runtime::new().unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            other.block_on(async {
                let mut buffer = [0u8; 4];
                socket.try_read_with(|mut s| s.read(&mut buffer))
            })
        }));
        let payload = panicked.expect_err("polled on another runtime");
        match payload.downcast::<&str>() {
            Ok(message) => message.to_string(),
            Err(payload) => payload.downcast::<String>().map(|m| *m).unwrap_or_default(),
        }
    });
    assert!(message.contains("belongs to another"), "{message}");
}

#[test]
fn the_end_of_the_stream_after_a_short_read_is_not_waited_for() {
    // A read that takes less than it had room for took everything, so the runtime waits for the
    // next event instead of reading again. But if the client had closed before that read, the
    // event that said so has come already, and no other will: the next read must not wait.
    let reads = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let client = thread::spawn(move || {
                let mut stream = std::net::TcpStream::connect(addr).unwrap();
                stream.write_all(b"ping").unwrap();
                stream.shutdown(std::net::Shutdown::Write).unwrap();
                stream
            });
            let (stream, _) = listener.accept().await.unwrap();
            let _client = client.join().unwrap(); // the bytes and the close have arrived
            // Lets the reactor take in the socket's event (readable, and closed) before reading.
            stage07_async::yield_now().await;
            let mut buffer = [0u8; 64];
            let first = stream.read(&mut buffer).await.unwrap();
            // The server's way: wait until the socket is readable, then read.
            let ready = timeout(Duration::from_secs(5), stream.readable()).await;
            let second = stream.try_read(&mut buffer).unwrap();
            (first, ready, second)
        })
    });
    assert_eq!(
        reads,
        (4, Ok(()), 0),
        "the bytes, then the end of the stream"
    );
}

#[test]
fn tasks_woken_with_a_main_future_that_panics_still_run() {
    let output = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        let deadline = Instant::now() + Duration::from_millis(20);
        let kept = RefCell::new(None);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(async {
                let handle = spawn(async move {
                    sleep_until(deadline).await;
                    "ran"
                });
                *kept.borrow_mut() = Some(handle);
                sleep_until(deadline).await; // woken in the same turn as the task
                panic!("on purpose, in a test: out of block_on");
            })
        }));
        assert!(panicked.is_err());
        runtime.block_on(kept.take().unwrap()).unwrap()
    });
    assert_eq!(output, "ran");
}

#[test]
fn a_runtime_in_a_thread_local_is_dropped_when_its_thread_ends() {
    thread_local! {
        static KEPT: RefCell<Option<Runtime>> = const { RefCell::new(None) };
    }
    let ended = thread::spawn(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            // A task left unfinished, holding a timer: dropped with the runtime.
            spawn(sleep(Duration::from_secs(3600)));
            stage07_async::yield_now().await;
        });
        KEPT.set(Some(runtime));
    })
    .join();
    assert!(ended.is_ok(), "the thread ended without a panic");
}

#[test]
fn a_timeout_too_long_for_the_clock_never_fires() {
    let output = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(timeout(Duration::MAX, async { 7 }))
    });
    assert_eq!(output, Ok(7));
}

#[test]
fn a_socket_and_a_timer_dropped_on_another_thread_are_forgotten_by_their_runtime() {
    let counts = within_10s(|| {
        let runtime = Runtime::new().unwrap();
        let (ours, _theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut timer = sleep(Duration::from_secs(3600));
        let socket = runtime.block_on(async {
            // Polled once, so the timer is in this runtime's table.
            poll_fn(|cx| {
                let _ = Pin::new(&mut timer).poll(cx);
                Poll::Ready(())
            })
            .await;
            Async::new(ours).unwrap()
        });
        let before = runtime.counts();
        // Both are `Send`: dropped on a thread with no runtime.
        thread::spawn(move || drop((socket, timer))).join().unwrap();
        // The runtime undoes what they left at its next turn.
        runtime.block_on(stage07_async::yield_now());
        (before, runtime.counts())
    });
    let (before, after) = counts;
    assert_eq!((before.sockets, before.timers), (1, 1));
    assert_eq!((after.sockets, after.timers), (0, 0));
}
