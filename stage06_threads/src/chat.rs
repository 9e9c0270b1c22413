//! A chat room over plain TCP: every line a client sends reaches every other client.
//!
//! `cargo run -p stage06_threads -- chat`, then `nc 127.0.0.1 7878` in two terminals. A client
//! is called `guestN` until it says `/nick NAME`; `/quit` leaves. Joining and leaving are
//! announced to the others.
//!
//! A chat connection lives as long as its person stays, so a pool of eight workers would be
//! eight people. Each client gets two threads instead, one reading its lines and one writing to
//! it, and the room has a limit of clients. What makes a chat room hard is the client that does
//! not read: its socket fills up, and a broadcast that wrote to it would wait, and make everyone
//! wait. So nobody writes to another client's socket. A broadcast puts the line in each client's
//! *outbox*, a bounded queue that its own writer thread empties, and never waits: a client whose
//! outbox is full has fallen too far behind, and is disconnected with a notice to the others.
//! The lock on the room is held only to put lines in outboxes, never across I/O.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use stage01_tcp_echo::accept::serve_one_at_a_time;
use stage01_tcp_echo::log;
use stage01_tcp_echo::stop::{RunningServer, StopSignal};

/// How long a line waits for room in a full outbox before its client is given up: a client
/// that reads is never that far behind; one that does not read would hold the sender back.
const OUTBOX_PATIENCE: Duration = Duration::from_secs(1);
/// How long a stopping room lets its writers finish before it closes their sockets.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// Puts `line` in `outbox`, trying until `deadline`; false if it stayed full that long. A std
/// channel cannot wait for room with a limit, so this tries every millisecond, and only when an
/// outbox is full.
fn send_before(outbox: &SyncSender<Arc<str>>, line: &Arc<str>, deadline: Instant) -> bool {
    loop {
        match outbox.try_send(Arc::clone(line)) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => return true,
            Err(TrySendError::Full(_)) if Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(1));
            }
            Err(TrySendError::Full(_)) => return false,
        }
    }
}

/// The room's limits.
#[derive(Debug, Clone, Copy)]
pub struct ChatConfig {
    /// Clients at once; the next is told the room is full.
    pub max_clients: usize,
    /// Lines waiting for one client; one more and it is disconnected.
    pub outbox: usize,
    /// The longest line, in bytes; a longer one is cut there (the rest of it is dropped).
    pub max_line: usize,
    /// The longest `/nick`, in characters.
    pub max_nick: usize,
    /// How long a write to one client may wait before that client is given up.
    pub write_timeout: Duration,
}

impl Default for ChatConfig {
    fn default() -> ChatConfig {
        ChatConfig {
            max_clients: 64,
            outbox: 256,
            max_line: 1024,
            max_nick: 24,
            write_timeout: Duration::from_secs(5),
        }
    }
}

/// A listening chat room.
#[derive(Debug)]
pub struct Chat {
    listener: TcpListener,
    stop: StopSignal,
    config: ChatConfig,
}

impl Chat {
    /// Binds and listens; port 0 picks a free port.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Chat> {
        let listener = TcpListener::bind(addr)?;
        Ok(Chat {
            stop: StopSignal::for_listener(&listener)?,
            listener,
            config: ChatConfig::default(),
        })
    }

    /// Replaces the room's limits.
    pub fn with_config(mut self, config: ChatConfig) -> Chat {
        self.config = config;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The signal that makes [`Chat::run`] return.
    pub fn stop_signal(&self) -> StopSignal {
        self.stop.clone()
    }

    /// Lets clients in until the stop signal; then disconnects everyone and waits for their
    /// threads.
    pub fn run(self) {
        let room = Arc::new(Room::new(self.config));
        serve_one_at_a_time(&self.listener, &self.stop, |stream, peer| {
            Room::join(&room, stream, peer)
        });
        let sockets = room.close();
        let threads = std::mem::take(&mut *lock(&room.threads));
        // A writer still sending to a client that reads slowly, or not at all, is given a
        // moment, then its socket is shut for good: stopping takes at most that long.
        let deadline = Instant::now() + STOP_GRACE;
        while threads.iter().any(|t| !t.is_finished()) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        for socket in sockets {
            let _ = socket.shutdown(Shutdown::Both);
        }
        for thread in threads {
            let _ = thread.join();
        }
    }

    /// Runs the room on a thread of its own; stopping or dropping the handle stops it.
    pub fn spawn(self) -> io::Result<RunningServer> {
        let addr = self.local_addr()?;
        let stop = self.stop_signal();
        Ok(RunningServer::spawn(addr, stop, move || self.run()))
    }
}

/// One client, as the room sees it.
struct Member {
    nick: String,
    /// Lines for this client's writer thread.
    outbox: SyncSender<Arc<str>>,
    /// The client's socket, to disconnect it: shutting it down ends both of its threads.
    socket: TcpStream,
}

/// Everyone connected, and the threads that serve them.
struct Room {
    config: ChatConfig,
    members: Mutex<Members>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

#[derive(Default)]
struct Members {
    by_id: HashMap<u64, Member>,
    next_id: u64,
}

/// Locks `mutex`, even if a thread panicked while holding it: the room's data is whole after
/// every statement, so a panic leaves nothing half-changed.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Room {
    fn new(config: ChatConfig) -> Room {
        Room {
            config,
            members: Mutex::new(Members::default()),
            threads: Mutex::new(Vec::new()),
        }
    }

    /// A new client: welcomed and announced, or told the room is full.
    fn join(room: &Arc<Room>, mut stream: TcpStream, peer: SocketAddr) -> io::Result<()> {
        stream.set_write_timeout(Some(room.config.write_timeout))?;
        // What can fail is done before the client is a member, so a failure leaves no member
        // behind that nobody serves.
        let (for_room, for_writer) = (stream.try_clone()?, stream.try_clone()?);
        let (outbox, lines) = mpsc::sync_channel(room.config.outbox.max(1));
        let (id, nick) = {
            let mut members = lock(&room.members);
            if members.by_id.len() >= room.config.max_clients {
                drop(members);
                let full = format!(
                    "* the room is full ({} at most); try later\n",
                    room.config.max_clients
                );
                return stream.write_all(full.as_bytes());
            }
            members.next_id += 1;
            let id = members.next_id;
            let nick = format!("guest{id}");
            // The welcome goes in first, so it is the first line the client reads.
            let here = members.by_id.len() + 1;
            let welcome = format!("* welcome, {nick}: {here} here; /nick NAME, /quit\n");
            let _ = outbox.try_send(Arc::from(welcome));
            let member = Member {
                nick: nick.clone(),
                outbox,
                socket: for_room,
            };
            members.by_id.insert(id, member);
            (id, nick)
        };
        log!("{peer}: joined as {nick}");
        let started = Room::start_threads(room, id, stream, for_writer, lines);
        if let Err(e) = started {
            room.leave(id, "could not be served and was disconnected");
            return Err(e);
        }
        // From the accept loop's thread, which must not wait for anyone's outbox.
        room.deliver(
            |other| other != id,
            &format!("* {nick} joined\n"),
            Duration::ZERO,
        );
        Ok(())
    }

    /// The two threads that serve client `id`: one reads its lines, one writes its outbox.
    fn start_threads(
        room: &Arc<Room>,
        id: u64,
        stream: TcpStream,
        for_writer: TcpStream,
        lines: Receiver<Arc<str>>,
    ) -> io::Result<()> {
        let writer = {
            let room = Arc::clone(room);
            thread::Builder::new()
                .name(format!("chat-{id}-writer"))
                .spawn(move || room.write_to(id, for_writer, &lines))?
        };
        let reader = {
            let room = Arc::clone(room);
            thread::Builder::new()
                .name(format!("chat-{id}-reader"))
                .spawn(move || room.read_from(id, stream))
        };
        let mut threads = lock(&room.threads);
        threads.retain(|thread| !thread.is_finished()); // those of clients gone: nothing to join
        threads.push(writer);
        // If the reader could not start, the writer ends once `join` removes the member.
        threads.push(reader?);
        Ok(())
    }

    /// The reader thread: each line is a message or a command, until the client goes.
    fn read_from(&self, id: u64, stream: TcpStream) {
        let mut reader = BufReader::new(stream);
        // The end of the stream, an error or `/quit`: the client is gone.
        while let Ok(Some(line)) = read_line(&mut reader, self.config.max_line) {
            if !self.said(id, &line) {
                break;
            }
        }
        self.leave(id, "left");
    }

    /// What `id` said: a command or a message. False when the client asked to leave.
    fn said(&self, id: u64, line: &str) -> bool {
        if line == "/quit" {
            return false;
        }
        if let Some(name) = line.strip_prefix("/nick ") {
            self.rename(id, name.trim());
        } else if line.starts_with('/') {
            self.send_to(id, "* commands: /nick NAME, /quit\n");
        } else if !line.is_empty() {
            let Some(nick) = self.nick(id) else {
                return false; // disconnected meanwhile
            };
            self.broadcast(Some(id), &format!("{nick}: {line}\n"));
        }
        true
    }

    fn rename(&self, id: u64, name: &str) {
        // `guestN` is what the room calls newcomers: nobody may take one of those names.
        let valid = !name.is_empty()
            && !name.to_lowercase().starts_with("guest")
            && name.chars().count() <= self.config.max_nick
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.".contains(c));
        if !valid {
            let rule = format!(
                "* a name is 1 to {} letters, digits, '-', '_' or '.', not guest…\n",
                self.config.max_nick
            );
            self.send_to(id, &rule);
            return;
        }
        let old = {
            let mut members = lock(&self.members);
            if members.by_id.values().any(|m| m.nick == name) {
                None
            } else {
                members
                    .by_id
                    .get_mut(&id)
                    .map(|m| std::mem::replace(&mut m.nick, name.to_string()))
            }
        };
        match old {
            Some(old) => self.broadcast(None, &format!("* {old} is now {name}\n")),
            None => self.send_to(id, &format!("* {name} is taken\n")),
        }
    }

    fn nick(&self, id: u64) -> Option<String> {
        lock(&self.members).by_id.get(&id).map(|m| m.nick.clone())
    }

    /// The writer thread: empties this client's outbox into its socket. It ends when the client
    /// leaves (its outbox is dropped) or a write fails.
    fn write_to(&self, id: u64, mut stream: TcpStream, lines: &Receiver<Arc<str>>) {
        for line in lines {
            if let Err(e) = stream.write_all(line.as_bytes()) {
                // Out of time: the client is there but takes nothing. Anything else: it is gone.
                let why = match e.kind() {
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                        "stopped taking messages and was disconnected"
                    }
                    _ => "left",
                };
                self.leave(id, why);
                break;
            }
        }
        let _ = stream.shutdown(Shutdown::Both);
    }

    /// Puts `line` in one client's outbox.
    fn send_to(&self, id: u64, line: &str) {
        self.deliver(|member_id| member_id == id, line, OUTBOX_PATIENCE);
    }

    /// Puts `line` in every outbox but `from`'s.
    fn broadcast(&self, from: Option<u64>, line: &str) {
        self.deliver(|id| Some(id) != from, line, OUTBOX_PATIENCE);
    }

    // ANCHOR: deliver
    /// Puts `line` in the outbox of every client `to` picks. It never waits with the lock held:
    /// a full outbox is tried again, without the lock, for up to `patience` (the sender's own
    /// thread waits, so a client that pastes many lines at once slows down only itself), and a
    /// client whose outbox stays full that long is disconnected, and the others told.
    fn deliver(&self, to: impl Fn(u64) -> bool, line: &str, patience: Duration) {
        let line: Arc<str> = Arc::from(line);
        let mut full = Vec::new();
        let mut gone = Vec::new();
        {
            let members = lock(&self.members);
            for (&id, member) in members.by_id.iter().filter(|(id, _)| to(**id)) {
                match member.outbox.try_send(Arc::clone(&line)) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => full.push((id, member.outbox.clone())),
                    Err(TrySendError::Disconnected(_)) => gone.push(id),
                }
            }
        } // the lock ends here: waiting, and leaving, happen without it
        let deadline = Instant::now() + patience;
        for (id, outbox) in full {
            if !send_before(&outbox, &line, deadline) {
                self.leave(id, "fell too far behind and was disconnected");
            }
        }
        for id in gone {
            self.leave(id, "left");
        }
    }
    // ANCHOR_END: deliver

    /// Removes `id` from the room, if it is still there, and tells the others why it went.
    fn leave(&self, id: u64, why: &str) {
        let Some(member) = lock(&self.members).by_id.remove(&id) else {
            return; // gone already: its other thread, or a broadcast, saw to it
        };
        // Its outbox is dropped with it, which ends its writer; shutting the socket down ends
        // its reader, and a writer stuck in a write.
        let _ = member.socket.shutdown(Shutdown::Both);
        log!("{}: {why}", member.nick);
        self.broadcast(None, &format!("* {} {why}\n", member.nick));
    }

    /// Tells everyone the server is stopping and ends their reading; returns their sockets,
    /// for `run` to close for good once their writers have had a moment to send the notice.
    fn close(&self) -> Vec<TcpStream> {
        let members = std::mem::take(&mut lock(&self.members).by_id);
        let mut sockets = Vec::new();
        for member in members.into_values() {
            let _ = member
                .outbox
                .try_send(Arc::from("* the server is stopping\n"));
            let _ = member.socket.shutdown(Shutdown::Read);
            sockets.push(member.socket);
        }
        sockets
    }
}

// ANCHOR: read_line
/// The next line from `reader`, at most `max` bytes of it, without its line ending, decoded as
/// UTF-8 (a byte that is not UTF-8 becomes U+FFFD, `�`); `None` at the end of the stream. What
/// a line has beyond `max` bytes is read and dropped, so a client that never sends a newline
/// cannot make the room hold more than `max` bytes for it.
fn read_line(reader: &mut impl BufRead, max: usize) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let mut cut = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            // The end of the stream: a last line without a newline still counts.
            return Ok((!line.is_empty()).then(|| decode(&line, cut)));
        }
        let (taken, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(newline) => (newline + 1, true),
            None => (available.len(), false),
        };
        let room = max.saturating_sub(line.len());
        cut |= taken > room;
        line.extend_from_slice(&available[..taken.min(room)]);
        reader.consume(taken);
        if ended {
            return Ok(Some(decode(&line, cut)));
        }
    }
}
// ANCHOR_END: read_line

/// The line as text; if it was `cut` at the limit, without the start of a character the cut
/// split (which would show as `�`).
fn decode(mut line: &[u8], cut: bool) -> String {
    if cut {
        // A character's first byte is not 0b10xxxxxx; one of its first three bytes at the end
        // that says it needs more than are there is dropped with them.
        let from = line.len().saturating_sub(3);
        if let Some(start) = (from..line.len()).rev().find(|&i| line[i] & 0xC0 != 0x80) {
            let needs = match line[start] {
                b if b >= 0xF0 => 4,
                b if b >= 0xE0 => 3,
                b if b >= 0xC0 => 2,
                _ => 1,
            };
            if line.len() - start < needs {
                line = &line[..start];
            }
        }
    }
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches(['\n', '\r']);
    // Control characters (a terminal's escape sequences among them) are not passed on.
    text.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::read_line;

    fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut reader = input;
        std::iter::from_fn(|| read_line(&mut reader, max).unwrap()).collect()
    }

    #[test]
    fn lines_are_cut_at_the_limit_and_decoded_lossily() {
        assert_eq!(lines(b"hi\r\nthere\n", 10), ["hi", "there"]);
        assert_eq!(lines(b"0123456789abc\nnext\n", 4), ["0123", "next"]);
        assert_eq!(lines(b"caf\xe9\n", 10), ["caf\u{fffd}"]);
        assert_eq!(lines(b"\x1b[2Jclear\n", 10), ["[2Jclear"]);
        assert_eq!(lines(b"no newline", 100), ["no newline"]);
        // "étét" is 6 bytes: cut at 4, the second "é" would be half a character.
        assert_eq!(lines("étét\n".as_bytes(), 4), ["ét"]);
        assert_eq!(lines("étét\n".as_bytes(), 5), ["été"]);
        assert_eq!(lines(b"", 100), Vec::<String>::new());
    }
}
