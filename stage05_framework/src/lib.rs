//! Chapter 5: a framework.
//!
//! Its first part is the piece every later server shares: one HTTP/1.1 connection as a state
//! machine that does no I/O ([`Connection`]), and a blocking server that drives it ([`Server`]).
//! Its second part is the framework a site is written with: an [`App`] of routes whose handlers
//! take an [`Input`] and return anything that can become a response ([`IntoResponse`]), errors
//! rendered for the client that asked ([`Error`]), and state shared between handlers. The server
//! runs any [`Application`], which is the split WSGI made between a Python server and the
//! application it runs.
//!
//! It reuses chapter 3's parser and Response builder, chapter 4's router, chapter 2's lingering
//! close and chapter 1's accept loop. The connection knows keep-alive and pipelining, but this
//! chapter's server, which serves one connection at a time, turns keep-alive off: a browser's idle
//! connection would stall every other client. Chapter 6 turns it on with a thread pool, chapter 7
//! with an async runtime; both drive the same `Connection` and run the same `App`.
#![forbid(unsafe_code)]

// The route attributes' expansion names `::stage05_framework::…`; this makes that path work
// inside this crate too (its own demo site uses the attributes). A program that renames the
// dependency in its Cargo.toml breaks that path: the attributes need the crate's own name.
extern crate self as stage05_framework;

pub mod app;
pub mod base64;
pub mod block_on;
pub mod cgi;
pub mod connection;
pub mod error;
pub mod extensions;
pub mod guestbook;
pub mod handler;
pub mod input;
pub mod into_response;
#[doc(hidden)]
pub mod macro_support;
pub mod middleware;
pub mod named_file;
pub mod reply;
pub mod route_errors;
pub mod sending;
pub mod server;
pub mod site;
pub mod site_cli;
pub mod static_files;

pub use app::{App, Application};
pub use connection::{Config, Connection, Next, Now};
pub use error::{Error, ErrorStyle};
pub use extensions::Extensions;
pub use handler::{Handler, later};
pub use input::Input;
pub use into_response::{Html, IntoReply, IntoResponse, Redirect};
pub use middleware::{Inner, Middleware};
pub use named_file::NamedFile;
pub use reply::Reply;
pub use server::{AlwaysKeep, KeepAlivePolicy, Server};
pub use stage03_parser::json;
pub use stage03_parser::{Method, Request, Response, Status};
pub use stage05_framework_macros::{delete, get, patch, post, put, route};

/// The routes the attributes describe, for [`App::mount`]: `routes![home, hello, echo]`.
#[macro_export]
macro_rules! routes {
    ($($handler:path),* $(,)?) => {
        ::std::vec![$(<$handler as $crate::macro_support::RouteDef>::route()),*]
    };
}
