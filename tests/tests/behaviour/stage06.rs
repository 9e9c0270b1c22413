//! Chapter 6's server, started in-process: chapter 5's demo site, unchanged, on a pool of
//! threads with keep-alive on.
//!
//! It keeps every promise chapter 5 keeps, and the keep-alive and pipelining suites as its
//! binary runs it: chapter 5 could keep those only with keep-alive turned on by hand.
//!
//! The idle time is cut from 5 s to 200 ms here, and that is the only difference from the
//! binary: many cases read until the server closes, as the clients of chapters 2 to 4 do, and a
//! server that keeps connections open closes only when the idle time is out.

use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage05_framework::Config;
use stage05_framework::site::{SiteOptions, demo_app};
use stage06_threads::Server;
use tests::folder::TempFolder;

use crate::changes;
use crate::suites;

/// The server as the chapter's binary runs it, with its guestbook in a folder of its own.
fn start() -> (RunningServer, TempFolder) {
    let config = Config {
        idle: Duration::from_millis(200),
        ..Config::default()
    };
    let server = Server::bind("127.0.0.1:0")
        .expect("bind a free port")
        .with_config(config);
    let data = TempFolder::new("stage06-behaviour");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        ..SiteOptions::default()
    };
    let app = demo_app(&options).expect("a guestbook in a fresh folder");
    let running = server.spawn(app).expect("a bound server has an address");
    (running, data)
}

#[test]
fn stage06_routes_the_demo_site() {
    suites::run("stage06", suites::routing::CASES, start);
}

#[test]
fn stage06_keeps_http_basics() {
    suites::run("stage06", suites::http_basics::CASES, start);
}

#[test]
fn stage06_says_hello() {
    suites::run("stage06", suites::hello::CASES, start);
}

#[test]
fn stage06_keeps_the_mirror_at_debug_request() {
    suites::run("stage06", suites::mirror::CASES, start);
}

#[test]
fn stage06_keeps_chapter_4s_routes_and_keeps_alive() {
    suites::run("stage06", changes::STAGE06, start);
}

#[test]
fn stage06_keeps_alive() {
    suites::run("stage06", suites::keep_alive::CASES, start);
}

#[test]
fn stage06_answers_pipelined_requests() {
    suites::run("stage06", suites::pipelining::CASES, start);
}
