//! The echo client: send what we are given, print what comes back.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;

// ANCHOR: client
/// Connects to `addr`, sends everything `input` yields, and copies everything that comes back to
/// `output` until the other side closes. Returns how many bytes came back.
///
/// Sending and receiving run at the same time, on two threads. With one thread, a large message
/// deadlocks: we block writing because the server's buffers are full, and the server blocks
/// writing its echo because we are not reading. Once the input is exhausted we shut down our
/// sending half, which is how the server learns we are done (its `read` returns 0).
pub fn run(
    addr: SocketAddr,
    mut input: impl Read + Send + 'static,
    mut output: impl Write,
) -> io::Result<u64> {
    let mut stream = TcpStream::connect(addr)?;
    let mut sending = stream.try_clone()?;
    let sender = thread::spawn(move || -> io::Result<()> {
        io::copy(&mut input, &mut sending)?;
        sending.shutdown(Shutdown::Write)
    });
    let received = io::copy(&mut stream, &mut output)?;
    output.flush()?;
    sender.join().expect("the sending thread does not panic")?;
    Ok(received)
}
// ANCHOR_END: client

/// Sends one message and returns the whole echo: the shape the tests use.
pub fn echo_once(addr: SocketAddr, message: &[u8]) -> io::Result<Vec<u8>> {
    let mut echoed = Vec::new();
    run(addr, io::Cursor::new(message.to_vec()), &mut echoed)?;
    Ok(echoed)
}
