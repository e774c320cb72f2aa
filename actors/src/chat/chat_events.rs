//! What chat sockets hear from the ChatHub. Receives nothing: the hub builds these events and
//! pushes them through each socket's handle; the chat dialect encodes them as frames.

use chrono::{DateTime, Utc};

use crate::kernel::ids::SessionName;

/// An event the ChatHub pushes to a chat socket.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    Notification(Notification),
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

/// How urgent a notification is, as seed 003 names the levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationLevel {
    /// For information.
    Info,
    /// Something worked.
    Success,
    /// Something needs attention.
    Warning,
    /// Something failed.
    Error,
    /// Act now.
    Urgent,
}

impl NotificationLevel {
    /// Every level, in the order of the seed.
    pub const ALL: [NotificationLevel; 5] = [
        NotificationLevel::Info,
        NotificationLevel::Success,
        NotificationLevel::Warning,
        NotificationLevel::Error,
        NotificationLevel::Urgent,
    ];

    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationLevel::Info => "info",
            NotificationLevel::Success => "success",
            NotificationLevel::Warning => "warning",
            NotificationLevel::Error => "error",
            NotificationLevel::Urgent => "urgent",
        }
    }

    /// The level named `name`, if any.
    pub fn parse(name: &str) -> Option<NotificationLevel> {
        Self::ALL.into_iter().find(|level| level.as_str() == name)
    }
}

/// A notification, in seed 003's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its id (`notify_…`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub message: String,
    /// How urgent it is.
    pub level: NotificationLevel,
    /// Where the client may lead the reader, if anywhere.
    pub action_url: Option<String>,
    /// Whether the client may close it by itself.
    pub auto_close: bool,
    /// When it was made.
    pub timestamp: DateTime<Utc>,
}
