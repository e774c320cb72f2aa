//! A session's state and the pure operations on it. Receives requests (escalate, a manual
//! message, claim, release, a user turn) and sends back a [`Draft`]: the header the session
//! will have, the events it will append and the audit records to write. Nothing changes until
//! the Session actor has stored the draft and calls [`SessionState::apply`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::bot::BotReply;
use crate::escalation::{self, Author, IllegalMessage, IllegalTransition, Status, Transition};
use crate::ids::SessionName;
use crate::regulator::{Regulator, Trigger};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// The notices the hub writes into a conversation.
#[derive(Debug, Clone)]
pub struct Notices {
    /// Told to the user when the regulator escalates.
    pub escalated: String,
    /// Told to the user when the agent releases the session.
    pub released: String,
    /// Told to the user when the agent's desk went away and did not come back in time.
    pub agent_lost: String,
}

/// What a user turn did.
#[derive(Debug, Clone, Default)]
pub struct TurnResult {
    /// The bot's answer; none while a human is asked for or holds the session.
    pub reply: Option<BotReply>,
    /// The regulator rule that escalated during this turn.
    pub trigger: Option<Trigger>,
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
    next_seq: u64,
    /// The request's time.
    now: DateTime<Utc>,
}

impl Draft {
    /// Whether applying the draft changes nothing that must be stored.
    pub fn is_empty(&self, before: &SessionHeader) -> bool {
        self.events.is_empty() && self.audit.is_empty() && !self.creates && self.header == *before
    }

    fn push(&mut self, kind: EventKind) -> u64 {
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

    fn transition(
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

    fn message(&mut self, role: Speaker, content: String, agent: Option<AgentInfo>) -> u64 {
        let manual = role == Speaker::Agent
            || (role == Speaker::User && self.header.status != Status::BotActive);
        self.push(EventKind::Message {
            role,
            content,
            agent,
            manual,
        })
    }

    fn audit(&mut self, event: &'static str, reason: Option<String>, agent: Option<&AgentInfo>) {
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

    fn escalate(
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

    fn claim(&mut self, agent: &AgentInfo, reason: &str) -> Result<(), IllegalTransition> {
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

    /// A user message through `/api/chat`. While the bot answers, the regulator looks at the
    /// message first (a keyword escalates instead of answering), then `bot` answers and the
    /// failure rule is checked. Otherwise the message is kept for the agent and audited as a
    /// manual message.
    pub fn user_turn(
        &self,
        text: String,
        regulator: &Regulator,
        notices: &Notices,
        bot: impl FnOnce(&str) -> BotReply,
        now: DateTime<Utc>,
    ) -> (Draft, TurnResult) {
        let mut draft = self.draft(now);
        let mut result = TurnResult::default();
        if self.header.status != Status::BotActive {
            draft.message(Speaker::User, text, None);
            draft.audit("manual_message", None, None);
            return (draft, result);
        }
        if let Some(trigger) = regulator.on_user_message(&text) {
            draft.message(Speaker::User, text, None);
            draft.message(Speaker::System, notices.escalated.clone(), None);
            draft.regulator_escalate(&trigger);
            result.trigger = Some(trigger);
            return (draft, result);
        }
        let reply = bot(&text);
        draft.message(Speaker::User, text, None);
        draft.message(Speaker::Assistant, reply.text.clone(), None);
        if reply.understood {
            draft.header.bot_failures = 0;
        } else {
            draft.header.bot_failures += 1;
            if let Some(trigger) = regulator.on_bot_failures(draft.header.bot_failures) {
                draft.message(Speaker::System, notices.escalated.clone(), None);
                draft.regulator_escalate(&trigger);
                result.trigger = Some(trigger);
            }
        }
        result.reply = Some(reply);
        (draft, result)
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
    fn regulator_escalate(&mut self, trigger: &Trigger) {
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
    use crate::bot::builtin;

    fn notices() -> Notices {
        Notices {
            escalated: "connecting you".into(),
            released: "the bot is back".into(),
            agent_lost: "the agent is gone".into(),
        }
    }

    fn agent(id: &str) -> AgentInfo {
        AgentInfo {
            agent_id: id.into(),
            agent_name: format!("Agent {id}"),
        }
    }

    fn fresh() -> SessionState {
        SessionState::new(SessionName::parse("s").expect("valid"), Utc::now())
    }

    fn turn(state: &mut SessionState, text: &str) -> TurnResult {
        let (draft, result) = state.user_turn(
            text.into(),
            &Regulator::default(),
            &notices(),
            builtin::reply,
            Utc::now(),
        );
        state.apply(draft);
        result
    }

    fn roles(state: &SessionState) -> Vec<String> {
        state
            .events
            .iter()
            .map(|event| match &event.kind {
                EventKind::Message { role, .. } => format!("{role:?}"),
                EventKind::StatusChange { status, .. } => status.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_keyword_escalates_instead_of_asking_the_bot() {
        let mut state = fresh();
        let result = turn(&mut state, "我要转人工");
        assert!(result.reply.is_none());
        assert_eq!(result.trigger, Some(Trigger::Keyword("转人工".into())));
        assert_eq!(state.header.status, Status::PendingManual);
        assert_eq!(roles(&state), ["User", "System", "pending_manual"]);
        let escalation = state.header.escalation.as_ref().expect("escalated");
        assert_eq!(escalation.reason, "regulator_triggered");
        assert_eq!(escalation.rule.as_deref(), Some("keyword:转人工"));
    }

    #[test]
    fn three_failures_in_a_row_escalate_and_an_answer_resets_the_count() {
        let mut state = fresh();
        turn(&mut state, "qwerty");
        turn(&mut state, "asdf");
        turn(&mut state, "hello");
        assert_eq!(state.header.bot_failures, 0);
        turn(&mut state, "qwerty");
        turn(&mut state, "asdf");
        assert_eq!(state.header.status, Status::BotActive);
        let result = turn(&mut state, "zxcv");
        assert!(result.reply.is_some(), "the bot still answered");
        assert_eq!(result.trigger, Some(Trigger::BotFailures(3)));
        assert_eq!(state.header.status, Status::PendingManual);
    }

    #[test]
    fn while_a_human_is_involved_user_messages_skip_the_bot() {
        let mut state = fresh();
        let draft = state
            .escalate("user_request".into(), None, Utc::now())
            .expect("legal");
        state.apply(draft);
        let result = turn(&mut state, "hello?");
        assert!(result.reply.is_none());
        let last = state.events.last().expect("logged");
        assert!(matches!(
            last.kind,
            EventKind::Message {
                role: Speaker::User,
                manual: true,
                ..
            }
        ));
    }

    #[test]
    fn the_holder_alone_writes_and_release_clears_the_assignment() {
        let mut state = fresh();
        let draft = state
            .escalate("user_request".into(), None, Utc::now())
            .expect("legal");
        state.apply(draft);
        let draft = state
            .manual_message(Writer::Agent(agent("a")), "hi".into(), Utc::now())
            .expect("claims");
        assert_eq!(draft.audit.len(), 2, "a claim and a message");
        state.apply(draft);
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
        let mut state = fresh();
        let draft = state
            .escalate("user_request".into(), None, Utc::now())
            .expect("legal");
        state.apply(draft);
        let draft = state
            .manual_message(Writer::Agent(agent("a")), "hi".into(), Utc::now())
            .expect("claims");
        state.apply(draft);
        let (mut draft, _) = state.user_turn(
            "ok".into(),
            &Regulator::default(),
            &notices(),
            builtin::reply,
            Utc::now(),
        );
        let queued = draft.take_for_stream(&state);
        let kinds: Vec<u64> = queued.iter().map(|e| e.seq).collect();
        assert_eq!(kinds, [1, 2, 3], "escalation, claim and the agent's line");
        state.apply(draft);
        let (mut again, _) = state.user_turn(
            "still there?".into(),
            &Regulator::default(),
            &notices(),
            builtin::reply,
            Utc::now(),
        );
        assert!(again.take_for_stream(&state).is_empty());
    }
}
