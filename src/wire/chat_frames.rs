//! Seed 003's chat frames on `/ws/chat` and `/ws/chat/session/{session_id}` (ISO-8601
//! timestamps, as seed 003 writes them). Receives nothing and sends nothing: the typed frames
//! the chat dialect decodes and encodes; the README's "Chat sockets (seed 003)" section shows
//! each one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_actors::admin::notification::Notification;
use switchboard_actors::chat::chat_events::ChatEvent;
use switchboard_actors::takeover::model::{
    AgentInfo, EventKind, Interruption, SessionEvent, Speaker,
};

use crate::wire::interview_frames::iso_time;
use crate::wire::monitor_frames::BroadcastFrame;
use crate::wire::text;

/// A frame a chat client sends (unknown fields are ignored).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatInbound {
    /// `{"type": "ping"}`: answered with `pong`.
    Ping,
    /// `{"type": "pong"}`: the answer to the hub's `ping`.
    Pong,
    /// `{"type": "join_session", "session_id", "since"?}`: follow a conversation; with
    /// `since`, every line after that sequence number is replayed first.
    JoinSession {
        /// The conversation.
        session_id: String,
        /// The last sequence number the client has.
        since: Option<u64>,
    },
    /// `{"type": "leave_session", "session_id"}`: stop following a conversation.
    LeaveSession {
        /// The conversation.
        session_id: String,
    },
    /// `{"type": "switch_session", "session_id", "since"?}`: leave every other conversation
    /// and join this one.
    SwitchSession {
        /// The conversation.
        session_id: String,
        /// The last sequence number the client has.
        since: Option<u64>,
    },
    /// `{"type": "new_message", "session_id", "content", "client_message_id"?}`: a line from
    /// the user; the bot answers it as it answers `/api/chat`.
    NewMessage {
        /// The conversation.
        session_id: String,
        /// The text.
        content: String,
        /// The client's own id of the line, echoed in the acknowledgement.
        client_message_id: Option<String>,
    },
    /// `{"type": "typing", "session_id", "is_typing"?}`: told to the other members.
    Typing {
        /// The conversation.
        session_id: String,
        /// Typing (the default) or stopped.
        #[serde(default = "typing_default")]
        is_typing: bool,
    },
    /// `{"type": "message_status_update", "session_id", "status", "seq"}`: the client
    /// received (`delivered`) or read (`read`, stored) the conversation up to `seq`.
    MessageStatusUpdate {
        /// The conversation.
        session_id: String,
        /// `delivered` or `read`.
        status: String,
        /// Up to which line.
        seq: u64,
    },
}

/// `typing` means typing unless it says otherwise.
fn typing_default() -> bool {
    true
}

impl ChatInbound {
    /// Every accepted `type`.
    pub const TYPES: &'static [&'static str] = &[
        "ping",
        "pong",
        "join_session",
        "leave_session",
        "switch_session",
        "new_message",
        "typing",
        "message_status_update",
    ];
}

/// One line of a conversation as chat frames carry it.
#[derive(Debug, Serialize)]
pub struct ChatMessage<'a> {
    /// Its sequence number in the conversation.
    pub seq: u64,
    /// `user`, `assistant`, `agent` or `system`.
    pub role: &'a str,
    /// The text.
    pub content: &'a str,
    /// The agent, for an agent's line.
    pub agent: Option<&'a AgentInfo>,
    /// Written while a human was asked for or held the conversation.
    pub manual: bool,
    /// For a bot answer cut short: `cancelled` or `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<&'static str>,
    /// When the hub accepted it.
    pub timestamp: DateTime<Utc>,
}

/// A frame the hub sends on a chat socket.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatOutbound<'a> {
    /// The socket is open.
    ConnectionEstablished {
        /// The socket's id.
        connection_id: String,
        /// Who the hub takes the user to be.
        user_id: &'a str,
        /// `customer`, `agent` or `admin`.
        role: &'a str,
        /// The conversation a bound socket follows.
        session_id: Option<&'a str>,
        /// When.
        connected_at: DateTime<Utc>,
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// Answers `ping`.
    Pong {
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// The socket follows a conversation now.
    SessionJoined {
        /// The conversation.
        session_id: &'a str,
        /// Its last sequence number when the socket joined.
        last_seq: u64,
        /// The `new_message` and `session_status_update` frames after `since`, or the
        /// newest ones without it, oldest first.
        history: Vec<ChatOutbound<'a>>,
        /// The users with a socket in it.
        members: &'a [String],
        /// How far each user has read it, by user id.
        read_marks: serde_json::Map<String, serde_json::Value>,
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// The socket no longer follows a conversation.
    SessionLeft {
        /// The conversation.
        session_id: &'a str,
        /// Why (`left`, `switched`, `unavailable`).
        reason: &'a str,
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// A committed line of a conversation.
    NewMessage {
        /// The conversation.
        session_id: &'a str,
        /// The line.
        message: ChatMessage<'a>,
    },
    /// The conversation's status changed (a handover), with its sequence number.
    SessionStatusUpdate {
        /// The conversation.
        session_id: &'a str,
        /// Its sequence number in the conversation.
        seq: u64,
        /// The new status.
        status: &'a str,
        /// Why.
        reason: &'a str,
        /// When.
        timestamp: DateTime<Utc>,
    },
    /// A member is typing or stopped.
    Typing {
        /// The conversation.
        session_id: &'a str,
        /// Who.
        user_id: &'a str,
        /// Typing or stopped.
        is_typing: bool,
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// A line was stored (`sent`, to its sender), or a member received or read the
    /// conversation up to `seq` (`delivered`, `read`).
    MessageStatusUpdate {
        /// The conversation.
        session_id: &'a str,
        /// Whose status: the sender or the reader.
        user_id: &'a str,
        /// `sent`, `delivered` or `read`.
        status: &'a str,
        /// The line (`sent`), or up to which line.
        seq: u64,
        /// The client's own id of a `sent` line.
        #[serde(skip_serializing_if = "Option::is_none")]
        client_message_id: Option<&'a str>,
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// How far the bot is with its answer.
    AiProcessingStatus {
        /// The conversation.
        session_id: &'a str,
        /// `thinking`, `streaming`, `done` or `failed`.
        status: &'a str,
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// A notification, in seed 003's shape (the same as the admin monitor's).
    Notification {
        /// The notification.
        notification: &'a Notification,
    },
    /// An admin pinged the user by name; the client may answer `pong`.
    Ping {
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// A member of a shared conversation came or went.
    UserStatusUpdate {
        /// The conversation.
        session_id: &'a str,
        /// Who.
        user_id: &'a str,
        /// `online` or `offline`.
        status: &'a str,
        /// Now.
        timestamp: DateTime<Utc>,
    },
    /// Bad input or a refused request; the socket stays open.
    Error {
        /// Machine-readable code.
        error: &'a str,
        /// What was wrong.
        detail: &'a str,
        /// Now.
        timestamp: DateTime<Utc>,
    },
}

/// The name of a speaker on the wire.
fn speaker(role: Speaker) -> &'static str {
    match role {
        Speaker::User => "user",
        Speaker::Assistant => "assistant",
        Speaker::Agent => "agent",
        Speaker::System => "system",
    }
}

/// The frame of a committed event of conversation `session_id`: `new_message` for a line,
/// `session_status_update` for a status change.
pub fn event_frame<'a>(session_id: &'a str, event: &'a SessionEvent) -> ChatOutbound<'a> {
    match &event.kind {
        EventKind::StatusChange { status, reason } => ChatOutbound::SessionStatusUpdate {
            session_id,
            seq: event.seq,
            status: status.as_str(),
            reason,
            timestamp: event.timestamp,
        },
        EventKind::Message {
            role,
            content,
            agent,
            manual,
            interrupted,
        } => ChatOutbound::NewMessage {
            session_id,
            message: ChatMessage {
                seq: event.seq,
                role: speaker(*role),
                content,
                agent: agent.as_ref(),
                manual: *manual,
                interrupted: interrupted.map(|why| match why {
                    Interruption::Cancelled => "cancelled",
                    Interruption::Failed => "failed",
                }),
                timestamp: event.timestamp,
            },
        },
    }
}

/// The frame text of an event the ChatHub pushed; `None` for the one the client is not sent.
pub fn hub_event_text(event: &ChatEvent) -> Option<String> {
    let timestamp = Utc::now();
    let frame = match event {
        ChatEvent::Typing {
            session_id,
            user_id,
            is_typing,
        } => ChatOutbound::Typing {
            session_id: session_id.as_str(),
            user_id,
            is_typing: *is_typing,
            timestamp,
        },
        ChatEvent::Receipt {
            session_id,
            user_id,
            status,
            seq,
        } => ChatOutbound::MessageStatusUpdate {
            session_id: session_id.as_str(),
            user_id,
            status: status.as_str(),
            seq: *seq,
            client_message_id: None,
            timestamp,
        },
        ChatEvent::AiStatus { session_id, status } => ChatOutbound::AiProcessingStatus {
            session_id: session_id.as_str(),
            status: status.as_str(),
            timestamp,
        },
        ChatEvent::Notification(notification) => ChatOutbound::Notification { notification },
        ChatEvent::Ping => ChatOutbound::Ping { timestamp },
        ChatEvent::Broadcast { kind, data } => {
            return Some(text::encode(&BroadcastFrame {
                kind,
                data,
                timestamp: iso_time(timestamp),
            }));
        }
        ChatEvent::UserStatus {
            session_id,
            user_id,
            online,
        } => ChatOutbound::UserStatusUpdate {
            session_id: session_id.as_str(),
            user_id,
            status: if *online { "online" } else { "offline" },
            timestamp,
        },
        ChatEvent::ConversationStarted { .. } => return None,
    };
    Some(text::encode(&frame))
}
