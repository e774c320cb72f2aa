//! The messages the ChatHub receives and the answers it sends: what a chat socket tells it
//! (opened, closed, joined, left, typing, receipts, the bot's progress) and an event for a
//! whole conversation. What the admin side asks of it (connections, disconnect, ping,
//! notifications, broadcasts) is the contract of
//! [`user_directory`](crate::admin::user_directory).

use actix::prelude::*;

use crate::chat::chat_events::{AiStatus, ChatEvent, ReceiptStatus};
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

/// An event for every chat socket in one conversation; answers how many it reached.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct SendToConversation {
    /// The conversation.
    pub session_id: SessionName,
    /// What to tell (a notification, usually).
    pub event: ChatEvent,
}
