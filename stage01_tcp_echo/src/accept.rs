//! The accept loop: the one every blocking server in this repository runs, from the echo server
//! of this chapter to the parsing and routing servers of chapters 3 and 4.

use std::fmt;
use std::net::{SocketAddr, TcpListener, TcpStream};

// ANCHOR: accept_loop
/// Accepts clients one after another, forever, and hands each to `serve`. A client that
/// misbehaves is logged and dropped; it never stops the loop.
pub fn serve_one_at_a_time<E: fmt::Display>(
    listener: &TcpListener,
    mut serve: impl FnMut(TcpStream, SocketAddr) -> Result<(), E>,
) -> ! {
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                if let Err(e) = serve(stream, peer) {
                    eprintln!("{peer}: {e}");
                }
            }
            // A connection can fail between the kernel's handshake and our accept; that is the
            // client's problem, not a reason to stop serving.
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
}
// ANCHOR_END: accept_loop
