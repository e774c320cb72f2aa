//! The messages the ChatHub receives and the answers it sends: what a chat socket tells it
//! (opened, closed, joined, left, typing, receipts, the bot's progress), what the management
//! side may ask (who is online, a user's connections, a notification to a user, a
//! conversation or everyone, a user's disconnect), and [`UserStatusChanged`], the presence
//! change it sends to whoever the wiring named.

use actix::prelude::*;
use chrono::{DateTime, Utc};

use crate::chat::chat_events::{AiStatus, ChatEvent, Notification, ReceiptStatus};
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{ConnId, SessionName};
use crate::store::StoreError;

/// The user already has its limit of chat connections open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserConnectionLimit {
    /// The limit per user.
    pub limit: usize,
}

/// A chat socket opened for `user_id`; refused when the user has its limit open.
#[derive(Message)]
#[rtype(result = "Result<(), UserConnectionLimit>")]
pub struct ChatConnected {
    /// Who the token (or the query, in open mode) says the user is.
    pub user_id: String,
    /// The user's role, as the socket knows it (`customer`, `agent`, `admin`).
    pub role: &'static str,
    /// The conversation the socket is bound to, for `/ws/chat/session/{session_id}`.
    pub bound: Option<SessionName>,
    /// How to reach the socket.
    pub handle: ConnHandle<ChatEvent>,
}

/// A chat socket closed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ChatDisconnected {
    /// Which one.
    pub conn_id: ConnId,
}

/// A socket joined a conversation; answers the users already in it (the joiner included).
#[derive(Message)]
#[rtype(result = "Vec<String>")]
pub struct JoinConversation {
    /// The socket.
    pub conn_id: ConnId,
    /// The conversation.
    pub session_id: SessionName,
}

/// A socket left a conversation.
#[derive(Message)]
#[rtype(result = "()")]
pub struct LeaveConversation {
    /// The socket.
    pub conn_id: ConnId,
    /// The conversation.
    pub session_id: SessionName,
}

/// A member is typing (or stopped): told to the conversation's other sockets.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RelayTyping {
    /// The typing socket.
    pub conn_id: ConnId,
    /// The conversation.
    pub session_id: SessionName,
    /// Typing or stopped.
    pub is_typing: bool,
}

/// A member received or read a conversation up to `seq`: a read mark is stored, and both are
/// told to the conversation's other sockets.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RelayReceipt {
    /// The reading socket.
    pub conn_id: ConnId,
    /// The conversation.
    pub session_id: SessionName,
    /// Delivered or read.
    pub status: ReceiptStatus,
    /// Up to which line.
    pub seq: u64,
}

/// The stored read marks of a conversation: user id and last-read sequence number.
#[derive(Message)]
#[rtype(result = "Result<Vec<(String, u64)>, StoreError>")]
pub struct ReadMarks {
    /// The conversation.
    pub session_id: SessionName,
}

/// The bot's progress in a conversation, told to all its sockets.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AnnounceAiStatus {
    /// The conversation.
    pub session_id: SessionName,
    /// How far the bot is.
    pub status: AiStatus,
}

/// The users with at least one chat socket open.
#[derive(Message)]
#[rtype(result = "Vec<OnlineUser>")]
pub struct OnlineUsers;

/// A user who is online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineUser {
    /// Who.
    pub user_id: String,
    /// How many chat sockets the user has open.
    pub connections: usize,
}

/// The chat sockets of one user.
#[derive(Message)]
#[rtype(result = "Vec<ConnectionInfo>")]
pub struct UserConnections {
    /// Whose.
    pub user_id: String,
}

/// One chat socket, in the spirit of seed 003's `ConnectionInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// The socket's id.
    pub connection_id: ConnId,
    /// Its user.
    pub user_id: String,
    /// The user's role.
    pub role: &'static str,
    /// The conversation it is bound to, for a bound socket.
    pub session_id: Option<SessionName>,
    /// The conversations it has joined.
    pub sessions: Vec<SessionName>,
    /// When it opened.
    pub connected_at: DateTime<Utc>,
    /// Whether it still runs.
    pub is_alive: bool,
}

/// A notification for every chat socket of one user; answers how many sockets it reached.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct SendToUser {
    /// Whose sockets.
    pub user_id: String,
    /// What to tell.
    pub notification: Notification,
}

/// An event for every chat socket in one conversation; answers how many it reached.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct SendToConversation {
    /// The conversation.
    pub session_id: SessionName,
    /// What to tell (a notification, usually).
    pub event: ChatEvent,
}

/// A notification for every chat socket; answers how many it reached.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct Broadcast {
    /// What to tell.
    pub notification: Notification,
}

/// Close every chat socket of a user; answers how many were closed.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct DisconnectUser {
    /// Whose sockets.
    pub user_id: String,
    /// The close frame's reason.
    pub reason: String,
}

/// A user came online (its first chat socket opened) or went offline (its last closed).
#[derive(Message, Debug, Clone, PartialEq, Eq)]
#[rtype(result = "()")]
pub struct UserStatusChanged {
    /// Who.
    pub user_id: String,
    /// Online now, or offline.
    pub online: bool,
    /// How many chat sockets the user has open now.
    pub connections: usize,
    /// When.
    pub at: DateTime<Utc>,
}
