//! A body read in pieces from its source (a file) as the client takes it, instead of held in
//! memory whole. Chapter 5's static files are sent this way: a 4 GiB video costs the server one
//! buffer of a few dozen KiB, not 4 GiB.

use std::fmt;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// A source of exactly `len` bytes of body.
///
/// Cloning shares the source (the clones read from the same place), so a `Response` that holds
/// one stays `Clone`; two of them are equal only if they share it.
#[derive(Clone)]
pub struct BodyStream {
    source: Arc<Mutex<Box<dyn Read + Send>>>,
    len: u64,
}

impl BodyStream {
    /// `len` bytes to be read from `source`.
    pub fn new(source: impl Read + Send + 'static, len: u64) -> BodyStream {
        BodyStream {
            source: Arc::new(Mutex::new(Box::new(source))),
            len,
        }
    }

    /// How many bytes the body has: the response's `Content-Length`.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends at most `max` more bytes of the body to `out`; `Ok(0)` at its end, or if the
    /// source ended early (a file that shrank while it was sent).
    pub fn read_into(&self, out: &mut Vec<u8>, max: usize) -> io::Result<usize> {
        let mut source = self.source.lock().unwrap_or_else(|e| e.into_inner());
        let start = out.len();
        out.resize(start + max, 0);
        let read = loop {
            match source.read(&mut out[start..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        out.truncate(start + *read.as_ref().unwrap_or(&0));
        read
    }
}

impl PartialEq for BodyStream {
    fn eq(&self, other: &BodyStream) -> bool {
        Arc::ptr_eq(&self.source, &other.source)
    }
}

impl Eq for BodyStream {}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BodyStream({} bytes)", self.len)
    }
}
