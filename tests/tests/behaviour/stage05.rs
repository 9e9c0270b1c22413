//! Chapter 5's server, started in-process: the demo site written with the framework, served
//! through the sans-IO `Connection`.
//!
//! As its binary runs it (one connection at a time, keep-alive off), it keeps every promise of
//! chapter 4. With keep-alive on, the same `Connection` keeps the keep-alive and pipelining
//! suites, which no earlier chapter could: chapter 6 will run them on a thread pool.

use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage05_framework::site::{SiteOptions, demo_app};
use stage05_framework::{Config, Server};
use tests::folder::TempFolder;

use crate::changes;
use crate::suites;

fn start_with(config: Option<Config>) -> (RunningServer, TempFolder) {
    let mut server = Server::bind("127.0.0.1:0").expect("bind a free port");
    if let Some(config) = config {
        server = server.with_config(config);
    }
    let data = TempFolder::new("stage05-behaviour");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        ..SiteOptions::default()
    };
    let app = demo_app(&options).expect("a guestbook in a fresh folder");
    let running = server.spawn(app).expect("a bound server has an address");
    (running, data)
}

/// The server as the chapter's binary runs it, with its guestbook in a folder of its own.
fn start() -> (RunningServer, TempFolder) {
    start_with(None)
}

/// The same server with keep-alive on, and a short idle time so the idle case ends quickly.
fn start_keeping_alive() -> (RunningServer, TempFolder) {
    start_with(Some(Config {
        idle: Duration::from_secs(1),
        ..Config::default()
    }))
}

#[test]
fn stage05_routes_the_demo_site() {
    suites::run("stage05", suites::routing::CASES, start);
}

#[test]
fn stage05_keeps_http_basics() {
    suites::run("stage05", suites::http_basics::CASES, start);
}

#[test]
fn stage05_says_hello() {
    suites::run("stage05", suites::hello::CASES, start);
}

#[test]
fn stage05_keeps_the_mirror_at_debug_request() {
    suites::run("stage05", suites::mirror::CASES, start);
}

#[test]
fn stage05_keeps_chapter_4s_changes() {
    suites::run("stage05", changes::STAGE04, start);
}

#[test]
fn stage05_connection_keeps_alive_when_asked() {
    suites::run(
        "stage05 keep-alive",
        suites::keep_alive::CASES,
        start_keeping_alive,
    );
}

#[test]
fn stage05_connection_answers_pipelined_requests_when_asked() {
    suites::run(
        "stage05 keep-alive",
        suites::pipelining::CASES,
        start_keeping_alive,
    );
}
