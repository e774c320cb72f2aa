//! The application state handed to every handler: the actor addresses and the socket limits.
//! Holds no domain state of its own.

use std::sync::Arc;

use actix::Addr;
use switchboard_actors::{Matchmaker, Metrics, Monitor, SessionRegistry};

use crate::ws::SocketLimits;

/// Addresses and limits shared by the HTTP and WebSocket handlers.
#[derive(Clone)]
pub struct AppState {
    /// The call directory and queues.
    pub matchmaker: Addr<Matchmaker>,
    /// The connection registry.
    pub registry: Addr<SessionRegistry>,
    /// The statistics actor.
    pub monitor: Addr<Monitor>,
    /// The shared counters, bumped by connections.
    pub metrics: Arc<Metrics>,
    /// Limits applied to every socket.
    pub socket_limits: SocketLimits,
}
