//! The contract between the admin room and any room that knows users (the chat hub): the
//! messages such a room answers about its users' connections, and [`UserSource`], the
//! recipients of one room, which the monitor feed is handed so that it asks every room
//! without knowing any. Receives nothing itself; a room that knows users implements the five
//! handlers and sends [`UserStatusChanged`] to the feed when a user comes or goes.

use std::sync::Arc;

use actix::dev::ToEnvelope;
use actix::prelude::*;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::admin::notification::{Audience, Notification};

/// One connection, in seed 003's `ConnectionInfo` shape.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConnectionInfo {
    /// The connection.
    pub connection_id: String,
    /// The user who holds it.
    pub user_id: String,
    /// The conversation it is in, if any.
    pub session_id: Option<String>,
    /// When it opened.
    pub connected_at: DateTime<Utc>,
    /// When it was last pinged by name (`POST /api/v1/websocket/ping/{user_id}`).
    pub last_ping: Option<DateTime<Utc>>,
    /// When it last answered such a ping.
    pub last_pong: Option<DateTime<Utc>>,
    /// Whether the connection is still running.
    pub is_alive: bool,
    /// What else the room knows of it (the endpoint, the role, the name).
    pub metadata: Map<String, Value>,
}

/// Asks for the connections of one user, or of everyone.
#[derive(Message, Debug, Clone)]
#[rtype(result = "Vec<ConnectionInfo>")]
pub struct ListConnections {
    /// Only this user's; `None` for all.
    pub user_id: Option<String>,
}

/// Closes every connection of a user; answers how many were told to close.
#[derive(Message, Debug, Clone)]
#[rtype(result = "usize")]
pub struct DisconnectUser {
    /// The user.
    pub user_id: String,
    /// The reason in the close frame.
    pub reason: String,
}

/// Sends a ping message to every connection of a user; answers how many were pinged.
#[derive(Message, Debug, Clone)]
#[rtype(result = "usize")]
pub struct PingUser {
    /// The user.
    pub user_id: String,
}

/// Delivers a notification to its audience; answers how many connections it was queued for.
#[derive(Message, Debug, Clone)]
#[rtype(result = "usize")]
pub struct DeliverNotification {
    /// The notification.
    pub notification: Arc<Notification>,
    /// Whom it is for.
    pub audience: Audience,
}

/// Delivers a message of any type to every connection; answers how many it was queued for.
#[derive(Message, Debug, Clone)]
#[rtype(result = "usize")]
pub struct DeliverBroadcast {
    /// The message's `type`.
    pub kind: String,
    /// Its `data`.
    pub data: Arc<Value>,
}

/// A user came online (their first connection opened) or went offline (their last closed).
#[derive(Message, Debug, Clone, PartialEq, Eq)]
#[rtype(result = "()")]
pub struct UserStatusChanged {
    /// The user.
    pub user_id: String,
    /// True when the user came online.
    pub online: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// How the admin room reaches one room that knows users. Cheap to clone.
#[derive(Clone)]
pub struct UserSource {
    /// Its connections.
    pub list: Recipient<ListConnections>,
    /// Disconnects a user.
    pub disconnect: Recipient<DisconnectUser>,
    /// Pings a user.
    pub ping: Recipient<PingUser>,
    /// Delivers a notification.
    pub notify: Recipient<DeliverNotification>,
    /// Delivers a broadcast.
    pub broadcast: Recipient<DeliverBroadcast>,
}

impl UserSource {
    /// The source answered by the actor at `addr`.
    pub fn of<A>(addr: &Addr<A>) -> UserSource
    where
        A: Actor
            + Handler<ListConnections>
            + Handler<DisconnectUser>
            + Handler<PingUser>
            + Handler<DeliverNotification>
            + Handler<DeliverBroadcast>,
        A::Context: ToEnvelope<A, ListConnections>
            + ToEnvelope<A, DisconnectUser>
            + ToEnvelope<A, PingUser>
            + ToEnvelope<A, DeliverNotification>
            + ToEnvelope<A, DeliverBroadcast>,
    {
        UserSource {
            list: addr.clone().recipient(),
            disconnect: addr.clone().recipient(),
            ping: addr.clone().recipient(),
            notify: addr.clone().recipient(),
            broadcast: addr.clone().recipient(),
        }
    }
}
