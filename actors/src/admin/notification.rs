//! A notification as seed 003 shapes it (pure values): its kind, title, message, link and
//! whether it closes by itself, and whom it is for. Receives the fields of a request; sends
//! nothing: the feed delivers it and the notifier posts it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// How serious a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    /// For information.
    Info,
    /// Something went well.
    Success,
    /// Something may need attention.
    Warning,
    /// Something failed.
    Error,
    /// Needs attention now.
    Urgent,
}

impl NotificationKind {
    /// Every kind, in the order the seed lists them.
    pub const ALL: [NotificationKind; 5] = [
        NotificationKind::Info,
        NotificationKind::Success,
        NotificationKind::Warning,
        NotificationKind::Error,
        NotificationKind::Urgent,
    ];

    /// The kind's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Info => "info",
            NotificationKind::Success => "success",
            NotificationKind::Warning => "warning",
            NotificationKind::Error => "error",
            NotificationKind::Urgent => "urgent",
        }
    }

    /// The kind named `name`, if any.
    pub fn parse(name: &str) -> Option<NotificationKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// One notification, serialised as the `notification` of seed 003's frame.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Notification {
    /// `notify_` and a unique suffix.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub message: String,
    /// How serious it is.
    #[serde(rename = "type")]
    pub kind: NotificationKind,
    /// Where the reader may go to act on it.
    pub action_url: Option<String>,
    /// Whether a client closes it by itself.
    pub auto_close: bool,
    /// When it was made.
    pub timestamp: DateTime<Utc>,
}

/// Whom a notification is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
pub enum Audience {
    /// Everyone connected.
    Everyone,
    /// One user's connections.
    User(String),
    /// The connections in one conversation.
    Conversation(String),
}
