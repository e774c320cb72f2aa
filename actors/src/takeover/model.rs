//! A seed-001 conversation as data: its header, its numbered log, who wrote each line, and the
//! agent holding it. Receives and sends nothing: the Session actor owns one [`SessionState`];
//! drafts ([`crate::takeover::draft`]) describe changes to it, and the wire turns it into the
//! seed's JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::ids::SessionName;
use crate::takeover::escalation::Status;

/// A human agent, as the seed names one (`agent_info`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    /// Stable id, e.g. `agent_01`.
    pub agent_id: String,
    /// Display name shown to the user.
    pub agent_name: String,
}

/// Why a session was escalated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    /// `user_request`, `regulator_triggered`, or the caller's own reason.
    pub reason: String,
    /// Free text from the caller.
    pub details: Option<String>,
    /// The regulator rule that fired (`keyword:人工`, `bot_failures:3`), if it was the regulator.
    pub rule: Option<String>,
    /// When it was escalated.
    pub trigger_at: DateTime<Utc>,
}

/// The agent holding a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Who.
    #[serde(flatten)]
    pub agent: AgentInfo,
    /// Since when.
    pub assigned_at: DateTime<Utc>,
}

/// Who wrote a message in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The customer.
    User,
    /// The bot.
    Assistant,
    /// A human agent.
    Agent,
    /// The hub itself (handover notices).
    System,
}

/// Why a bot answer ended before the bot finished it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interruption {
    /// Cancelled: by the user, by a handover, by the hub stopping, or the client left.
    Cancelled,
    /// The bot's backend failed.
    Failed,
}

/// One entry of a session's log, numbered from 1 without gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEvent {
    /// Position in the session's log.
    pub seq: u64,
    /// When the hub accepted it.
    pub timestamp: DateTime<Utc>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What a log entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A message in the conversation.
    Message {
        /// Who wrote it.
        role: Speaker,
        /// The text.
        content: String,
        /// The agent, for agent messages.
        agent: Option<AgentInfo>,
        /// Written while a human was asked for or held the session (pushed as
        /// `manual_message`).
        manual: bool,
        /// For a bot answer cut short: why. The content is what was sent before.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interrupted: Option<Interruption>,
    },
    /// The session's status changed.
    StatusChange {
        /// The new status.
        status: Status,
        /// Why (`user_request`, `agent_joined`, `released`, ...).
        reason: String,
    },
}

impl SessionEvent {
    /// Whether `/api/chat/stream` injects this event ahead of the bot's answer, as the seed's
    /// queue does: status changes, system notices, and the manual messages of both roles (a
    /// user line written elsewhere, e.g. through `/api/manual/messages` from another tab;
    /// clients drop the ones they already show). Bot-mode lines are not injected.
    pub fn is_pushed_to_user(&self) -> bool {
        match &self.kind {
            EventKind::StatusChange { .. } => true,
            EventKind::Message { role, manual, .. } => match role {
                Speaker::Agent | Speaker::System => true,
                Speaker::User => *manual,
                Speaker::Assistant => false,
            },
        }
    }

    /// Whether this is a line the user wrote.
    pub fn is_user_message(&self) -> bool {
        matches!(
            self.kind,
            EventKind::Message {
                role: Speaker::User,
                ..
            }
        )
    }
}

/// A session's state apart from its log; stored as one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionHeader {
    /// Who answers the user.
    pub status: Status,
    /// When the session was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The current escalation, while not `bot_active`.
    pub escalation: Option<Escalation>,
    /// The agent holding the session, while `manual_live`.
    pub assigned_agent: Option<Assignment>,
    /// Bot answers in a row that the bot did not understand.
    pub bot_failures: u32,
    /// The last log entry already given to `/api/chat/stream`.
    pub stream_cursor: u64,
    /// The holding agent took or wrote to the session from a desk socket, so the session
    /// follows that desk (and goes back to the bot if the desk goes for good).
    #[serde(default)]
    pub at_desk: bool,
    /// The customer who started the session (its token's user id), when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A session: its header and its whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    /// The session's name.
    pub name: SessionName,
    /// Status, escalation, agent and counters.
    pub header: SessionHeader,
    /// Every event, `seq` 1, 2, 3, ...
    pub events: Vec<SessionEvent>,
}

impl SessionState {
    /// A new session, answered by the bot.
    pub fn new(name: SessionName, now: DateTime<Utc>) -> Self {
        SessionState {
            name,
            header: SessionHeader {
                status: Status::BotActive,
                created_at: now,
                updated_at: now,
                escalation: None,
                assigned_agent: None,
                bot_failures: 0,
                stream_cursor: 0,
                at_desk: false,
                owner: None,
            },
            events: Vec::new(),
        }
    }

    /// The last sequence number used (0 for an empty log).
    pub fn last_seq(&self) -> u64 {
        self.events.last().map_or(0, |event| event.seq)
    }

    /// The events after `seq`.
    pub fn events_after(&self, seq: u64) -> &[SessionEvent] {
        let start = self.events.partition_point(|event| event.seq <= seq);
        &self.events[start..]
    }
}
