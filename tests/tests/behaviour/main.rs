//! The behaviour suites, run over the network against every stage that keeps them.
//!
//! Each stage registers its server once, in its own module (`stage02.rs`, …): a function that starts
//! it in-process on `127.0.0.1:0` and returns the address it bound. It then runs every suite whose
//! behaviour it keeps. A stage that changes an earlier behaviour on purpose says so in
//! [`changes`], the one place that lists such changes, and BOOK.md explains each one.

mod changes;
mod suites;

mod stage01;
mod stage02;
mod stage03;
mod stage04;
mod stage05;
mod stage06;
#[cfg(target_os = "linux")]
mod stage07;
