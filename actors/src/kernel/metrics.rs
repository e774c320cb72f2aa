//! Shared counters, the one thing in the hub that is not owned by a single actor. Receives
//! nothing and sends nothing: the actor that owns an event bumps its [`Counter`] or sets its
//! [`Gauge`], and the Monitor reads them. Each room keeps its own family of counters (a struct
//! of these), so a new room adds its struct and nothing here changes. A family cloned is a
//! point-in-time snapshot, and serialises as plain numbers.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// A number that only grows.
#[derive(Debug, Default, ToSchema)]
#[schema(value_type = u64)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A number set by its owner to the current size of something.
#[derive(Debug, Default, ToSchema)]
#[schema(value_type = u64)]
pub struct Gauge(AtomicU64);

impl Gauge {
    /// Sets the value.
    pub fn set(&self, value: usize) {
        self.0.store(value as u64, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Adds one unless the value has reached `limit`; says whether it did. For a gauge that
    /// is also a limit shared by several owners (each adds and takes away its own one).
    pub fn increment_below(&self, limit: usize) -> bool {
        let below = |value: u64| (value < limit as u64).then_some(value + 1);
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, below)
            .is_ok()
    }

    /// Takes away one that [`Gauge::increment_below`] added.
    pub fn decrement(&self) {
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |value| {
                value.checked_sub(1)
            });
    }
}

impl Clone for Counter {
    /// A copy holding the value read now.
    fn clone(&self) -> Self {
        Counter(AtomicU64::new(self.get()))
    }
}

impl Clone for Gauge {
    /// A copy holding the value read now.
    fn clone(&self) -> Self {
        Gauge(AtomicU64::new(self.get()))
    }
}

impl Serialize for Counter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.get())
    }
}

impl Serialize for Gauge {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.get())
    }
}

/// The counters of the socket layer, kept by the connection registry and the connections.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ConnectionMetrics {
    /// Gauge: sockets registered right now.
    pub connections_open: Gauge,
    /// Counter: sockets ever admitted.
    pub connections_total: Counter,
    /// Counter: sockets refused because the connection limit was reached.
    pub connections_refused: Counter,
    /// The HTTP edge's refusals and event streams.
    #[serde(flatten)]
    pub edge: EdgeMetrics,
    /// Counter: inbound frames refused with an error frame.
    pub frames_rejected: Counter,
    /// Counter: sockets closed (4008) because their client did not keep up: too many frames
    /// untaken, none taken within the write timeout, or its connection's mailbox full.
    pub slow_consumers: Counter,
}

/// The counters of the HTTP edge, kept by its gate, its body checks and its event streams:
/// every refusal of a client that asked for more than the hub gives.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct EdgeMetrics {
    /// Counter: requests whose body did not arrive within the body timeout (408).
    pub requests_timed_out: Counter,
    /// Counter: requests whose body was over the limit (413).
    pub bodies_too_large: Counter,
    /// Counter: requests refused because their client address holds too many connections (429).
    pub connections_refused_per_ip: Counter,
    /// Counter: event streams refused because the hub holds its limit of them.
    pub sse_refused: Counter,
    /// Counter: event streams closed because their client stopped taking what was sent.
    pub sse_write_timeouts: Counter,
    /// Gauge: event streams open right now.
    pub sse_streams_open: Gauge,
}
