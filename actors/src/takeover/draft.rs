//! A draft: the changes one request makes to a session, not yet applied. Receives a session's
//! state and builds the header it will have, the log entries it will append and the audit
//! records to write; nothing changes until the Session actor has stored the draft and calls
//! [`SessionState::apply`]. The requests themselves ([`crate::takeover::operations`]) are
//! built from the steps here.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::kernel::ids::SessionName;
use crate::takeover::escalation::{self, IllegalTransition, Status, Transition};
use crate::takeover::model::{
    AgentInfo, Assignment, Escalation, EventKind, Interruption, SessionEvent, SessionHeader,
    SessionState, Speaker,
};

/// One JSON audit line: an escalation, claim, manual message or release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// `manual_escalate`, `manual_claim`, `manual_message` or `manual_release`.
    pub event: &'static str,
    /// The session.
    pub session_name: SessionName,
    /// Why, where there is a reason.
    pub reason: Option<String>,
    /// The session's status after the event.
    pub status: Status,
    /// When.
    #[serde(with = "chrono::serde::ts_seconds")]
    pub timestamp: DateTime<Utc>,
    /// The agent involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// The agent's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    /// The regulator rule that fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The log entry this record is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

/// The changes one request makes, not yet applied.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The session.
    pub name: SessionName,
    /// The header after the request.
    pub header: SessionHeader,
    /// Events to append, in order.
    pub events: Vec<SessionEvent>,
    /// Audit records to write.
    pub audit: Vec<AuditRecord>,
    /// The session did not exist before this request.
    pub creates: bool,
    /// The next sequence number.
    pub(crate) next_seq: u64,
    /// The request's time.
    pub(crate) now: DateTime<Utc>,
}

impl Draft {
    /// Whether applying the draft changes nothing that must be stored.
    pub fn is_empty(&self, before: &SessionHeader) -> bool {
        self.events.is_empty() && self.audit.is_empty() && !self.creates && self.header == *before
    }

    pub(crate) fn push(&mut self, kind: EventKind) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.events.push(SessionEvent {
            seq,
            timestamp: self.now,
            kind,
        });
        self.header.updated_at = self.now;
        seq
    }

    pub(crate) fn transition(
        &mut self,
        transition: Transition,
        reason: &str,
    ) -> Result<(), IllegalTransition> {
        let status = escalation::next(self.header.status, transition)?;
        self.header.status = status;
        self.push(EventKind::StatusChange {
            status,
            reason: reason.to_owned(),
        });
        Ok(())
    }

    pub(crate) fn message(
        &mut self,
        role: Speaker,
        content: String,
        agent: Option<AgentInfo>,
    ) -> u64 {
        let manual = role == Speaker::Agent
            || (role == Speaker::User && self.header.status != Status::BotActive);
        self.push(EventKind::Message {
            role,
            content,
            agent,
            manual,
            interrupted: None,
        })
    }

    /// A bot answer; `interrupted` says why it was cut short, if it was.
    pub(crate) fn bot_answer(&mut self, content: String, interrupted: Option<Interruption>) -> u64 {
        self.push(EventKind::Message {
            role: Speaker::Assistant,
            content,
            agent: None,
            manual: false,
            interrupted,
        })
    }

    pub(crate) fn audit(
        &mut self,
        event: &'static str,
        reason: Option<String>,
        agent: Option<&AgentInfo>,
    ) {
        self.audit.push(AuditRecord {
            event,
            session_name: self.name.clone(),
            reason,
            status: self.header.status,
            timestamp: self.now,
            agent_id: agent.map(|a| a.agent_id.clone()),
            agent_name: agent.map(|a| a.agent_name.clone()),
            rule: self.header.escalation.as_ref().and_then(|e| e.rule.clone()),
            seq: self.events.last().map(|e| e.seq),
        });
    }

    pub(crate) fn escalate(
        &mut self,
        reason: String,
        details: Option<String>,
        rule: Option<String>,
    ) -> Result<(), IllegalTransition> {
        self.transition(Transition::Escalate, &reason)?;
        self.header.escalation = Some(Escalation {
            reason: reason.clone(),
            details,
            rule,
            trigger_at: self.now,
        });
        self.header.bot_failures = 0;
        self.audit("manual_escalate", Some(reason), None);
        Ok(())
    }

    pub(crate) fn claim(
        &mut self,
        agent: &AgentInfo,
        reason: &str,
    ) -> Result<(), IllegalTransition> {
        self.transition(Transition::Claim, reason)?;
        self.header.assigned_agent = Some(Assignment {
            agent: agent.clone(),
            assigned_at: self.now,
        });
        self.audit("manual_claim", Some(reason.to_owned()), Some(agent));
        Ok(())
    }
}

impl SessionState {
    /// An empty draft for a request at `now`.
    pub fn draft(&self, now: DateTime<Utc>) -> Draft {
        Draft {
            name: self.name.clone(),
            header: self.header.clone(),
            events: Vec::new(),
            audit: Vec::new(),
            creates: false,
            next_seq: self.last_seq() + 1,
            now,
        }
    }

    /// Makes the draft's changes, once it is stored.
    pub fn apply(&mut self, draft: Draft) {
        self.header = draft.header;
        self.events.extend(draft.events);
    }
}
