//! What chat sockets hear from the ChatHub. Receives nothing: the hub builds these events and
//! pushes them through each socket's handle; the chat dialect encodes them as frames.

use std::sync::Arc;

use serde_json::Value;

use crate::admin::notification::Notification;
use crate::kernel::ids::SessionName;

/// An event the ChatHub pushes to a chat socket.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    /// Another member of a conversation is typing, or stopped.
    Typing {
        /// The conversation.
        session_id: SessionName,
        /// Who.
        user_id: String,
        /// Typing (true) or stopped (false).
        is_typing: bool,
    },
    /// A member received or read the conversation up to a sequence number.
    Receipt {
        /// The conversation.
        session_id: SessionName,
        /// The reader.
        user_id: String,
        /// Delivered or read.
        status: ReceiptStatus,
        /// Up to which line.
        seq: u64,
    },
    /// How far the bot is with its answer in a conversation.
    AiStatus {
        /// The conversation.
        session_id: SessionName,
        /// Thinking, streaming, done or failed.
        status: AiStatus,
    },
    /// A notification for the person behind the socket.
    Notification(Arc<Notification>),
    /// A message an admin broadcast: its `type` and `data`.
    Broadcast {
        /// The message's `type`.
        kind: String,
        /// Its `data`.
        data: Arc<Value>,
    },
    /// An admin pinged the user by name; the client may answer `pong`.
    Ping,
    /// The first line of a conversation was stored: sockets that joined it before it existed
    /// follow it from now on (the client is not sent this).
    ConversationStarted {
        /// The conversation.
        session_id: SessionName,
    },
    /// A member of a shared conversation came or went.
    UserStatus {
        /// The conversation both share.
        session_id: SessionName,
        /// Who.
        user_id: String,
        /// Whether the user is now in the conversation.
        online: bool,
    },
}

/// What a receipt says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptStatus {
    /// The lines reached the reader's socket.
    Delivered,
    /// The reader read them.
    Read,
}

impl ReceiptStatus {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptStatus::Delivered => "delivered",
            ReceiptStatus::Read => "read",
        }
    }
}

/// The bot's progress with one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiStatus {
    /// The line was committed and the bot is preparing its answer.
    Thinking,
    /// The first piece of the answer came.
    Streaming,
    /// The answer is stored.
    Done,
    /// The bot's backend failed; what it said is stored, marked failed.
    Failed,
}

impl AiStatus {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            AiStatus::Thinking => "thinking",
            AiStatus::Streaming => "streaming",
            AiStatus::Done => "done",
            AiStatus::Failed => "failed",
        }
    }
}
