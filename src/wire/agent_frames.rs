//! Seed 004's wire: the JSON of the agent socket `/ws/agent` and of `GET /ws/statistics`, as
//! the seed writes it (timestamps are Unix seconds as floats). Receives nothing and sends
//! nothing: typed shapes used by the agent dialect and the statistics handler.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_actors::kernel::ids::ConnId;
use utoipa::ToSchema;

/// A frame from an agent client, by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentInbound {
    /// `{"type":"ping"}`.
    Ping,
    /// `{"type":"agent_query","query"}`: one whole answer.
    AgentQuery {
        /// The question; missing or blank gets `Query is required`.
        #[serde(default)]
        query: Option<String>,
    },
    /// `{"type":"streaming_query","query"}`: the answer in chunks.
    StreamingQuery {
        /// The question; missing or blank gets `Query is required`.
        #[serde(default)]
        query: Option<String>,
    },
    /// `{"type":"tool_call","tool_name","params"}`.
    ToolCall {
        /// Which tool; missing gets `Tool name is required`.
        #[serde(default)]
        tool_name: Option<String>,
        /// The tool's parameters (an object; missing means none).
        #[serde(default)]
        params: Value,
    },
    /// `{"type":"cancel"}`: stops the stream in flight.
    Cancel,
}

impl AgentInbound {
    /// Every `type` an agent client may send.
    pub const TYPES: &'static [&'static str] = &[
        "ping",
        "agent_query",
        "streaming_query",
        "tool_call",
        "cancel",
    ];
}

/// A frame to an agent client, by `type`; each carries `timestamp` (Unix seconds, a float)
/// except `connected`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentOutbound<'a> {
    /// On open: `{"type":"connected","connection_id","message"}`.
    Connected {
        /// The socket's id, as `GET /ws/statistics` lists it.
        connection_id: ConnId,
        /// `Connected to Agent WebSocket`.
        message: &'static str,
    },
    /// The answer to `ping`.
    Pong {
        /// Now.
        timestamp: f64,
    },
    /// `{"type":"status","status":"processing"}` before an `agent_response`.
    Status {
        /// `processing`.
        status: &'static str,
        /// Now.
        timestamp: f64,
    },
    /// The whole answer to `agent_query`.
    AgentResponse {
        /// The answer.
        content: &'a str,
        /// The backend that answered (`builtin` or `openai`).
        vendor: &'a str,
        /// Now.
        timestamp: f64,
    },
    /// A stream begins.
    StreamStart {
        /// Now.
        timestamp: f64,
    },
    /// A piece of the streamed answer.
    StreamChunk {
        /// The piece; the pieces joined are the answer.
        content: &'a str,
        /// Now.
        timestamp: f64,
    },
    /// The stream is complete.
    StreamEnd {
        /// Now.
        timestamp: f64,
    },
    /// A tool the model called while streaming an answer (the `openai` backend).
    ToolCall {
        /// The tool called.
        tool_name: &'a str,
        /// Its arguments (a string when the model's were not JSON).
        params: &'a Value,
        /// Now.
        timestamp: f64,
    },
    /// A tool's answer: to a client's `tool_call`, or to the model's while streaming (then
    /// `{"error": sentence}` when the tool could not run).
    ToolResult {
        /// The tool that ran.
        tool_name: &'a str,
        /// What it returned.
        result: &'a Value,
        /// Now.
        timestamp: f64,
    },
    /// The stream in flight was stopped; no chunk of it follows.
    Cancelled {
        /// Now.
        timestamp: f64,
    },
    /// A refusal: `error` says what is wrong, as the seed does; `code` names it for programs.
    Error {
        /// What is wrong, for a person (e.g. `Query is required`).
        error: &'a str,
        /// The machine-readable code (`query_required`, `invalid_json`, ...).
        code: &'a str,
        /// Now.
        timestamp: f64,
    },
}

/// Now, as the seed writes times: Unix seconds with a fraction.
pub fn unix_now() -> f64 {
    unix_seconds(Utc::now())
}

/// `at` as Unix seconds with a fraction.
pub fn unix_seconds(at: DateTime<Utc>) -> f64 {
    at.timestamp_micros() as f64 / 1e6
}

/// `GET /ws/statistics`: `{"active_connections", "total_connections", "total_messages",
/// "connections": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsBody {
    /// Agent sockets open now.
    pub active_connections: usize,
    /// Agent sockets ever opened.
    pub total_connections: u64,
    /// Messages ever received on agent sockets.
    pub total_messages: u64,
    /// The open sockets, oldest first.
    pub connections: Vec<ConnectionStats>,
}

/// One open agent socket: `{"id", "connected_at", "message_count", "uptime"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionStats {
    /// The socket's id (its `connection_id`).
    pub id: ConnId,
    /// When it connected, Unix seconds.
    pub connected_at: f64,
    /// Messages it sent.
    pub message_count: u64,
    /// Seconds since it connected.
    pub uptime: f64,
}
