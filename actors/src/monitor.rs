//! Monitor: the hub's counters and their snapshot. Receives [`GetStats`] from the HTTP layer and
//! answers with [`Stats`]. The hot counters are atomics in a shared [`Metrics`] (metrics are the
//! one shared thing in the hub); the actors that own an event bump them, nothing else is shared.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix::prelude::*;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Counters bumped where things happen. Gauges are set by their owner, counters only grow.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Gauge: sockets registered right now (owned by the SessionRegistry).
    pub connections_open: AtomicU64,
    /// Counter: sockets ever admitted.
    pub connections_total: AtomicU64,
    /// Counter: sockets refused because the connection limit was reached.
    pub connections_refused: AtomicU64,
    /// Counter: call legs issued by `POST /api/calls/start`.
    pub calls_started: AtomicU64,
    /// Counter: pairs made.
    pub calls_matched: AtomicU64,
    /// Counter: matched calls that ended.
    pub calls_ended: AtomicU64,
    /// Gauge: matched calls in progress (owned by the Matchmaker).
    pub active_calls: AtomicU64,
    /// Gauge: customers waiting for an agent (owned by the Matchmaker).
    pub waiting_customers: AtomicU64,
    /// Gauge: agents waiting for a customer (owned by the Matchmaker).
    pub available_agents: AtomicU64,
    /// Counter: transcripts relayed between call legs.
    pub transcripts_relayed: AtomicU64,
    /// Counter: inbound frames refused with an error frame.
    pub frames_rejected: AtomicU64,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets a gauge.
    pub fn set(gauge: &AtomicU64, value: usize) {
        gauge.store(value as u64, Ordering::Relaxed);
    }
}

/// Asks for a snapshot of the counters.
#[derive(Message)]
#[rtype(result = "Stats")]
pub struct GetStats;

/// A point-in-time copy of [`Metrics`] plus the hub's age; serialised as-is by `/api/health`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// When the hub started.
    pub started_at: DateTime<Utc>,
    /// Whole seconds since then.
    pub uptime_seconds: i64,
    /// See [`Metrics::connections_open`].
    pub connections_open: u64,
    /// See [`Metrics::connections_total`].
    pub connections_total: u64,
    /// See [`Metrics::connections_refused`].
    pub connections_refused: u64,
    /// See [`Metrics::calls_started`].
    pub calls_started: u64,
    /// See [`Metrics::calls_matched`].
    pub calls_matched: u64,
    /// See [`Metrics::calls_ended`].
    pub calls_ended: u64,
    /// See [`Metrics::active_calls`].
    pub active_calls: u64,
    /// See [`Metrics::waiting_customers`].
    pub waiting_customers: u64,
    /// See [`Metrics::available_agents`].
    pub available_agents: u64,
    /// See [`Metrics::transcripts_relayed`].
    pub transcripts_relayed: u64,
    /// See [`Metrics::frames_rejected`].
    pub frames_rejected: u64,
}

/// The statistics actor.
pub struct Monitor {
    /// The shared counters.
    metrics: Arc<Metrics>,
    /// When the hub started.
    started_at: DateTime<Utc>,
}

impl Monitor {
    /// A monitor over `metrics`, counting uptime from now.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Monitor {
            metrics,
            started_at: Utc::now(),
        }
    }

    fn snapshot(&self) -> Stats {
        let m = &self.metrics;
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Stats {
            started_at: self.started_at,
            uptime_seconds: (Utc::now() - self.started_at).num_seconds(),
            connections_open: read(&m.connections_open),
            connections_total: read(&m.connections_total),
            connections_refused: read(&m.connections_refused),
            calls_started: read(&m.calls_started),
            calls_matched: read(&m.calls_matched),
            calls_ended: read(&m.calls_ended),
            active_calls: read(&m.active_calls),
            waiting_customers: read(&m.waiting_customers),
            available_agents: read(&m.available_agents),
            transcripts_relayed: read(&m.transcripts_relayed),
            frames_rejected: read(&m.frames_rejected),
        }
    }
}

impl Actor for Monitor {
    type Context = Context<Self>;
}

impl Handler<GetStats> for Monitor {
    type Result = MessageResult<GetStats>;

    fn handle(&mut self, _: GetStats, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.snapshot())
    }
}
