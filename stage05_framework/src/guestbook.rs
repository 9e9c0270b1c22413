//! The demo site's guestbook: messages kept in memory and in an append-only log on disk.
//!
//! Every change is one line of JSON appended to `guestbook.log` in the data folder, and written
//! through to the disk before the client is told it worked, so a message that got its `201` or
//! `303` survives the server being stopped, killed or losing power. At start the log is read back.
//! A crash in the middle of a write leaves at most a last line cut short: it is skipped, with a
//! line in the log saying so, and the next message is written after it on a line of its own.
//!
//! The store can be shared by every request: by this chapter's one-at-a-time server, chapter 6's
//! threads and chapter 7's tasks alike. It has two locks. The log is behind a `Mutex`, which a
//! change holds while it writes and waits for the disk, so changes reach the log one at a time
//! and in order. The messages are behind an `RwLock`, which many readers may hold at once and a
//! change takes only for the moment it pushes or removes one, after the disk has it: a page that
//! lists the messages never waits for a disk.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use stage01_tcp_echo::log;
use stage03_parser::json::{self, Value};

/// The longest name and message, in characters.
pub const MAX_NAME: usize = 100;
pub const MAX_TEXT: usize = 2_000;
/// The most messages the guestbook keeps; past it, new ones are refused.
pub const MAX_MESSAGES: usize = 10_000;

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: u64,
    pub name: String,
    pub text: String,
    /// When it was written, in seconds since 1970.
    pub at: u64,
}

impl Message {
    /// The message as JSON, as the API sends it and the log stores it.
    pub fn to_json(&self) -> Value {
        Value::object([
            ("id", Value::from(self.id as f64)),
            ("name", Value::from(self.name.as_str())),
            ("text", Value::from(self.text.as_str())),
            ("at", Value::from(self.at as f64)),
        ])
    }

    fn from_json(value: &Value) -> Option<Message> {
        // An id is a whole number from 1 to 2^53, which an `f64` holds exactly.
        let id = value.get("id")?.as_f64()?;
        if !(1.0..=9_007_199_254_740_992.0).contains(&id) || id.fract() != 0.0 {
            return None;
        }
        Some(Message {
            id: id as u64,
            name: value.get("name")?.as_str()?.to_string(),
            text: value.get("text")?.as_str()?.to_string(),
            at: value.get("at")?.as_f64()?.max(0.0) as u64,
        })
    }
}

/// Why a message was not added.
#[derive(Debug)]
pub enum AddError {
    /// The name or the text is empty or too long: the client's mistake.
    Invalid(&'static str),
    /// The guestbook holds [`MAX_MESSAGES`] already.
    Full,
    /// The disk refused the write: the server's problem.
    Io(io::Error),
}

/// What only changes touch, one at a time.
struct Log {
    file: File,
    next_id: u64,
    /// A write failed and could not be undone: nothing more is written, so nothing acknowledged
    /// can be glued to half a record.
    broken: bool,
}

/// The guestbook, shared by every request.
pub struct Guestbook {
    path: PathBuf,
    /// Always taken before `messages` when both are: one order, so no two changes can each hold
    /// the lock the other waits for.
    log: Mutex<Log>,
    messages: RwLock<Vec<Message>>,
}

impl std::fmt::Debug for Guestbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Guestbook({})", self.path.display())
    }
}

impl Guestbook {
    /// Opens the guestbook in `folder` (created if needed), reading back every message it holds.
    /// A folder whose mode lets other users write in it, and a log that is not a regular file,
    /// are refused.
    pub fn open(folder: &Path) -> io::Result<Guestbook> {
        create_private_folder(folder)?;
        let path = folder.join("guestbook.log");
        let (mut log, existed) = open_log(&path)?;
        // The file once, as bytes: the offsets replay finds are then the file's own.
        let mut bytes = Vec::new();
        log.read_to_end(&mut bytes)?;
        let replayed = replay(&bytes, &path);
        if replayed.torn_at.is_none() && !bytes.is_empty() && !bytes.ends_with(b"\n") {
            // A whole last record whose newline was not written: finish its line.
            log.write_all(b"\n")?;
            log.sync_data()?;
        }
        if let Some(keep) = replayed.torn_at {
            // Cut the unfinished record off, so the next one starts on a line of its own and no
            // later start finds half a line in the middle of the file.
            log.set_len(keep as u64)?;
            log.sync_data()?;
        }
        if !existed {
            // A new file is only durable once its folder's entry for it is on the disk too.
            File::open(folder)?.sync_all()?;
        }
        Ok(Guestbook {
            path,
            log: Mutex::new(Log {
                file: log,
                next_id: replayed.next_id,
                broken: false,
            }),
            messages: RwLock::new(replayed.messages),
        })
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every message, oldest first: a copy of the whole book, up to [`MAX_MESSAGES`] of them.
    /// A page wants [`Guestbook::latest`].
    pub fn list(&self) -> Vec<Message> {
        self.read().clone()
    }

    /// The latest `n` messages, oldest first: a page copies what it shows, not the whole book.
    pub fn latest(&self, n: usize) -> Vec<Message> {
        let messages = self.read();
        messages[messages.len().saturating_sub(n)..].to_vec()
    }

    /// The message `id`, if there is one.
    pub fn get(&self, id: u64) -> Option<Message> {
        self.read().iter().find(|m| m.id == id).cloned()
    }

    // ANCHOR: add
    /// Adds a message, and returns it once it is on the disk.
    pub fn add(&self, name: &str, text: &str) -> Result<Message, AddError> {
        // A browser sends a textarea's line breaks as CRLF: one line break, not two characters.
        let text = text.replace("\r\n", "\n");
        let (name, text) = (name.trim(), text.trim());
        check(name, text)?;
        let mut log = self.lock_log();
        if log.broken {
            return Err(AddError::Io(io::Error::other("an earlier write failed")));
        }
        // Only changes change the count, and they wait for this lock: it cannot grow meanwhile.
        if self.read().len() >= MAX_MESSAGES {
            return Err(AddError::Full);
        }
        let message = Message {
            id: log.next_id,
            name: name.to_string(),
            text: text.to_string(),
            at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        // On the disk first: only a message that is written may be promised to the client.
        append(&mut log, &message.to_json()).map_err(AddError::Io)?;
        log.next_id += 1;
        self.write().push(message.clone());
        Ok(message)
    }
    // ANCHOR_END: add

    /// Deletes message `id`: `Ok(false)` if there was none.
    pub fn delete(&self, id: u64) -> io::Result<bool> {
        let mut log = self.lock_log();
        if !self.read().iter().any(|m| m.id == id) {
            return Ok(false);
        }
        let record = Value::object([("deleted", Value::from(id as f64))]);
        if log.broken {
            return Err(io::Error::other("an earlier write failed"));
        }
        append(&mut log, &record)?;
        self.write().retain(|m| m.id != id);
        Ok(true)
    }

    // A panic while a lock was held cannot leave the list half changed (every change is one
    // push or one removal, after the write), so going on after one is safe.
    fn lock_log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self) -> RwLockReadGuard<'_, Vec<Message>> {
        self.messages.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Vec<Message>> {
        self.messages
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Writes one record as a line, and waits until the disk has it. If that fails, the file is cut
/// back to where it was, so no half record is left for the next one to be glued to; if even that
/// fails, the store stops writing.
fn append(log: &mut Log, record: &Value) -> io::Result<()> {
    let mut line = record.to_string();
    line.push('\n');
    let before = log.file.metadata()?.len();
    let written = log
        .file
        .write_all(line.as_bytes())
        .and_then(|()| log.file.sync_data());
    if let Err(error) = written {
        if log
            .file
            .set_len(before)
            .and_then(|()| log.file.sync_data())
            .is_err()
        {
            log.broken = true;
        }
        return Err(error);
    }
    Ok(())
}

/// A name and a text the guestbook accepts: not empty, not too long, no control characters
/// but line breaks and tabs in the text.
fn check(name: &str, text: &str) -> Result<(), AddError> {
    if name.is_empty() || text.is_empty() {
        return Err(AddError::Invalid("a message needs a name and a text"));
    }
    if name.chars().count() > MAX_NAME || text.chars().count() > MAX_TEXT {
        return Err(AddError::Invalid(
            "a name has at most 100 characters, a text 2000",
        ));
    }
    let control = |c: char| c.is_control() && c != '\n' && c != '\t';
    if name.chars().any(char::is_control) || text.chars().any(control) {
        return Err(AddError::Invalid("no control characters, please"));
    }
    Ok(())
}

/// The folder, created if needed, readable by this user only where the system has such modes.
/// A folder that was already there is refused if its mode lets other users write in it: they
/// could put a file or a link of theirs where the log is, between any check and the open. Only
/// the mode is looked at: a folder owned by another user, or one under a folder others may
/// change, is not seen (std cannot say who this process runs as).
fn create_private_folder(folder: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    // `create` leaves a folder that exists as it is, whatever its mode: hence the check after it.
    builder.create(folder)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let metadata = fs::metadata(folder)?;
        let mode = metadata.permissions().mode() & 0o7777;
        // Systems that give each user a group of their own, numbered like the user, also give
        // them the umask 002, so every folder they make is group-writable: that group is the
        // owner alone. Any other group may hold other users.
        let own_group = metadata.gid() == metadata.uid();
        if mode & 0o002 != 0 || (mode & 0o020 != 0 && !own_group) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{} may be written by other users (mode {mode:o}), who could replace the \
                     guestbook's log; make it yours alone with `chmod 700 {}`, or use another folder",
                    folder.display(),
                    folder.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Opens the log for reading and appending (created if there is none), and returns it with
/// whether it was there before. Only a regular file is a log: a symbolic link could make the
/// server append to any file its user may write, and reading a FIFO waits for ever.
fn open_log(path: &Path) -> io::Result<(File, bool)> {
    let not_regular = || {
        io::Error::other(format!(
            "{} is not a regular file (a symbolic link, a folder, a FIFO?); the guestbook writes \
             only to a file of its own: move it away, or use another folder",
            path.display()
        ))
    };
    let checked = match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_file() => Some(metadata),
        Ok(_) => return Err(not_regular()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mut options = OpenOptions::new();
    // Read and write at once: opened so, a FIFO swapped in after the check does not make the open
    // wait for a writer (Linux, for one, promises it), and the checks below then refuse it.
    options.read(true).append(true);
    // A new log is created only if nothing, not even a dangling link, has its name meanwhile.
    options.create_new(checked.is_none());
    let file = options.open(path)?;
    let opened = file.metadata()?;
    let swapped = checked.as_ref().is_some_and(|c| !same_file(c, &opened));
    if !opened.is_file() || swapped {
        return Err(io::Error::other(format!(
            "{} was replaced while the guestbook opened it; check who else writes in {}",
            path.display(),
            path.parent().unwrap_or(path).display()
        )));
    }
    Ok((file, checked.is_some()))
}

/// Whether two looks at a path saw the same file: the same device and inode, where the system
/// says so. Elsewhere only the checks on the open file itself are made.
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        true
    }
}

/// What a log held.
struct Replayed {
    messages: Vec<Message>,
    next_id: u64,
    /// Where the file should end if its last line was cut short: the start of that line.
    torn_at: Option<usize>,
}

/// The messages a log holds, the next id, and where a last line cut short starts. The log is read
/// as bytes, a line at a time, so every offset is one in the file; a line that is not UTF-8 is a
/// damaged line like any other. Records that parse but break the guestbook's own rules (a bad id,
/// a name too long, one too many) are skipped like damaged lines, and said so in the log.
fn replay(bytes: &[u8], path: &Path) -> Replayed {
    let mut messages: Vec<Message> = Vec::new();
    let mut next_id = 1;
    let mut torn_at = None;
    let mut offset = 0;
    for (number, raw) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let unfinished = !raw.ends_with(b"\n");
        let line = std::str::from_utf8(raw.strip_suffix(b"\n").unwrap_or(raw)).ok();
        if line.is_some_and(|line| line.trim().is_empty()) {
            continue;
        }
        let record = line.and_then(|line| json::parse(line).ok());
        let message = record.as_ref().and_then(Message::from_json).filter(|m| {
            !messages.iter().any(|old| old.id == m.id)
                && check(&m.name, &m.text).is_ok()
                && messages.len() < MAX_MESSAGES
        });
        if let Some(message) = message {
            next_id = next_id.max(message.id + 1);
            messages.push(message);
            continue;
        }
        if let Some(id) = record
            .as_ref()
            .and_then(|r| r.get("deleted"))
            .and_then(Value::as_f64)
        {
            messages.retain(|m| m.id as f64 != id);
            continue;
        }
        let what = if unfinished {
            torn_at = Some(start);
            "a last line cut short (a write the server did not finish)"
        } else {
            "a damaged line"
        };
        log!("{}: skipped line {}, {what}", path.display(), number + 1);
    }
    Replayed {
        messages,
        next_id,
        torn_at,
    }
}
