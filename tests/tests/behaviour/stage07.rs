//! Chapter 7's server, started in-process: chapter 5's demo site (with its `/sleep` async) on
//! one runtime, one thread, with keep-alive on.
//!
//! It keeps every promise chapter 6 keeps: the same suites, and chapter 6's changes. The idle
//! time is cut from 5 s to 200 ms here, as for chapter 6, so that cases that read until the server
//! closes finish quickly.

use std::time::Duration;

use stage01_tcp_echo::stop::RunningServer;
use stage05_framework::Config;
use stage05_framework::site::SiteOptions;
use stage07_async::Server;
use stage07_async::site::demo_app;
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
    let data = TempFolder::new("stage07-behaviour");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        ..SiteOptions::default()
    };
    let app = demo_app(&options).expect("a guestbook in a fresh folder");
    let running = server.spawn(app).expect("a bound server has an address");
    (running, data)
}

#[test]
fn stage07_routes_the_demo_site() {
    suites::run("stage07", suites::routing::CASES, start);
}

#[test]
fn stage07_keeps_http_basics() {
    suites::run("stage07", suites::http_basics::CASES, start);
}

#[test]
fn stage07_says_hello() {
    suites::run("stage07", suites::hello::CASES, start);
}

#[test]
fn stage07_keeps_the_mirror_at_debug_request() {
    suites::run("stage07", suites::mirror::CASES, start);
}

#[test]
fn stage07_keeps_chapter_6s_changes() {
    suites::run("stage07", changes::STAGE06, start);
}

#[test]
fn stage07_keeps_alive() {
    suites::run("stage07", suites::keep_alive::CASES, start);
}

#[test]
fn stage07_answers_pipelined_requests() {
    suites::run("stage07", suites::pipelining::CASES, start);
}
