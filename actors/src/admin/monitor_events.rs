//! What admin monitor sockets hear from the monitor feed: the event family of
//! `/ws/admin/monitor`. Receives nothing; sent by the feed through each monitor's handle.

use std::sync::Arc;

use serde_json::Value;

use crate::admin::hub_stats::HubStats;
use crate::admin::notification::Notification;
use crate::admin::user_directory::UserStatusChanged;

/// One event for a monitor socket.
#[derive(Debug, Clone)]
pub enum MonitorEvent {
    /// The hub's figures now (`stats_update`).
    Stats(Arc<HubStats>),
    /// A user came online or went offline (`user_status_update`).
    UserStatus(UserStatusChanged),
    /// A notification (`notification`).
    Notification(Arc<Notification>),
    /// A message broadcast by an admin, of its own `type`.
    Broadcast {
        /// The message's `type`.
        kind: String,
        /// Its `data`.
        data: Arc<Value>,
    },
    /// A ping by name from the management API; the client is expected to answer `pong`.
    Ping,
}
