//! Seed 003's admin monitor and management API on the wire: the frames of
//! `/ws/admin/monitor` (the client's `ping`, `pong` and `get_stats`; the hub's
//! `connection_established`, `stats_update`, `user_status_update`, `notification`, broadcasts,
//! `ping`, `pong` and `error`), the bodies of `POST /api/v1/websocket/notify` and
//! `users/disconnect`, the answers of the management API, and the JSON a notification is
//! POSTed to the webhook as. Receives nothing and sends nothing: the dialect and the handlers
//! build their text from these shapes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_actors::admin::hub_stats::HubStats;
use switchboard_actors::admin::notification::{Audience, Notification};
use switchboard_actors::admin::user_directory::ConnectionInfo;
use utoipa::ToSchema;

use crate::wire::interview_frames::StatsBody;

/// A frame from a monitor client, by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MonitorInbound {
    /// `{"type":"ping"}`: answered with `pong`.
    Ping,
    /// `{"type":"pong"}`: the answer to the hub's `ping`.
    Pong,
    /// `{"type":"get_stats"}`: answered with a `stats_update` at once.
    GetStats,
}

impl MonitorInbound {
    /// Every `type` a monitor client may send.
    pub const TYPES: &'static [&'static str] = &["ping", "pong", "get_stats"];
}

/// A frame to a monitor client, by `type`; each carries its `timestamp` (ISO 8601, UTC).
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MonitorOutbound<'a> {
    /// `{"type":"connection_established","connection_id","user_id","stats_interval","timestamp"}`.
    ConnectionEstablished {
        /// The socket's id.
        connection_id: String,
        /// The admin (the token's `sub`).
        user_id: &'a str,
        /// Seconds between two `stats_update`s.
        stats_interval: f64,
        /// When.
        timestamp: String,
    },
    /// `{"type":"stats_update","stats":{...},"timestamp"}`.
    StatsUpdate {
        /// Seed 003's statistics.
        stats: &'a HubStats,
        /// When.
        timestamp: String,
    },
    /// `{"type":"user_status_update","user_id","status":"online"|"offline","timestamp"}`.
    UserStatusUpdate {
        /// The user.
        user_id: &'a str,
        /// `online` or `offline`.
        status: &'static str,
        /// When the change happened.
        timestamp: String,
    },
    /// `{"type":"notification","notification":{"id","title","message","type","action_url","auto_close","timestamp"}}`.
    Notification {
        /// The notification.
        notification: &'a Notification,
    },
    /// `{"type":"ping","timestamp"}`: a ping by name from the management API.
    Ping {
        /// When.
        timestamp: String,
    },
    /// `{"type":"pong","timestamp"}`.
    Pong {
        /// When.
        timestamp: String,
    },
    /// `{"type":"error","error","detail","timestamp"}`: bad input; the socket stays open.
    Error {
        /// The error code.
        error: &'a str,
        /// What was wrong.
        detail: &'a str,
        /// When.
        timestamp: String,
    },
}

/// A broadcast as monitors (and, later, users) receive it: `{"type", "data", "timestamp"}`.
#[derive(Debug, Serialize)]
pub struct BroadcastFrame<'a> {
    /// The `type` the admin chose.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// Its `data`.
    pub data: &'a Value,
    /// When.
    pub timestamp: String,
}

/// The body of `POST /api/v1/websocket/notify`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NotifyBody {
    /// The title (1 to 200 characters).
    #[serde(default)]
    pub title: Option<String>,
    /// The text (1 to 10,000 characters).
    #[serde(default)]
    pub message: Option<String>,
    /// `info` (when absent), `success`, `warning`, `error` or `urgent`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// A link for the reader (at most 200 characters).
    #[serde(default)]
    pub action_url: Option<String>,
    /// Whether clients close it by themselves; true when absent.
    #[serde(default)]
    pub auto_close: Option<bool>,
    /// Only this user's connections (and every monitor).
    #[serde(default)]
    pub user_id: Option<String>,
    /// Only this conversation's connections (and every monitor).
    #[serde(default)]
    pub session_id: Option<String>,
    /// Channels the webhook should reach: `websocket`, `email`, `sms`, `push`.
    #[serde(default)]
    pub channels: Option<Vec<String>>,
}

/// The body of `POST /api/v1/websocket/users/disconnect`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DisconnectBody {
    /// The user whose connections close.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The reason in the close frame.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `GET /api/v1/websocket/stats`: seed 002's answer (`success`, `data`) with seed 003's
/// statistics beside it at the top level.
#[derive(Debug, Serialize, ToSchema)]
pub struct CombinedStats<'a> {
    /// Always true.
    pub success: bool,
    /// Seed 002's `{"websocket_stats", "active_sessions"}` of the interview sockets.
    pub data: StatsBody,
    /// Seed 003's statistics of the whole hub.
    #[serde(flatten)]
    pub hub: &'a HubStats,
}

/// `data` of `GET /api/v1/websocket/connections` and `users/{user_id}/connections`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionsBody {
    /// Each connection, in seed 003's shape.
    pub connections: Vec<ConnectionInfo>,
    /// How many.
    pub total: usize,
}

/// One user of `GET /api/v1/websocket/online-users`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OnlineUser {
    /// The user.
    pub user_id: String,
    /// Their open connections.
    pub connections: usize,
    /// When their oldest open connection opened.
    pub connected_since: String,
}

/// `data` of `GET /api/v1/websocket/online-users`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OnlineUsersBody {
    /// The users with a connection, by user id.
    pub users: Vec<OnlineUser>,
    /// How many.
    pub total: usize,
}

/// `data` of `GET /api/v1/websocket/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthBody {
    /// `healthy`.
    pub status: &'static str,
    /// Sockets open now.
    pub active_connections: u64,
    /// Admin monitor sockets open.
    pub monitors: usize,
    /// Whether notifications are also POSTed to a webhook.
    pub webhook_configured: bool,
    /// Seconds since the hub started.
    pub uptime_seconds: u64,
    /// When.
    pub timestamp: String,
}

/// `data` of `POST /api/v1/websocket/notify`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotifiedBody<'a> {
    /// The notification as it was sent.
    pub notification: &'a Notification,
    /// Whom it was for.
    pub audience: &'a Audience,
    /// Connections it was queued for (every monitor, and the audience's).
    pub delivered: usize,
    /// `queued` when it is being POSTed to the webhook, `not_configured` otherwise.
    pub webhook: &'static str,
}

/// `data` of `POST /api/v1/websocket/users/disconnect` and `ping/{user_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserActionBody {
    /// The user.
    pub user_id: String,
    /// Connections told to close, or pinged.
    pub connections: usize,
}

/// The JSON POSTed to the webhook: the socket frame, with its audience and channels.
#[derive(Debug, Serialize)]
pub struct WebhookBody<'a> {
    /// Always `notification`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The notification.
    pub notification: &'a Notification,
    /// Whom it is for.
    pub audience: &'a Audience,
    /// The channels the webhook should reach.
    pub channels: &'a [String],
}
