//! The agent desk's frames on `/ws/desk` (unix-second timestamps, as seed 001 writes them).
//! Receives nothing and sends nothing: the typed frames the desk dialect decodes and encodes.

use serde::{Deserialize, Serialize};
use switchboard_actors::kernel::ids::SessionName;

use crate::wire::takeover::conversation::{PushedEvent, SessionBody};
use crate::wire::text;

/// A frame a desk sends (unknown fields are ignored).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeskInbound {
    /// `{"type": "available", "agent_id", "agent_name", "capacity"?}`: the agent takes
    /// sessions, at most `capacity` (1 to 100, default 1) at once.
    Available {
        /// The agent's id.
        agent_id: String,
        /// The agent's display name.
        agent_name: String,
        /// Sessions at once.
        #[serde(default = "one")]
        capacity: usize,
    },
    /// `{"type": "unavailable"}`: no new sessions; the ones held stay.
    Unavailable,
    /// `{"type": "claim", "session_name"}`: take a `pending_manual` session now.
    Claim {
        /// Which.
        session_name: String,
    },
    /// `{"type": "message", "session_name", "content"}`: write to the user.
    Message {
        /// Which session.
        session_name: String,
        /// The text.
        content: String,
    },
    /// `{"type": "release", "session_name"}`: hand back to the bot.
    Release {
        /// Which session.
        session_name: String,
    },
    /// `{"type": "ping"}`: answered with `pong`.
    Ping,
}

impl DeskInbound {
    /// Every accepted `type`.
    pub const TYPES: &'static [&'static str] = &[
        "available",
        "unavailable",
        "claim",
        "message",
        "release",
        "ping",
    ];
}

/// The default capacity.
fn one() -> usize {
    1
}

/// A frame the hub sends a desk, by `type` (a session's events go as [`SessionUpdateFrame`]).
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeskOutbound<'a> {
    /// `{"type": "desk_status", "available", "agent_id", "agent_name", "capacity",
    /// "timestamp"}`: answers `available` and `unavailable`.
    DeskStatus {
        /// Whether the desk takes new sessions.
        available: bool,
        /// The agent, once known.
        agent_id: Option<&'a str>,
        /// The agent's name, once known.
        agent_name: Option<&'a str>,
        /// Sessions at once (0 when unavailable).
        capacity: usize,
        /// When sent.
        timestamp: i64,
    },
    /// `{"type": "session_assigned", "session_name", "session", "timestamp"}`: the desk now
    /// holds the session; `session` is the session state with its last 100 messages, the
    /// message `total` and the `next_before_seq` cursor for older pages over REST.
    SessionAssigned {
        /// The session.
        session_name: &'a SessionName,
        /// Its state, with the newest page of its history.
        session: SessionBody<'a>,
        /// When sent.
        timestamp: i64,
    },
    /// `{"type": "pong", "timestamp"}`.
    Pong {
        /// When sent.
        timestamp: i64,
    },
    /// `{"type": "error", "error", "detail", "request"?, "session_name"?, "timestamp"}`; the
    /// socket stays open.
    Error {
        /// Machine-readable code.
        error: &'a str,
        /// What was wrong.
        detail: &'a str,
        /// The type of the frame refused (`claim`, `message`, `release`), when it is known: a
        /// desk answers its requests as each session does, so refusals need not come in the
        /// order the requests went.
        #[serde(skip_serializing_if = "Option::is_none")]
        request: Option<&'a str>,
        /// The session the refused request named, when it named a valid one.
        #[serde(skip_serializing_if = "Option::is_none")]
        session_name: Option<&'a str>,
        /// When sent.
        timestamp: i64,
    },
}

impl DeskOutbound<'_> {
    /// The frame's JSON text.
    pub fn encode(&self) -> String {
        text::encode(self)
    }
}

/// An event of a session the desk holds: the pushed event's own fields (see
/// [`PushedEvent`]) plus `session_name`.
#[derive(Debug, Serialize)]
pub struct SessionUpdateFrame<'a> {
    /// The event.
    #[serde(flatten)]
    pub event: PushedEvent<'a>,
    /// The session it happened in.
    pub session_name: &'a SessionName,
}

impl SessionUpdateFrame<'_> {
    /// The frame's JSON text.
    pub fn encode(&self) -> String {
        text::encode(self)
    }
}
