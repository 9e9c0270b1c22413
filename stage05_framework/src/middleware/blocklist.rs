//! Addresses that get `403 Forbidden` for everything.

use std::collections::HashSet;
use std::net::IpAddr;

use stage03_parser::status::Status;

use super::{Inner, Middleware};
use crate::error::{Error, ErrorStyle};
use crate::input::Input;
use crate::reply::Reply;

/// Refuses every request from the listed addresses with `403`.
#[derive(Debug, Default)]
pub struct Blocklist {
    blocked: HashSet<IpAddr>,
}

impl Blocklist {
    /// A list blocking `addresses`.
    pub fn new(addresses: impl IntoIterator<Item = IpAddr>) -> Blocklist {
        Blocklist {
            blocked: addresses.into_iter().collect(),
        }
    }
}

impl Middleware for Blocklist {
    fn call(&self, input: Input, inner: Inner<'_>) -> Reply {
        match input.request.peer {
            Some(peer) if self.blocked.contains(&peer.ip()) => {
                let error = Error::new(Status::FORBIDDEN, "this address is blocked");
                Reply::Ready(error.render(ErrorStyle::of(&input.request)))
            }
            _ => inner.run(input),
        }
    }
}
