//! Seed 002's wire: the JSON of the interview socket `/api/v1/ws[/{session_id}]` and of the
//! management API `/api/v1/websocket/*`, as the seed writes it. Every frame is an envelope
//! `{"type", "session_id", "timestamp", "data"}` (ISO 8601 times with milliseconds, `Z`).
//! Receives nothing and sends nothing: typed shapes used by the interview dialect and the
//! management handlers.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_actors::interview::transcript::Exchange;
use utoipa::ToSchema;

/// The version `connected` reports in `server_info`.
pub const SERVER_VERSION: &str = "2.0.0";

/// A frame from an interview client, by `type`; its `session_id` and `timestamp` are not
/// read (the socket's session is the one of its path or the one the hub assigned).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InterviewInbound {
    /// `connect`: answered with `connected`; may set `interview_style`.
    Connect {
        /// `{"interview_style", "client_info"}`, both optional.
        #[serde(default)]
        data: ConnectData,
    },
    /// `text_input`: answered with `ai_response`.
    TextInput {
        /// `{"text", "context"}`.
        #[serde(default)]
        data: TextData,
    },
    /// `audio_input`: checked, then answered with `status` (processing), `transcription` and
    /// `ai_response`; with an `error` while no speech-to-text server is configured.
    AudioInput {
        /// `{"audio_data", "audio_format", "context"}`.
        #[serde(default)]
        data: AudioData,
    },
    /// `ping`: answered with `pong`.
    Ping,
    /// `disconnect`: the hub closes the socket (the interview is kept).
    Disconnect,
}

impl InterviewInbound {
    /// Every `type` an interview client may send.
    pub const TYPES: &'static [&'static str] =
        &["connect", "text_input", "audio_input", "ping", "disconnect"];
}

/// The `data` of `connect`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ConnectData {
    /// `formal`, `friendly` or `technical`; the interview keeps its style when absent.
    #[serde(default)]
    pub interview_style: Option<String>,
    /// Whatever the client says about itself; not read.
    #[serde(default)]
    pub client_info: Value,
}

/// The `data` of `text_input`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct TextData {
    /// The candidate's answer; missing or blank is refused.
    #[serde(default)]
    pub text: Option<String>,
    /// Optional context; not read.
    #[serde(default)]
    pub context: Value,
}

/// The `data` of `audio_input`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct AudioData {
    /// The clip, base64; missing or empty is refused.
    #[serde(default)]
    pub audio_data: Option<String>,
    /// `wav` (when absent), `mp3`, `m4a` or `webm`.
    #[serde(default)]
    pub audio_format: Option<String>,
    /// Optional context; not read.
    #[serde(default)]
    pub context: Value,
}

/// A frame to an interview client.
#[derive(Debug, Serialize)]
pub struct Envelope<'a, T: Serialize> {
    /// `connected`, `status`, `transcription`, `ai_response`, `pong`, `error`, or a pushed
    /// message's type.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// The socket's session.
    pub session_id: &'a str,
    /// When it was sent.
    pub timestamp: String,
    /// The type's data.
    pub data: T,
}

impl<'a, T: Serialize> Envelope<'a, T> {
    /// A frame of `kind` for `session_id`, sent now.
    pub fn now(kind: &'a str, session_id: &'a str, data: T) -> Self {
        Envelope {
            kind,
            session_id,
            timestamp: iso_time(Utc::now()),
            data,
        }
    }
}

/// `at` as the seed writes times: `2024-01-01T12:00:00.000Z`.
pub fn iso_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `{"version"}`.
#[derive(Debug, Serialize)]
pub struct ServerInfo {
    /// [`SERVER_VERSION`].
    pub version: &'static str,
}

/// The `data` of `connected`.
#[derive(Debug, Serialize)]
pub struct ConnectedData<'a> {
    /// `connected`.
    pub status: &'static str,
    /// `{"version": "2.0.0"}`.
    pub server_info: ServerInfo,
    /// The socket's session, again.
    pub session_id: &'a str,
    /// The interview's style.
    pub interview_style: &'a str,
    /// Whether the interview existed before this socket (a reconnect, or after a restart).
    pub resumed: bool,
    /// Exchanges so far.
    pub exchanges: usize,
}

/// The `data` of `ai_response`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AiResponseData<'a> {
    /// What the candidate said.
    pub user_input: &'a str,
    /// The interviewer's reply and next question.
    pub ai_response: &'a str,
    /// `question`, or `closing` once wrapping up.
    pub response_type: &'a str,
    /// `opening`, `clarify`, `deep_dive`, `broaden` or `wrap_up`.
    pub strategy_used: &'a str,
    /// The area of the next question.
    pub focus_area: &'a str,
    /// How well the answer addressed the area asked about, 0 to 1.
    pub confidence: f64,
    /// Seconds the interviewer took.
    pub processing_time: f64,
}

impl<'a> AiResponseData<'a> {
    /// The `ai_response` data of a stored exchange.
    pub fn of(exchange: &'a Exchange) -> Self {
        AiResponseData {
            user_input: &exchange.user_input,
            ai_response: &exchange.ai_response,
            response_type: exchange.response_type,
            strategy_used: exchange.strategy.as_str(),
            focus_area: exchange.focus_area.as_str(),
            confidence: exchange.confidence,
            processing_time: exchange.processing_time,
        }
    }
}

/// The `data` of `ai_response` to `audio_input`: the reply and how the answer was heard.
#[derive(Debug, Serialize)]
pub struct HeardResponseData<'a> {
    /// The reply, as to `text_input`.
    #[serde(flatten)]
    pub response: AiResponseData<'a>,
    /// How the answer was heard.
    pub transcription_info: TranscriptionInfo,
}

/// `transcription_info` of an `ai_response` to `audio_input`.
#[derive(Debug, Clone, Serialize)]
pub struct TranscriptionInfo {
    /// How sure the server was, 0 to 1; null when it does not tell.
    pub confidence: Option<f64>,
    /// The clip's duration in seconds; null when neither the server nor the header tells.
    pub duration: Option<f64>,
    /// The language heard (or asked for); null when unknown.
    pub language: Option<String>,
    /// The clip's format.
    pub audio_format: &'static str,
}

/// The `data` of `transcription`.
#[derive(Debug, Serialize)]
pub struct TranscriptionData<'a> {
    /// The text heard.
    pub transcription: &'a str,
    /// How sure the server was, 0 to 1; null when it does not tell.
    pub confidence: Option<f64>,
    /// Seconds the transcription took.
    pub processing_time: f64,
    /// The clip's duration in seconds; null when unknown.
    pub duration: Option<f64>,
    /// The language heard (or asked for); null when unknown.
    pub language: Option<&'a str>,
    /// The clip's format.
    pub audio_format: &'static str,
}

/// The `data` of `status`.
#[derive(Debug, Serialize)]
pub struct StatusData<'a> {
    /// `processing`.
    pub status: &'static str,
    /// What is being done, for a person.
    pub message: &'a str,
}

/// The `data` of `error`.
#[derive(Debug, Serialize)]
pub struct ErrorData<'a> {
    /// The machine-readable code (`invalid_json`, `text_required`, ...).
    pub error: &'a str,
    /// What is wrong, for a person.
    pub message: &'a str,
    /// What to do about it.
    pub details: &'a str,
}

/// The `data` of `pong`.
#[derive(Debug, Serialize)]
pub struct PongData {
    /// Now.
    pub timestamp: String,
}

/// Every management answer: `{"success": true, "data": ...}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Success<T: Serialize> {
    /// Always true (failures are `{"error", "detail"}` with a 4xx or 5xx status).
    pub success: bool,
    /// The answer.
    pub data: T,
}

impl<T: Serialize> Success<T> {
    /// A successful answer carrying `data`.
    pub fn of(data: T) -> Self {
        Success {
            success: true,
            data,
        }
    }
}

/// `GET /api/v1/websocket/stats`: `{"websocket_stats", "active_sessions"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsBody {
    /// The sockets' figures.
    pub websocket_stats: WebsocketStats,
    /// The ids of the sessions with an open socket.
    pub active_sessions: Vec<String>,
}

/// The interview sockets' figures since the hub started.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebsocketStats {
    /// Sockets ever opened.
    pub total_connections: u64,
    /// Sockets open now.
    pub active_connections: usize,
    /// Frames sent to clients.
    pub messages_sent: u64,
    /// Messages received from clients.
    pub messages_received: u64,
    /// Error frames sent.
    pub errors_count: u64,
    /// Seconds since the hub started.
    pub uptime_seconds: f64,
}

/// `GET /api/v1/websocket/sessions`: `{"sessions", "total"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsBody {
    /// The sessions with an open socket, oldest first.
    pub sessions: Vec<SessionSummary>,
    /// How many.
    pub total: usize,
}

/// One interview session, as the list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummary {
    /// Its id.
    pub session_id: String,
    /// What kind of session: `interview`.
    pub kind: &'static str,
    /// Whether a socket is open on it.
    pub active: bool,
    /// Its open sockets.
    pub connections: usize,
    /// Its style.
    pub interview_style: &'static str,
    /// Exchanges so far.
    pub exchange_count: usize,
    /// The area of the last question.
    pub current_focus_area: &'static str,
    /// The areas covered, in order.
    pub focus_areas_covered: Vec<&'static str>,
    /// When it began.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// `GET /api/v1/websocket/sessions/{session_id}`: the summary and the whole history.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDetail<'a> {
    /// The summary.
    #[serde(flatten)]
    pub summary: SessionSummary,
    /// Every exchange, oldest first.
    pub history: Vec<HistoryEntry<'a>>,
}

/// One exchange of the history: an `ai_response`'s data and when.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InterviewHistoryEntry)]
pub struct HistoryEntry<'a> {
    /// The exchange, as `ai_response` sent it.
    #[serde(flatten)]
    pub response: AiResponseData<'a>,
    /// When.
    pub timestamp: String,
}

/// The body of `POST /api/v1/websocket/sessions/{session_id}/message` and
/// `POST /api/v1/websocket/broadcast`: `message` or `data` (an object), or both.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PushBody {
    /// The pushed frame's `type`; `message` when absent.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// A text, put in the frame's `data.message`.
    #[serde(default)]
    pub message: Option<String>,
    /// The frame's `data` (an object).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
}

/// The answer to a push: `{"type", "session_id" (for one session), "delivered"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushedBody {
    /// The pushed frame's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The session it was pushed to; absent for a broadcast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Sockets it was queued for.
    pub delivered: usize,
}
