//! The demo site as this chapter serves it: chapter 5's, with an `async` `/sleep/{ms}`.

use std::io;
use std::time::Duration;

use stage05_framework::site::{MAX_SLEEP_MS, SiteOptions, demo_app_with};
use stage05_framework::{App, Error, get, routes};

// ANCHOR: async_sleep
/// `GET /sleep/{ms}`: answers after `ms` milliseconds (at most 10 s). Chapter 5's handler sleeps
/// its thread; this one awaits a timer, so its thread serves everyone else meanwhile.
#[get("/sleep/{ms}")]
async fn sleep_then_answer(ms: u64) -> Result<String, Error> {
    if ms > MAX_SLEEP_MS {
        return Err(Error::bad_request(format!(
            "at most {MAX_SLEEP_MS} ms, not {ms}"
        )));
    }
    crate::time::sleep(Duration::from_millis(ms)).await;
    Ok(format!("slept {ms} ms\n"))
}
// ANCHOR_END: async_sleep

/// Chapter 5's demo site, everything as it was but `/sleep/{ms}`, which is async here.
pub fn demo_app(options: &SiteOptions) -> io::Result<App> {
    demo_app_with(options, routes![sleep_then_answer])
}
