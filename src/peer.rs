//! The TCP connection under a request. Receives each accepted connection (from the server's
//! `on_connect` hook), records its address and descriptor in the connection's data, and counts
//! it against its client address ([`PeerCounts`], shared by every worker; the count drops when
//! the connection ends); sends nothing. The gate refuses the requests of a connection accepted
//! beyond its address's cap. A long-lived response (a WebSocket, an SSE stream) uses it to
//! [`cut`](PeerSocket::cut) a connection whose client has stopped reading: the HTTP dispatcher
//! drives a response body only while the socket can be written, so a stalled client can only be
//! let go from outside, by shutting the socket down under the dispatcher, which then wakes,
//! fails its write and drops the connection.

use std::any::Any;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::HttpRequest;
use actix_web::dev::Extensions;

/// One accepted TCP connection, as the requests on it see it.
#[derive(Debug, Clone, Copy)]
pub struct PeerSocket {
    /// The client's address.
    pub addr: Option<SocketAddr>,
    /// Its client address already held the most connections allowed when it was accepted.
    pub over_address_cap: bool,
    /// The connection's descriptor, borrowed from the dispatcher that owns it.
    #[cfg(unix)]
    fd: std::os::fd::RawFd,
}

impl PeerSocket {
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

/// The connections each client address holds, shared by every worker.
#[derive(Debug, Default)]
pub struct PeerCounts {
    /// Most connections one address may hold; `0` counts nothing.
    cap: usize,
    /// Connections held, by client address.
    held: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place in its address's count, kept in the connection's data: it is given
/// back when the connection ends and its data is dropped.
struct AddressSlot {
    /// Where it is counted.
    counts: Arc<PeerCounts>,
    /// The address it is counted against.
    client: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        self.counts.release(self.client);
    }
}

impl PeerCounts {
    /// Counts at most `cap` connections per client address (`0`: no cap, nothing counted).
    pub fn new(cap: usize) -> Arc<PeerCounts> {
        Arc::new(PeerCounts {
            cap,
            held: Mutex::default(),
        })
    }

    /// The server's `on_connect` hook: records the connection in its data and counts it against
    /// its client address (the hook cannot refuse it; the gate refuses its requests).
    pub fn on_connect(self: &Arc<Self>, connection: &dyn Any, data: &mut Extensions) {
        let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() else {
            return;
        };
        let addr = stream.peer_addr().ok();
        let slot = addr.filter(|_| self.cap > 0).map(|addr| AddressSlot {
            counts: self.clone(),
            client: client_key(addr.ip()),
        });
        let over_address_cap = slot.as_ref().is_some_and(|slot| !self.take(slot.client));
        data.insert(PeerSocket {
            addr,
            over_address_cap,
            #[cfg(unix)]
            fd: std::os::fd::AsRawFd::as_raw_fd(stream),
        });
        if let Some(slot) = slot {
            data.insert(slot);
        }
    }

    /// Counts one more connection of `client`; says whether it is within the cap.
    fn take(&self, client: IpAddr) -> bool {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let count = held.entry(client).or_default();
        *count += 1;
        *count <= self.cap
    }

    /// Counts one connection of `client` fewer.
    fn release(&self, client: IpAddr) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&client) {
            *count -= 1;
            if *count == 0 {
                held.remove(&client);
            }
        }
    }

    /// Connections `client` holds now.
    #[cfg(test)]
    fn held_by(&self, client: IpAddr) -> usize {
        let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.get(&client_key(client)).copied().unwrap_or(0)
    }
}

/// What a client address is counted as: an IPv4 address (also when it arrives mapped into IPv6),
/// or the /64 network of an IPv6 address, since one IPv6 host commonly holds a whole /64.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_counted_by_ipv4_address_or_ipv6_network() {
        let ip = |text: &str| text.parse::<IpAddr>().expect("an address");
        assert_eq!(client_key(ip("10.0.0.7")), ip("10.0.0.7"));
        assert_eq!(client_key(ip("::ffff:10.0.0.7")), ip("10.0.0.7"));
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
    }

    #[test]
    fn the_cap_counts_held_connections_and_each_slot_gives_its_place_back() {
        let counts = PeerCounts::new(2);
        let client = "192.0.2.1".parse().expect("an address");
        let slot = || AddressSlot {
            counts: counts.clone(),
            client,
        };
        let (first, second, third) = (slot(), slot(), slot());
        assert!(counts.take(client) && counts.take(client));
        assert!(!counts.take(client), "the third is over the cap");
        assert_eq!(counts.held_by(client), 3);
        drop((first, second));
        assert_eq!(counts.held_by(client), 1);
        drop(third);
        assert_eq!(counts.held_by(client), 0);
        assert!(counts.held.lock().expect("unpoisoned").is_empty());
    }
}
