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

/// One of the [`MAX_FILES_SENDING`] places, given back when it is dropped.
#[derive(Debug)]
struct Place;

impl Place {
    fn take() -> Option<Place> {
        SENDING
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |sending| {
                (sending < MAX_FILES_SENDING).then_some(sending + 1)
            })
            .ok()
            .map(|_| Place)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        SENDING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An open file that holds one of the [`MAX_FILES_SENDING`] places until it is dropped, when
/// the response that sends it has read its last piece or is dropped unsent.
#[derive(Debug)]
pub struct SendingFile {
    // Fields are dropped in the order they are written: the file is closed first, and only
    // then is its place given back, so the process never has more files open than places.
    file: File,
    _place: Place,
}

impl SendingFile {
    /// `file`, holding a place to be sent; or a `503` when every place is taken.
    pub fn new(file: File) -> Result<SendingFile, Error> {
        let place = Place::take().ok_or_else(|| busy("as many files are being sent as may be"))?;
        Ok(SendingFile {
            file,
            _place: place,
        })
    }
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

/// Opens `file`, with what is known of it, to answer about it (a `304` needs no place) and then,
/// if its body is to be sent, to become a [`SendingFile`]; or the error to answer with. One that
/// is not there for this client (missing, not readable, not a regular file: a device or a pipe
/// put there since the path was checked) is a `404`. One that is there but cannot be opened now
/// (out of file descriptors) is a `503`: the client may try again.
pub fn open_to_send(file: &Path) -> Result<(File, fs::Metadata), Error> {
    let opened = File::open(file).and_then(|f| {
        let metadata = f.metadata()?;
        Ok((f, metadata))
    });
    match opened {
        Ok((_, ref metadata)) if !metadata.is_file() => Err(no_such_file()),
        Ok(opened) => Ok(opened),
        Err(e) if is_not_there(&e) => Err(no_such_file()),
        Err(_) => Err(busy("cannot open the file now")),
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
