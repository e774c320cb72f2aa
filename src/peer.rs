//! The TCP connection under a request. Receives each accepted connection (from the server's
//! `on_connect` hook) and records its address and descriptor in the connection's data; sends
//! nothing. A long-lived response (a WebSocket, an SSE stream) uses it to [`cut`](PeerSocket::cut)
//! a connection whose client has stopped reading: the HTTP dispatcher drives a response body
//! only while the socket can be written, so a stalled client can only be let go from outside,
//! by shutting the socket down under the dispatcher, which then wakes, fails its write and
//! drops the connection.

use std::any::Any;
use std::net::SocketAddr;

use actix_web::HttpRequest;
use actix_web::dev::Extensions;

/// One accepted TCP connection, as the requests on it see it.
#[derive(Debug, Clone, Copy)]
pub struct PeerSocket {
    /// The client's address.
    pub addr: Option<SocketAddr>,
    /// The connection's descriptor, borrowed from the dispatcher that owns it.
    #[cfg(unix)]
    fd: std::os::fd::RawFd,
}

impl PeerSocket {
    /// The server's `on_connect` hook: records the connection in its data.
    pub fn on_connect(connection: &dyn Any, data: &mut Extensions) {
        if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
            #[cfg(unix)]
            let fd = std::os::fd::AsRawFd::as_raw_fd(stream);
            data.insert(PeerSocket {
                addr: stream.peer_addr().ok(),
                #[cfg(unix)]
                fd,
            });
        }
    }

    /// The connection `req` arrived on, if the server recorded it.
    pub fn of(req: &HttpRequest) -> Option<PeerSocket> {
        req.conn_data::<PeerSocket>().copied()
    }

    /// Bounds the kernel's send buffer of the connection to `bytes` (the kernel may round it
    /// up), so that a client that stops reading pins that much of the hub's memory and no more,
    /// and the hub notices it sooner; `0` leaves the kernel's own sizing.
    pub fn limit_send_buffer(&self, bytes: usize) {
        #[cfg(unix)]
        if bytes > 0 {
            // SAFETY: called while the request is served, so the dispatcher owns this open
            // descriptor; it is only borrowed for the call.
            let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(self.fd) };
            if let Err(error) = socket2::SockRef::from(&fd).set_send_buffer_size(bytes) {
                log::debug!("cannot size the send buffer of {:?}: {error}", self.addr);
            }
        }
    }

    /// Shuts the connection down both ways, so that its dispatcher, however stuck on a write,
    /// wakes, fails and drops it.
    ///
    /// The descriptor is borrowed: call this only on the worker thread that serves the
    /// connection and only while a response body of that connection is still alive (the
    /// dispatcher closes the descriptor only after dropping the body). Both hold for a socket
    /// actor or stream watcher that checks its body is alive just before cutting.
    pub fn cut(&self) {
        #[cfg(unix)]
        {
            use std::os::fd::BorrowedFd;
            // SAFETY: per the contract above the dispatcher still owns this open descriptor;
            // it is only duplicated here, and the duplicate is closed after the shutdown.
            let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
            let shutdown = fd
                .try_clone_to_owned()
                .map(std::net::TcpStream::from)
                .and_then(|stream| stream.shutdown(std::net::Shutdown::Both));
            if let Err(error) = shutdown {
                log::debug!("cannot cut the connection of {:?}: {error}", self.addr);
            }
        }
    }
}
