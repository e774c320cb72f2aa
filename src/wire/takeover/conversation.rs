//! Seed 001's JSON of a conversation, as the seed writes it (unix-second timestamps): the
//! session state with one page of its history, a list row, a history entry, and an event as
//! pushed to SSE clients, the chat stream and agent desks. Receives the takeover room's values and sends typed shapes; used by
//! the REST handlers, the SSE streams and the desk dialect alike.

use serde::Serialize;
use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::escalation::Status;
use switchboard_actors::takeover::history::SessionPage;
use switchboard_actors::takeover::model::{
    Assignment, Escalation, EventKind, Interruption, SessionEvent, SessionHeader, Speaker,
};
use utoipa::ToSchema;

/// The session state with one page of its history: `{"success": true, "session_name",
/// "status", "created_at", "updated_at", "escalation", "assigned_agent", "last_seq",
/// "history", "total", "next_before_seq"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody<'a> {
    /// Always `true`.
    pub success: bool,
    /// The session without its history.
    #[serde(flatten)]
    pub summary: SummaryBody<'a>,
    /// The page's messages, oldest first (status changes are not messages).
    pub history: Vec<HistoryEntry<'a>>,
    /// How many messages the whole history holds.
    pub total: usize,
    /// `before_seq` for the page before this one, or `null` when nothing is older.
    pub next_before_seq: Option<u64>,
}

impl<'a> SessionBody<'a> {
    /// The body of `page`.
    pub fn of(page: &'a SessionPage) -> Self {
        SessionBody {
            success: true,
            summary: SummaryBody::of(&page.name, &page.header, page.last_seq),
            history: page.messages.iter().filter_map(HistoryEntry::of).collect(),
            total: page.total,
            next_before_seq: page.next_before_seq,
        }
    }
}

/// A session without its history, as a row of `GET /api/sessions`: `{"session_name",
/// "status", "created_at", "updated_at", "escalation", "assigned_agent", "last_seq"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryBody<'a> {
    /// The session.
    pub session_name: &'a SessionName,
    /// `bot_active`, `pending_manual` or `manual_live`.
    pub status: Status,
    /// When it was created.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
    /// Why it was escalated, while it is; `null` otherwise.
    pub escalation: Option<EscalationBody<'a>>,
    /// The agent holding it, while one does; `null` otherwise.
    pub assigned_agent: Option<AssignmentBody<'a>>,
    /// Its last sequence number.
    pub last_seq: u64,
}

impl<'a> SummaryBody<'a> {
    /// The row of a session.
    pub fn of(name: &'a SessionName, header: &'a SessionHeader, last_seq: u64) -> Self {
        SummaryBody {
            session_name: name,
            status: header.status,
            created_at: header.created_at.timestamp(),
            updated_at: header.updated_at.timestamp(),
            escalation: header.escalation.as_ref().map(EscalationBody::of),
            assigned_agent: header.assigned_agent.as_ref().map(AssignmentBody::of),
            last_seq,
        }
    }
}

/// Why a session was escalated: `{"reason", "details", "rule", "trigger_at"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationBody<'a> {
    /// `user_request`, `regulator_triggered`, or the caller's own reason.
    pub reason: &'a str,
    /// Free text from the caller, or `null`.
    pub details: Option<&'a str>,
    /// The regulator rule that fired (`keyword:人工`, `bot_failures:3`), or `null`.
    pub rule: Option<&'a str>,
    /// When it was escalated.
    pub trigger_at: i64,
}

impl<'a> EscalationBody<'a> {
    /// The body of an escalation.
    fn of(escalation: &'a Escalation) -> Self {
        EscalationBody {
            reason: &escalation.reason,
            details: escalation.details.as_deref(),
            rule: escalation.rule.as_deref(),
            trigger_at: escalation.trigger_at.timestamp(),
        }
    }
}

/// The agent holding a session: `{"agent_id", "agent_name", "assigned_at"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentBody<'a> {
    /// The agent's id.
    pub agent_id: &'a str,
    /// The agent's display name.
    pub agent_name: &'a str,
    /// Since when.
    pub assigned_at: i64,
}

impl<'a> AssignmentBody<'a> {
    /// The body of an assignment.
    fn of(assignment: &'a Assignment) -> Self {
        AssignmentBody {
            agent_id: &assignment.agent.agent_id,
            agent_name: &assignment.agent.agent_name,
            assigned_at: assignment.assigned_at.timestamp(),
        }
    }
}

/// One message of the history: `{"seq", "role", "content", "timestamp"}`, plus `agent_id` and
/// `agent_name` for an agent's message.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry<'a> {
    /// Its position in the session's log.
    pub seq: u64,
    /// `user`, `assistant`, `agent` or `system`.
    pub role: Speaker,
    /// The text.
    pub content: &'a str,
    /// When the hub accepted it.
    pub timestamp: i64,
    /// The agent, for an agent's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<&'a str>,
    /// The agent's name, for an agent's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<&'a str>,
    /// For a bot answer cut short: `cancelled` or `failed` (the content is what was sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<Interruption>,
}

impl<'a> HistoryEntry<'a> {
    /// The entry of a log event; `None` for entries that are not messages.
    pub fn of(event: &'a SessionEvent) -> Option<Self> {
        let EventKind::Message {
            role,
            content,
            agent,
            interrupted,
            ..
        } = &event.kind
        else {
            return None;
        };
        Some(HistoryEntry {
            seq: event.seq,
            role: *role,
            content,
            timestamp: event.timestamp.timestamp(),
            agent_id: agent.as_ref().map(|a| a.agent_id.as_str()),
            agent_name: agent.as_ref().map(|a| a.agent_name.as_str()),
            interrupted: *interrupted,
        })
    }
}

/// A log entry as pushed to SSE clients, the chat stream and desks, by `type`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PushedEvent<'a> {
    /// `{"type": "status_change", "status", "reason", "timestamp", "seq"}`.
    StatusChange {
        /// The new status.
        status: Status,
        /// Why (`user_request`, `agent_joined`, `released`, ...).
        reason: &'a str,
        /// When.
        timestamp: i64,
        /// Its position in the log.
        seq: u64,
    },
    /// `{"type": "system", "role": "system", "content", "timestamp", "seq"}`: the hub's
    /// notices.
    System {
        /// Always `system`.
        role: Speaker,
        /// The notice.
        content: &'a str,
        /// When.
        timestamp: i64,
        /// Its position in the log.
        seq: u64,
    },
    /// `{"type": "manual_message", "role", "content", "timestamp", "agent_id", "agent_name",
    /// "seq"}`: written while a human was asked for or held the session (`agent_id` and
    /// `agent_name` are `null` for the user).
    ManualMessage {
        /// `agent` or `user`.
        role: Speaker,
        /// The text.
        content: &'a str,
        /// When.
        timestamp: i64,
        /// The agent, or `null`.
        agent_id: Option<&'a str>,
        /// The agent's name, or `null`.
        agent_name: Option<&'a str>,
        /// Its position in the log.
        seq: u64,
    },
    /// `{"type": "message", "role", "content", "timestamp", "seq", "interrupted"?}`: a user
    /// line or a bot answer while the bot holds the session.
    Message {
        /// `user` or `assistant`.
        role: Speaker,
        /// The text.
        content: &'a str,
        /// When.
        timestamp: i64,
        /// Its position in the log.
        seq: u64,
        /// For a bot answer cut short: `cancelled` or `failed`.
        #[serde(skip_serializing_if = "Option::is_none")]
        interrupted: Option<Interruption>,
    },
}

impl<'a> PushedEvent<'a> {
    /// The pushed form of a log entry.
    pub fn of(event: &'a SessionEvent) -> Self {
        let (timestamp, seq) = (event.timestamp.timestamp(), event.seq);
        match &event.kind {
            EventKind::StatusChange { status, reason } => PushedEvent::StatusChange {
                status: *status,
                reason,
                timestamp,
                seq,
            },
            EventKind::Message {
                role: Speaker::System,
                content,
                ..
            } => PushedEvent::System {
                role: Speaker::System,
                content,
                timestamp,
                seq,
            },
            EventKind::Message {
                role,
                content,
                agent,
                manual: true,
                ..
            } => PushedEvent::ManualMessage {
                role: *role,
                content,
                timestamp,
                agent_id: agent.as_ref().map(|a| a.agent_id.as_str()),
                agent_name: agent.as_ref().map(|a| a.agent_name.as_str()),
                seq,
            },
            EventKind::Message {
                role,
                content,
                interrupted,
                ..
            } => PushedEvent::Message {
                role: *role,
                content,
                timestamp,
                seq,
                interrupted: *interrupted,
            },
        }
    }
}
