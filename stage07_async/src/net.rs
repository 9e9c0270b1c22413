//! TCP for async code: a listener whose `accept` and a stream whose `read` and `write` make the
//! task wait, not the thread.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::task::{Context, Poll};

use crate::io::Async;
use crate::sys::Interest;

/// A TCP listener whose [`TcpListener::accept`] waits as a task.
#[derive(Debug)]
pub struct TcpListener {
    inner: Async<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds `addr` and listens.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        TcpListener::from_std(std::net::TcpListener::bind(addr)?)
    }

    /// Registers a std listener. Several runtimes may each register a copy of one listener
    /// (`try_clone`): a new connection then wakes only one of them (`EPOLLEXCLUSIVE`).
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            inner: Async::with_interest(listener, Interest::AcceptExclusive)?,
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The next connection, as a std stream (still blocking, as `accept` gives it): the caller
    /// decides whether to serve it ([`TcpStream::from_std`]) or turn it away.
    pub async fn accept_std(&self) -> io::Result<(std::net::TcpStream, SocketAddr)> {
        self.inner.read_with(|listener| listener.accept()).await
    }

    /// The next connection.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = self.accept_std().await?;
        Ok((TcpStream::from_std(stream)?, peer))
    }
}

/// A TCP connection whose reads and writes wait as a task.
#[derive(Debug)]
pub struct TcpStream {
    inner: Async<std::net::TcpStream>,
}

impl TcpStream {
    /// Registers a std stream (an accepted one, say).
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            inner: Async::new(stream)?,
        })
    }

    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }

    /// Reads what has arrived into `buf`, waiting until something has; 0 is the end of the
    /// stream.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let room = buf.len();
        let n = self.inner.read_with(|mut stream| stream.read(buf)).await?;
        if 0 < n && n < room {
            self.inner.read_drained();
        }
        Ok(n)
    }

    /// Writes what the kernel takes of `buf`, waiting until it takes something.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_with(|mut stream| stream.write(buf)).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    /// Reads what has arrived, without waiting: `WouldBlock` if nothing has.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let room = buf.len();
        let n = self.inner.try_read_with(|mut stream| stream.read(buf))?;
        if 0 < n && n < room {
            self.inner.read_drained();
        }
        Ok(n)
    }

    /// Writes what the kernel takes now, without waiting: `WouldBlock` if it takes nothing.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write_with(|mut stream| stream.write(buf))
    }

    /// Ready once a read would not block; see [`Async::poll_readable`].
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.inner.poll_readable(cx)
    }

    /// Ready once a write would not block.
    pub fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.inner.poll_writable(cx)
    }

    /// Waits until a read would not block.
    pub async fn readable(&self) {
        self.inner.readable().await;
    }

    /// Waits until a write would not block.
    pub async fn writable(&self) {
        self.inner.writable().await;
    }
}
