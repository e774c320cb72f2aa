//! Seed 000's wire: the JSON of call matching, as the seed writes it (ISO-8601 timestamps).
//! Receives nothing and sends nothing: typed shapes of the REST bodies of `/api/calls/*` and of
//! the frames of `/ws/call/{call_id}`, used by the HTTP handlers and the call dialect alike.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_actors::kernel::ids::{CallId, PairId};
use switchboard_actors::kernel::role::Role;
use utoipa::ToSchema;

use crate::wire::text;

/// `POST /api/calls/start`: `{"user_type", "user_name"}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StartCallRequest {
    /// `customer` or `agent`.
    pub user_type: Role,
    /// Display name shown to the partner, 1 to 100 characters.
    pub user_name: String,
}

/// The answer to `POST /api/calls/start`: `{"call_id", "user_type", "user_name",
/// "created_at", "status", ...}` with `queue_position` while waiting, or `partner_call_id` and
/// `partner_name` when matched at once.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartCallResponse<'a> {
    /// The new leg.
    pub call_id: &'a CallId,
    /// Its side.
    pub user_type: Role,
    /// Its display name.
    pub user_name: &'a str,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// `status` and what goes with it.
    #[serde(flatten)]
    pub placement: PlacementBody<'a>,
}

/// Where a new leg stands: `{"status": "waiting", "queue_position"}` or
/// `{"status": "matched", "partner_call_id", "partner_name"}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PlacementBody<'a> {
    /// Queued.
    Waiting {
        /// 1 means next.
        queue_position: usize,
    },
    /// Paired at once.
    Matched {
        /// The partner's leg.
        partner_call_id: &'a CallId,
        /// The partner's display name.
        partner_name: &'a str,
    },
}

/// `GET /api/calls/match/{call_id}`: where a leg stands, by `status`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MatchBody<'a> {
    /// `{"call_id", "status": "waiting", "user_type", "user_name", "queue_position",
    /// "waiting_since"}`.
    Waiting {
        /// The leg.
        call_id: &'a CallId,
        /// Its side.
        user_type: Role,
        /// Its display name.
        user_name: &'a str,
        /// 1 means next.
        queue_position: usize,
        /// When it joined the queue.
        waiting_since: DateTime<Utc>,
    },
    /// `{"call_id", "status": "matched", "user_type", "user_name", "partner_call_id",
    /// "partner_name", "session_id", "started_at"}`.
    Matched {
        /// The leg.
        call_id: &'a CallId,
        /// Its side.
        user_type: Role,
        /// Its display name.
        user_name: &'a str,
        /// The partner's leg.
        partner_call_id: &'a CallId,
        /// The partner's display name.
        partner_name: &'a str,
        /// The pair (the seed's name for it).
        session_id: PairId,
        /// When the pair was made.
        started_at: DateTime<Utc>,
    },
    /// `{"call_id", "status": "ended", "user_type", "reason"}`.
    Ended {
        /// The leg.
        call_id: &'a CallId,
        /// Its side.
        user_type: Role,
        /// Why it ended (`customer_hung_up`, `connect_timeout`, ...).
        reason: &'static str,
    },
}

/// The answer to `POST /api/calls/{call_id}/end`: `{"call_id", "status": "ended"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndCallResponse<'a> {
    /// The leg.
    pub call_id: &'a CallId,
    /// Always `ended`.
    pub status: &'static str,
}

/// `GET /api/calls`: `{"active_calls", "waiting_customers", "available_agents"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallListBody {
    /// Calls in progress, oldest first.
    pub active_calls: Vec<ActiveCallBody>,
    /// The customer queue, head first.
    pub waiting_customers: Vec<QueuedLegBody>,
    /// The agent queue, head first.
    pub available_agents: Vec<QueuedLegBody>,
}

/// One call in progress: `{"session_id", "customer_call_id", "agent_call_id",
/// "customer_name", "agent_name", "started_at", "status": "active"}`; the call ids for admins
/// only.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActiveCallBody {
    /// The pair (the seed's name for it).
    pub session_id: PairId,
    /// The customer's leg; shown to admins only (a call id is the leg's only credential).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_call_id: Option<CallId>,
    /// The agent's leg; shown to admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_call_id: Option<CallId>,
    /// The customer's display name.
    #[schema(value_type = String)]
    pub customer_name: Arc<str>,
    /// The agent's display name.
    #[schema(value_type = String)]
    pub agent_name: Arc<str>,
    /// When the pair was made.
    pub started_at: DateTime<Utc>,
    /// Always `active`.
    pub status: &'static str,
}

/// One queued leg: `{"call_id", "customer_name" | "agent_name", "timestamp",
/// "queue_position", "connected"}`; the call id for admins only.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedLegBody {
    /// The leg; shown to admins only (a call id is the leg's only credential).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_id: Option<CallId>,
    /// Its display name, under the key of its side.
    #[serde(flatten)]
    pub name: LegName,
    /// When it joined the queue.
    pub timestamp: DateTime<Utc>,
    /// 1 means next.
    pub queue_position: usize,
    /// Whether its socket is open.
    pub connected: bool,
}

/// A queued leg's name, keyed by its side.
#[derive(Debug, Serialize, ToSchema)]
pub enum LegName {
    /// `customer_name`.
    #[serde(rename = "customer_name")]
    #[schema(value_type = String)]
    Customer(Arc<str>),
    /// `agent_name`.
    #[serde(rename = "agent_name")]
    #[schema(value_type = String)]
    Agent(Arc<str>),
}

/// A frame a call leg sends, exactly as in the seed (every field but `type` optional unless
/// marked; unknown fields are ignored).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallInbound {
    /// `{"type": "start_call", "call_id"?, "customer_name"?, "agent_name"?, "timestamp"?}`:
    /// `call_id` must be this socket's leg.
    StartCall {
        /// The leg the client believes it is.
        #[serde(default)]
        call_id: Option<String>,
    },
    /// `{"type": "transcript", "text"}`: a line for the partner; a `speaker` is ignored (the
    /// hub sets it).
    Transcript {
        /// What was said (required, not blank).
        text: String,
    },
    /// `{"type": "call_ended"}`: hangs up (or leaves the queue).
    CallEnded,
    /// `{"type": "ping"}`: answered with `pong`.
    Ping,
}

impl CallInbound {
    /// Every accepted `type`.
    pub const TYPES: &'static [&'static str] = &["start_call", "transcript", "call_ended", "ping"];
}

/// A frame the hub sends a call leg. Every frame carries `type` and `timestamp`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallOutbound<'a> {
    /// `{"type": "queue_position", "call_id", "role", "position", "timestamp"}`.
    QueuePosition {
        /// The waiting leg.
        call_id: &'a CallId,
        /// Its side.
        role: Role,
        /// 1 means next.
        position: usize,
        /// When sent.
        timestamp: DateTime<Utc>,
    },
    /// `{"type": "call_matched", "call_id", "role", "partner_call_id", "partner_name",
    /// "started_at", "timestamp"}`.
    CallMatched {
        /// The leg.
        call_id: &'a CallId,
        /// Its side.
        role: Role,
        /// The partner's leg.
        partner_call_id: &'a CallId,
        /// The partner's display name.
        partner_name: &'a str,
        /// When the pair was made.
        started_at: DateTime<Utc>,
        /// When sent.
        timestamp: DateTime<Utc>,
    },
    /// `{"type": "transcript", "speaker", "text", "seq", "timestamp"}`.
    Transcript {
        /// The side that said it, set by the hub.
        speaker: Role,
        /// What was said.
        text: &'a str,
        /// Position in the call, from 1, both sides counted.
        seq: u64,
        /// When the hub accepted it.
        timestamp: DateTime<Utc>,
    },
    /// `{"type": "call_ended", "call_id", "reason", "timestamp"}`.
    CallEnded {
        /// The leg.
        call_id: &'a CallId,
        /// Why (`agent_hung_up`, `customer_disconnected`, ...).
        reason: &'static str,
        /// When sent.
        timestamp: DateTime<Utc>,
    },
    /// `{"type": "call_started", "call_id", "status", "timestamp"}`: acknowledges
    /// `start_call`; `status` is `waiting`, `matched` or `ended`.
    CallStarted {
        /// The leg, as in the path.
        call_id: &'a str,
        /// Where it stands.
        status: &'static str,
        /// When sent.
        timestamp: DateTime<Utc>,
    },
    /// `{"type": "pong", "timestamp"}`.
    Pong {
        /// When sent.
        timestamp: DateTime<Utc>,
    },
    /// `{"type": "error", "error", "detail", "timestamp"}`.
    Error {
        /// Machine-readable code.
        error: &'a str,
        /// What was wrong.
        detail: &'a str,
        /// When sent.
        timestamp: DateTime<Utc>,
    },
}

impl CallOutbound<'_> {
    /// The frame's JSON text.
    pub fn encode(&self) -> String {
        text::encode(self)
    }
}
