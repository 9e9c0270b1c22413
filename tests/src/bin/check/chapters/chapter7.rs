//! Chapter 7, async: a handler that waits holds no thread, so a hundred slow requests at once
//! are all served together, where chapter 6's pool of 8 workers and a queue of 64 turns the rest
//! away with 503.

use crate::check::{Check, Hint, Target};
use crate::http::{Exchange, get};
use crate::outcome::{Failure, Outcome};
use crate::wire::Wire;

const HANDLERS: Hint = Hint {
    part: "Chapter 7, part 3 — The async server",
    section: "Handlers that wait",
};

pub const CHECKS: &[Check] = &[Check {
    name: "a hundred /sleep/500 requests at once are all answered",
    chapters: &[7],
    hostile: false,
    hint: HANDLERS,
    run: hundred_sleepers,
}];

/// More than chapter 6's 8 workers and 64 places in its queue.
const CLIENTS: usize = 100;

fn hundred_sleepers(target: &Target) -> Outcome {
    let request = get("/sleep/500");
    let mut clients = Vec::with_capacity(CLIENTS);
    for n in 1..=CLIENTS {
        let mut wire = Wire::connect(target.addr, target.timeout)
            .map_err(|f| f.within(&format!("client {n} of {CLIENTS}")))?;
        wire.send(&request)?;
        clients.push(wire);
    }
    // The last to connect first: a server that turns clients away does it to the last ones, at
    // once, while the first ones still sleep.
    for (index, wire) in clients.iter_mut().enumerate().rev() {
        let n = index + 1;
        let within = format!("client {n} of {CLIENTS}, all sleeping at once");
        let response = wire.response(false).map_err(|f| {
            f.within(&within).explained(
                "(Each sleeps 500 ms: a server whose waits hold no thread answers them all \
                 together.)",
            )
        })?;
        let answer = Exchange {
            sent: wire.sent().to_vec(),
            response,
        };
        answer.status(200).map_err(|f: Failure| f.within(&within))?;
    }
    Ok(())
}
