//! The counters of seed 000's calls. Receives nothing and sends nothing: the Matchmaker and the
//! Calls bump them as things happen, and the Monitor reports them in `/api/health`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::metrics::{Counter, Gauge};

/// Calls issued, matched, ended and relayed, and the current queue sizes.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct CallMetrics {
    /// Counter: call legs issued by `POST /api/calls/start`.
    pub calls_started: Counter,
    /// Counter: pairs made.
    pub calls_matched: Counter,
    /// Counter: matched calls that ended.
    pub calls_ended: Counter,
    /// Gauge: matched calls in progress (owned by the Matchmaker).
    pub active_calls: Gauge,
    /// Gauge: customers waiting for an agent (owned by the Matchmaker).
    pub waiting_customers: Gauge,
    /// Gauge: agents waiting for a customer (owned by the Matchmaker).
    pub available_agents: Gauge,
    /// Counter: transcripts relayed between call legs.
    pub transcripts_relayed: Counter,
}
