//! Seed 001's REST bodies: what `/api/chat`, `/api/chat/stream`, `/api/chat/cancel`,
//! `/api/manual/*` and
//! `/api/sessions/*` accept and answer (the full session state is in
//! [`conversation`](super::conversation)). Receives nothing and sends nothing: typed shapes
//! the HTTP handlers read and write.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::escalation::{Author, Status};
use switchboard_actors::takeover::model::Interruption;
use utoipa::{IntoParams, ToSchema};

use crate::wire::takeover::conversation::SummaryBody;

/// `POST /api/chat` and `POST /api/chat/stream`: `{"message", "session_name"?}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChatRequest {
    /// What the user wrote (`content` is accepted too).
    #[serde(alias = "content")]
    pub message: String,
    /// The conversation; a new one is named when absent.
    #[serde(default)]
    pub session_name: Option<String>,
}

/// The answer to `POST /api/chat`: `{"success": true, "session_name", "status", "message",
/// "escalated", "rule", "seq"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatResponse<'a> {
    /// Always `true`.
    pub success: bool,
    /// The conversation.
    pub session_name: &'a SessionName,
    /// Its status after the turn.
    pub status: Status,
    /// The bot's answer, or `null` while a human is asked for or holds the session.
    pub message: Option<&'a str>,
    /// The regulator escalated during this turn.
    pub escalated: bool,
    /// The rule that escalated (`keyword:转人工`, `bot_failures:3`), or `null`.
    pub rule: Option<String>,
    /// The last sequence number the turn wrote.
    pub seq: Option<u64>,
    /// Present when the answer was cut short: `cancelled` or `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<Interruption>,
    /// Present when the bot's backend failed: `{"error": "upstream_failed", "detail"}`. The
    /// user's line is kept all the same, and `message` is what the user was told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<BotError<'a>>,
}

/// Why the bot could not answer: `{"error", "detail"}`, as in the hub's error bodies.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotError<'a> {
    /// `upstream_failed`, or the store's or the hub's code when the answer could not be kept.
    pub error: &'a str,
    /// What happened.
    pub detail: &'a str,
}

/// `POST /api/chat/cancel`: `{"session_name"}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelRequest {
    /// The conversation whose bot answer to cut short.
    pub session_name: String,
}

/// The answer to `POST /api/chat/cancel`: `{"success": true, "session_name", "cancelled"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelResponse<'a> {
    /// Always `true`.
    pub success: bool,
    /// The conversation.
    pub session_name: &'a SessionName,
    /// Whether an answer was in flight (and is now stored as cancelled).
    pub cancelled: bool,
}

/// A frame of `POST /api/chat/stream` that is not a session event, by `type`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatStreamFrame<'a> {
    /// `{"type": "message", "content"}`: a chunk of the bot's answer.
    Message {
        /// The chunk.
        content: &'a str,
    },
    /// `{"type": "tool_call", "tool_name", "params"}`: the bot called a tool.
    ToolCall {
        /// The tool.
        tool_name: &'a str,
        /// Its arguments.
        params: &'a Value,
    },
    /// `{"type": "tool_result", "tool_name", "result"}`: what the tool answered
    /// (`{"error": ...}` when it could not).
    ToolResult {
        /// The tool.
        tool_name: &'a str,
        /// Its answer.
        result: &'a Value,
    },
    /// `{"type": "error", "error", "detail"}`: the bot's backend failed (`upstream_failed`),
    /// or the answer could not be stored; the stream goes on to `done` when it can.
    Error {
        /// The code.
        error: &'a str,
        /// What happened.
        detail: &'a str,
    },
    /// `{"type": "done", "session_name", "status", "message", "interrupted"?}`: the end of the
    /// turn, with the whole answer as stored (or `null`), and why it was cut short if it was.
    Done {
        /// The conversation.
        session_name: &'a SessionName,
        /// Its status after the turn.
        status: Status,
        /// The whole answer, or `null`.
        message: Option<&'a str>,
        /// `cancelled` or `failed` when the answer was cut short.
        #[serde(skip_serializing_if = "Option::is_none")]
        interrupted: Option<Interruption>,
    },
}

/// `POST /api/manual/escalate`: `{"session_name", "reason", "details"?}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EscalateRequest {
    /// The session to hand to a human.
    pub session_name: String,
    /// Why: `user_request`, `regulator_triggered`, or the caller's own reason.
    pub reason: String,
    /// Free text or any JSON about the request; kept with the escalation.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

/// `agent_info` as the seed sends it: `{"agent_id", "agent_name"}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentInfoBody {
    /// The agent's id.
    pub agent_id: String,
    /// The agent's display name.
    pub agent_name: String,
}

/// `POST /api/manual/messages`: `{"session_name", "role", "content", "agent_info"?}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ManualMessageRequest {
    /// The session.
    pub session_name: String,
    /// `agent` or `user`.
    pub role: Author,
    /// The text.
    pub content: String,
    /// Required when `role` is `agent`.
    #[serde(default)]
    pub agent_info: Option<AgentInfoBody>,
}

/// `POST /api/sessions/{session_name}/claim`: `{"agent_id", "agent_name"}` or
/// `{"agent_info": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClaimRequest {
    /// The agent, as in `POST /api/manual/messages`.
    pub agent_info: Option<AgentInfoBody>,
    /// The agent's id, when not given as `agent_info`.
    pub agent_id: Option<String>,
    /// The agent's name, when not given as `agent_info`.
    pub agent_name: Option<String>,
}

/// The query of `GET /api/sessions/{session_name}`: `?limit=&before_seq=`, read as text so
/// that a bad value is refused naming its rule.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// At most this many messages (1 to 500, default 100).
    pub limit: Option<String>,
    /// Only messages with a smaller sequence number (the cursor `next_before_seq`).
    pub before_seq: Option<String>,
}

/// The query of `GET /api/sessions`: `?status=&limit=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `bot_active`, `pending_manual` or `manual_live`; all when absent.
    pub status: Option<String>,
    /// At most this many (1 to 1000, default 1000).
    pub limit: Option<usize>,
}

/// The answer to `GET /api/sessions`: `{"success": true, "total", "sessions"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionListBody<'a> {
    /// Always `true`.
    pub success: bool,
    /// How many sessions match, beyond the limit too.
    pub total: usize,
    /// The rows asked for.
    pub sessions: Vec<SummaryBody<'a>>,
}

/// The answer to `GET /api/sessions/{session_name}/audit`: `{"success": true,
/// "session_name", "audit"}`, the records oldest first (each `{"event", "session_name",
/// "reason", "status", "timestamp", "agent_id"?, "agent_name"?, "rule"?, "seq"?}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBody<'a> {
    /// Always `true`.
    pub success: bool,
    /// The session.
    pub session_name: &'a SessionName,
    /// The records, as stored.
    pub audit: Vec<Value>,
}

/// The query of `GET /api/sessions/{session_name}/events`: `?last_event_id=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Replay after this sequence number (for clients that cannot set `Last-Event-ID`).
    pub last_event_id: Option<String>,
}
