//! The demo site's guestbook: messages kept in memory and in an append-only log on disk.
//!
//! Every change is one line of JSON appended to `guestbook.log` in the data folder, and written
//! through to the disk before the client is told it worked, so a message that got its `201` or
//! `303` survives the server being stopped, killed or losing power. At start the log is read back.
//! A crash in the middle of a write leaves at most a last line cut short: it is skipped, with a
//! line in the log saying so, and the next message is written after it on a line of its own.
//!
//! The store is a `Mutex` around the state, so it can be shared by every request: by this
//! chapter's one-at-a-time server, chapter 6's threads and chapter 7's tasks alike.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

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
        Some(Message {
            id: value.get("id")?.as_f64()? as u64,
            name: value.get("name")?.as_str()?.to_string(),
            text: value.get("text")?.as_str()?.to_string(),
            at: value.get("at")?.as_f64()? as u64,
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

struct State {
    messages: Vec<Message>,
    next_id: u64,
    log: File,
}

/// The guestbook, shared by every request.
pub struct Guestbook {
    path: PathBuf,
    state: Mutex<State>,
}

impl std::fmt::Debug for Guestbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Guestbook({})", self.path.display())
    }
}

impl Guestbook {
    /// Opens the guestbook in `folder` (created if needed), reading back every message it holds.
    pub fn open(folder: &Path) -> io::Result<Guestbook> {
        fs::create_dir_all(folder)?;
        let path = folder.join("guestbook.log");
        let text = match fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let (messages, next_id, torn) = replay(&text, &path);
        let mut log = OpenOptions::new().create(true).append(true).open(&path)?;
        if torn {
            // The next record starts on a line of its own, after the torn one.
            log.write_all(b"\n")?;
        }
        Ok(Guestbook {
            path,
            state: Mutex::new(State {
                messages,
                next_id,
                log,
            }),
        })
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every message, oldest first.
    pub fn list(&self) -> Vec<Message> {
        self.lock().messages.clone()
    }

    /// The message `id`, if there is one.
    pub fn get(&self, id: u64) -> Option<Message> {
        self.lock().messages.iter().find(|m| m.id == id).cloned()
    }

    // ANCHOR: add
    /// Adds a message, and returns it once it is on the disk.
    pub fn add(&self, name: &str, text: &str) -> Result<Message, AddError> {
        let (name, text) = (name.trim(), text.trim());
        if name.is_empty() || text.is_empty() {
            return Err(AddError::Invalid("a message needs a name and a text"));
        }
        if name.chars().count() > MAX_NAME || text.chars().count() > MAX_TEXT {
            return Err(AddError::Invalid(
                "a name has at most 100 characters, a text 2000",
            ));
        }
        let mut state = self.lock();
        if state.messages.len() >= MAX_MESSAGES {
            return Err(AddError::Full);
        }
        let message = Message {
            id: state.next_id,
            name: name.to_string(),
            text: text.to_string(),
            at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        // On the disk first: only a message that is written may be promised to the client.
        append(&mut state.log, &message.to_json()).map_err(AddError::Io)?;
        state.next_id += 1;
        state.messages.push(message.clone());
        Ok(message)
    }
    // ANCHOR_END: add

    /// Deletes message `id`: `Ok(false)` if there was none.
    pub fn delete(&self, id: u64) -> io::Result<bool> {
        let mut state = self.lock();
        let Some(at) = state.messages.iter().position(|m| m.id == id) else {
            return Ok(false);
        };
        let record = Value::object([("deleted", Value::from(id as f64))]);
        append(&mut state.log, &record)?;
        state.messages.remove(at);
        Ok(true)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while the lock was held cannot leave the list half changed (every change is
        // one push or one remove after the write), so going on is safe.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Writes one record as a line, and waits until the disk has it.
fn append(log: &mut File, record: &Value) -> io::Result<()> {
    let mut line = record.to_string();
    line.push('\n');
    log.write_all(line.as_bytes())?;
    log.sync_data()
}

/// The messages a log holds, the next id, and whether its last line was torn.
fn replay(text: &str, path: &Path) -> (Vec<Message>, u64, bool) {
    let mut messages: Vec<Message> = Vec::new();
    let mut next_id = 1;
    let torn = !text.is_empty() && !text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (number, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = json::parse(line).ok();
        if let Some(message) = record.as_ref().and_then(Message::from_json) {
            next_id = next_id.max(message.id + 1);
            messages.push(message);
        } else if let Some(id) = record
            .as_ref()
            .and_then(|r| r.get("deleted"))
            .and_then(Value::as_f64)
        {
            messages.retain(|m| m.id != id as u64);
        } else {
            let what = if number + 1 == lines.len() && torn {
                "a last line cut short (a write the server did not finish)"
            } else {
                "a damaged line"
            };
            eprintln!("{}: skipped line {}, {what}", path.display(), number + 1);
        }
    }
    (messages, next_id, torn)
}
