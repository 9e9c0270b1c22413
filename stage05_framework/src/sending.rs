//! Files being sent, counted: a server must keep file descriptors for its connections.
//!
//! A static file, or a handler's [`NamedFile`](crate::NamedFile), is an open file for as long as
//! it is being sent, and a slow client can take minutes over a large one. Without a bound, enough
//! such clients would take every file descriptor the process may open, and the server could not
//! accept its next connection (chapter 7 counts on this bound when it works out how many
//! connections it can hold). So the process sends at most [`MAX_FILES_SENDING`] files at once;
//! past that, a file is answered `503` with `Retry-After`, and the client asks again.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use stage03_parser::Status;

use crate::error::Error;

/// The most files this process sends at once, static files and named files together.
pub const MAX_FILES_SENDING: usize = 64;

/// Files open for sending now, in the whole process: descriptors are the process's.
static SENDING: AtomicUsize = AtomicUsize::new(0);

/// An open file that counts as one of the [`MAX_FILES_SENDING`] until it is dropped, when the
/// response that sent it is done.
#[derive(Debug)]
pub struct SendingFile {
    file: File,
}

impl Read for SendingFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for SendingFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.file.seek(to)
    }
}

impl Drop for SendingFile {
    fn drop(&mut self) {
        SENDING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Opens `file` to be sent, with what is known of it; or the error to answer with. One that is
/// not there for this client (missing, not readable, not a regular file: a device or a pipe put
/// there since the path was checked) is a `404`. One that is there but cannot be opened now (as
/// many files are being sent as may be, or the process is out of file descriptors) is a `503`:
/// the client may try again.
pub fn open_to_send(file: &Path) -> Result<(SendingFile, fs::Metadata), Error> {
    let taken = SENDING.fetch_update(Ordering::AcqRel, Ordering::Acquire, |sending| {
        (sending < MAX_FILES_SENDING).then_some(sending + 1)
    });
    if taken.is_err() {
        return Err(busy("as many files are being sent as may be"));
    }
    // Counted from here: dropping it (on any error below too) gives the place back.
    let opened = File::open(file).map(|file| SendingFile { file });
    let sending = match opened {
        Ok(sending) => sending,
        Err(e) if is_not_there(&e) => {
            SENDING.fetch_sub(1, Ordering::AcqRel);
            return Err(no_such_file());
        }
        Err(_) => {
            SENDING.fetch_sub(1, Ordering::AcqRel);
            return Err(busy("cannot open the file now"));
        }
    };
    match sending.file.metadata() {
        Ok(metadata) if metadata.is_file() => Ok((sending, metadata)),
        _ => Err(no_such_file()),
    }
}

fn is_not_there(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied | io::ErrorKind::NotADirectory
    )
}

/// The same words for a file that is not there and for a path that is refused: an attacker
/// learns nothing from the answer.
pub(crate) fn no_such_file() -> Error {
    Error::not_found("no such file")
}

fn busy(why: &str) -> Error {
    Error::new(Status::SERVICE_UNAVAILABLE, why).with_header("Retry-After", "1")
}
