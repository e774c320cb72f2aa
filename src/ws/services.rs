//! What every socket needs, whatever its dialect: its limits, where it registers, its counters
//! (and its series by endpoint) and where it reports a client that did not keep up. Built once by the wiring and handed to
//! every [`Connection`](crate::ws::connection::Connection); receives and sends nothing.

use std::sync::Arc;

use actix::Addr;
use switchboard_actors::kernel::metrics::ConnectionMetrics;
use switchboard_actors::registry::ConnectionRegistry;

use crate::config::sockets::SocketConfig;
use crate::refusals::Refusals;
use crate::ws::endpoint_metrics::EndpointMetrics;

/// What every socket needs, whatever its dialect.
#[derive(Clone)]
pub struct Sockets {
    /// Heartbeat, size and queue limits.
    pub config: Arc<SocketConfig>,
    /// Where sockets are admitted.
    pub registry: Addr<ConnectionRegistry>,
    /// The socket layer's counters.
    pub metrics: Arc<ConnectionMetrics>,
    /// Where sockets that did not keep up are counted and reported.
    pub refusals: Arc<Refusals>,
    /// The sockets' series by endpoint, for `GET /metrics`.
    pub per_endpoint: EndpointMetrics,
}
