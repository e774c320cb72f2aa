//! Monitor: the hub's counters and their snapshot. Receives [`GetStats`] from the HTTP layer and
//! answers with [`Stats`]. The hot counters are atomics (metrics are the one shared thing in the
//! hub), one family per room, bumped by the actors that own the events; a new room hands its
//! family to [`Monitor::new`] and adds one field to [`Stats`].

use std::sync::Arc;

use actix::prelude::*;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::calls::call_metrics::CallMetrics;
use crate::kernel::metrics::ConnectionMetrics;

/// Asks for a snapshot of the counters.
#[derive(Message)]
#[rtype(result = "Stats")]
pub struct GetStats;

/// A point-in-time copy of every family of counters plus the hub's age; serialised flat by
/// `/api/health`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    /// When the hub started.
    pub started_at: DateTime<Utc>,
    /// Whole seconds since then.
    pub uptime_seconds: i64,
    /// The socket layer's counters.
    #[serde(flatten)]
    pub connections: ConnectionMetrics,
    /// Seed 000's counters.
    #[serde(flatten)]
    pub calls: CallMetrics,
}

/// The statistics actor.
pub struct Monitor {
    /// The socket layer's counters.
    connections: Arc<ConnectionMetrics>,
    /// Seed 000's counters.
    calls: Arc<CallMetrics>,
    /// When the hub started.
    started_at: DateTime<Utc>,
}

impl Monitor {
    /// A monitor over these counters, counting uptime from now.
    pub fn new(connections: Arc<ConnectionMetrics>, calls: Arc<CallMetrics>) -> Self {
        Monitor {
            connections,
            calls,
            started_at: Utc::now(),
        }
    }

    fn snapshot(&self) -> Stats {
        Stats {
            started_at: self.started_at,
            uptime_seconds: (Utc::now() - self.started_at).num_seconds(),
            connections: ConnectionMetrics::clone(&self.connections),
            calls: CallMetrics::clone(&self.calls),
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
