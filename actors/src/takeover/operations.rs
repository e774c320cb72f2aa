//! What each request does to a session, pure: escalate, claim, a manual message and release
//! (a user turn is [`chat_turn`](crate::takeover::chat_turn)). Receives a session's state and the request;
//! sends back a [`Draft`] of the change or the [`Refusal`] that names the current status. The
//! Session actor stores the draft before it applies it.

use chrono::{DateTime, Utc};

use crate::takeover::draft::Draft;
use crate::takeover::escalation::{
    self, Author, IllegalMessage, IllegalTransition, Status, Transition,
};
use crate::takeover::model::{AgentInfo, SessionEvent, SessionState, Speaker};
use crate::takeover::regulator::Trigger;

/// A request the session refuses in its current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The state machine does not allow it.
    Transition(IllegalTransition),
    /// That author may not write now.
    Message(IllegalMessage),
    /// Another agent holds the session.
    HeldByOther {
        /// The session's status.
        current: Status,
        /// The agent holding it.
        holder: AgentInfo,
    },
}

impl Refusal {
    /// The status named in the 409 body.
    pub fn current(&self) -> Status {
        match self {
            Refusal::Transition(error) => error.current,
            Refusal::Message(error) => error.current,
            Refusal::HeldByOther { current, .. } => *current,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Transition(error) => error.fmt(f),
            Refusal::Message(error) => error.fmt(f),
            Refusal::HeldByOther { holder, .. } => write!(
                f,
                "the session is manual_live with agent {} ({})",
                holder.agent_id, holder.agent_name
            ),
        }
    }
}

impl From<IllegalTransition> for Refusal {
    fn from(error: IllegalTransition) -> Self {
        Refusal::Transition(error)
    }
}

impl From<IllegalMessage> for Refusal {
    fn from(error: IllegalMessage) -> Self {
        Refusal::Message(error)
    }
}

/// Who writes a manual message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writer {
    /// The customer.
    User,
    /// This agent.
    Agent(AgentInfo),
}

impl SessionState {
    /// Ask for a human: `bot_active → pending_manual`.
    pub fn escalate(
        &self,
        reason: String,
        details: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Draft, Refusal> {
        let mut draft = self.draft(now);
        draft.escalate(reason, details, None)?;
        Ok(draft)
    }

    /// `agent` takes the session: `pending_manual → manual_live`. Claiming a session the same
    /// agent already holds changes nothing; one held by another agent is refused.
    pub fn claim(&self, agent: &AgentInfo, now: DateTime<Utc>) -> Result<Draft, Refusal> {
        let mut draft = self.draft(now);
        if self.header.status == Status::ManualLive {
            self.check_holder(agent)?;
            return Ok(draft);
        }
        draft.claim(agent, "agent_joined")?;
        Ok(draft)
    }

    /// A message written during a handover (`POST /api/manual/messages`). The first agent
    /// message on a `pending_manual` session claims it for that agent; an agent other than the
    /// holder of a `manual_live` session is refused.
    pub fn manual_message(
        &self,
        writer: Writer,
        content: String,
        now: DateTime<Utc>,
    ) -> Result<Draft, Refusal> {
        let mut draft = self.draft(now);
        let (author, role, agent) = match writer {
            Writer::User => (Author::User, Speaker::User, None),
            Writer::Agent(agent) => (Author::Agent, Speaker::Agent, Some(agent)),
        };
        let claims = escalation::manual_message(self.header.status, author)?;
        if let Some(agent) = &agent {
            match claims {
                Some(Transition::Claim) => draft.claim(agent, "agent_joined")?,
                _ => self.check_holder(agent)?,
            }
        }
        draft.message(role, content, agent.clone());
        draft.audit("manual_message", None, agent.as_ref());
        Ok(draft)
    }

    /// Back to the bot: a system notice for the user, then `manual_live → bot_active` for
    /// `reason` (`released`, `agent_disconnected`); the assignment and escalation are cleared.
    /// When `by` names an agent, it must be the holder.
    pub fn release(
        &self,
        by: Option<&AgentInfo>,
        notice: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Draft, Refusal> {
        let mut draft = self.draft(now);
        escalation::next(self.header.status, Transition::Release)?;
        if let Some(agent) = by {
            self.check_holder(agent)?;
        }
        let holder = self.header.assigned_agent.as_ref().map(|a| a.agent.clone());
        draft.message(Speaker::System, notice.to_owned(), None);
        draft.transition(Transition::Release, reason)?;
        draft.audit("manual_release", Some(reason.to_owned()), holder.as_ref());
        draft.header.assigned_agent = None;
        draft.header.escalation = None;
        draft.header.bot_failures = 0;
        draft.header.at_desk = false;
        Ok(draft)
    }

    fn check_holder(&self, agent: &AgentInfo) -> Result<(), Refusal> {
        match &self.header.assigned_agent {
            Some(holder) if holder.agent.agent_id != agent.agent_id => Err(Refusal::HeldByOther {
                current: self.header.status,
                holder: holder.agent.clone(),
            }),
            _ => Ok(()),
        }
    }
}

impl Draft {
    /// Escalates for the regulator's `trigger`.
    pub(crate) fn regulator_escalate(&mut self, trigger: &Trigger) {
        let result = self.escalate(
            "regulator_triggered".into(),
            None,
            Some(trigger.to_string()),
        );
        debug_assert!(
            result.is_ok(),
            "the regulator runs only on bot_active sessions"
        );
    }

    /// The events queued for `/api/chat/stream` since its last turn (those
    /// [`SessionEvent::is_pushed_to_user`] accepts), moving its cursor past this draft's own
    /// events, which the turn returns separately.
    pub fn take_for_stream(&mut self, stored: &SessionState) -> Vec<SessionEvent> {
        let queued: Vec<SessionEvent> = stored
            .events_after(self.header.stream_cursor)
            .iter()
            .filter(|event| event.is_pushed_to_user())
            .cloned()
            .collect();
        self.header.stream_cursor = self.next_seq - 1;
        queued
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::ids::SessionName;
    use crate::takeover::regulator::Regulator;

    const NOTICE: &str = "connecting you";

    fn agent(id: &str) -> AgentInfo {
        AgentInfo {
            agent_id: id.into(),
            agent_name: format!("Agent {id}"),
        }
    }

    fn fresh() -> SessionState {
        SessionState::new(SessionName::parse("s").expect("valid"), Utc::now())
    }

    /// A fresh session the user escalated.
    fn escalated() -> SessionState {
        let mut state = fresh();
        let draft = state
            .escalate("user_request".into(), None, Utc::now())
            .expect("legal");
        state.apply(draft);
        state
    }

    /// A fresh session escalated and claimed by agent `a`'s first line.
    fn held_by_a() -> SessionState {
        let mut state = escalated();
        let draft = state
            .manual_message(Writer::Agent(agent("a")), "hi".into(), Utc::now())
            .expect("claims");
        assert_eq!(draft.audit.len(), 2, "a claim and a message");
        state.apply(draft);
        state
    }

    #[test]
    fn the_holder_alone_writes_and_release_clears_the_assignment() {
        let mut state = held_by_a();
        assert_eq!(state.header.status, Status::ManualLive);
        let refused = state
            .manual_message(Writer::Agent(agent("b")), "me too".into(), Utc::now())
            .expect_err("b does not hold it");
        assert_eq!(refused.current(), Status::ManualLive);
        assert!(state.claim(&agent("b"), Utc::now()).is_err());
        let same = state.claim(&agent("a"), Utc::now()).expect("idempotent");
        assert!(same.is_empty(&state.header));

        assert!(
            state
                .release(Some(&agent("b")), "bye", "released", Utc::now())
                .is_err(),
            "only the holder releases"
        );
        let draft = state
            .release(Some(&agent("a")), "bye", "released", Utc::now())
            .expect("legal");
        state.apply(draft);
        assert_eq!(state.header.status, Status::BotActive);
        assert_eq!(state.header.assigned_agent, None);
        assert_eq!(state.header.escalation, None);
        let seqs: Vec<u64> = state.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    }

    #[test]
    fn a_stream_turn_takes_what_was_queued_once() {
        let mut state = held_by_a();
        let regulator = Regulator::default();
        let (mut draft, _) = state.user_line("ok".into(), &regulator, NOTICE, Utc::now());
        let queued = draft.take_for_stream(&state);
        let kinds: Vec<u64> = queued.iter().map(|e| e.seq).collect();
        assert_eq!(kinds, [1, 2, 3], "escalation, claim and the agent's line");
        state.apply(draft);
        let (mut again, _) = state.user_line("still there?".into(), &regulator, NOTICE, Utc::now());
        assert!(again.take_for_stream(&state).is_empty());
    }
}
