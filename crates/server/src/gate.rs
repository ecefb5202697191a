//! Who gets a connection: at most `[serve] max_connections` open at once and at most
//! `max_connections_per_address` from one client address. A connection past either is closed as
//! soon as it is accepted, so a client holding hundreds of half-sent requests uses up its own
//! share, not the file descriptors every other client needs. The share is held by the
//! connection's socket itself ([`Gated`]), so it lasts through a WebSocket upgrade and ends
//! with the socket, however it ends.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The connection counts, shared by the accept loop and every open connection.
#[derive(Debug)]
pub(super) struct Gate {
    max_total: usize,
    max_per_address: usize,
    open: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// One admitted connection's share; given back when dropped.
#[derive(Debug)]
pub(super) struct Ticket {
    gate: Arc<Gate>,
    address: IpAddr,
}

impl Gate {
    pub(super) fn new(max_total: usize, max_per_address: usize) -> Arc<Gate> {
        Arc::new(Gate {
            max_total: max_total.max(1),
            max_per_address: max_per_address.max(1),
            open: Mutex::new(Counts::default()),
        })
    }

    /// A share for a connection from `address`, or `None` when the server or that address is
    /// at its limit.
    pub(super) fn admit(self: &Arc<Gate>, address: IpAddr) -> Option<Ticket> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let from_there = open.by_address.get(&address).copied().unwrap_or(0);
        if open.total >= self.max_total || from_there >= self.max_per_address {
            return None;
        }
        open.total += 1;
        open.by_address.insert(address, from_there + 1);
        Some(Ticket {
            gate: self.clone(),
            address,
        })
    }

    /// Connections open now.
    #[cfg(test)]
    fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_address.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

/// A socket with its share of the gate: reads and writes go straight through.
pub(super) struct Gated<T> {
    pub(super) io: T,
    pub(super) _ticket: Ticket,
}

impl<T: AsyncRead + Unpin> AsyncRead for Gated<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Gated<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// Lets the process open as many files as it is allowed to (the soft limit up to the hard
/// one: 1024 by default on many systems, too few for a centre's clients) and answers how many
/// connections fit beside the store, the sources and the video streams.
pub(super) fn connection_room(wanted: usize) -> usize {
    const RESERVE: u64 = 256;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct handed to them.
    let files = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return wanted;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
        limit.rlim_cur
    };
    let room = usize::try_from(files.saturating_sub(RESERVE).max(64)).unwrap_or(usize::MAX);
    if room < wanted {
        tracing::warn!(
            "[serve] max_connections {wanted} is more than this process may open files for: \
             holding {room} (raise `ulimit -n` for more)"
        );
    }
    wanted.min(room)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_counted_per_address_and_given_back() {
        let gate = Gate::new(3, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = gate.admit(a).unwrap();
        let _second = gate.admit(a).unwrap();
        assert!(gate.admit(a).is_none(), "a third from one address");
        let _third = gate.admit(b).unwrap();
        assert!(gate.admit(b).is_none(), "past the total");
        drop(first);
        assert_eq!(gate.open(), 2);
        assert!(gate.admit(a).is_some());
    }
}
