//! The messages a Session receives and the answers it sends: what the HTTP edge, the agent
//! desk and the handover board may ask of one conversation, and why a request can fail. Also
//! [`SessionLink`], the narrow handle the board keeps to a session.

use std::sync::Arc;

use actix::prelude::*;
use tokio::sync::mpsc;

use crate::bot::piece::Piece;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{ConnId, SessionName};
use crate::takeover::desk_events::DeskEvent;
use crate::takeover::escalation::Status;
use crate::takeover::history::{PageRequest, SessionPage};
use crate::takeover::model::{AgentInfo, Interruption, SessionEvent, SessionState};
use crate::takeover::operations::{Refusal, Writer};
use crate::takeover::regulator::Trigger;

/// Why a session request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// No session has this name.
    #[error("no session is named {0}")]
    NotFound(SessionName),
    /// The request is not allowed in the session's state (409).
    #[error("{0}")]
    Refused(Refusal),
    /// The store did not commit the change; nothing changed.
    #[error("the change could not be stored: {0}")]
    Store(String),
    /// The session already has its limit of SSE subscribers.
    #[error("the session already has its limit of {0} event subscribers")]
    TooManySubscribers(usize),
    /// The desk the session was offered to has closed.
    #[error("the agent desk has closed")]
    DeskClosed,
    /// The session already has its limit of user lines waiting for the bot.
    #[error(
        "{0} lines already wait for the bot's answers in this session; send the next one when an answer has come"
    )]
    TooManyLines(usize),
    /// The session belongs to another customer.
    #[error("the conversation {0} is not this customer's")]
    NotYours(SessionName),
    /// The session stopped (the hub is shutting down) before it took the request.
    #[error("the session stopped before it took the request")]
    Stopped,
}

/// Read the whole session.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct GetSession;

/// Read the session with one page of its history.
#[derive(Message, Clone)]
#[rtype(result = "Result<SessionPage, SessionError>")]
pub struct GetPage {
    /// Which messages.
    pub page: PageRequest,
}

/// A user message through `/api/chat` or `/api/chat/stream`; creates the session if needed.
#[derive(Debug, Message, Clone)]
#[rtype(result = "Result<TurnOutcome, SessionError>")]
pub struct UserTurn {
    /// What the user wrote.
    pub text: String,
    /// A streaming turn: also hand over the events queued since the last streaming turn.
    pub stream: bool,
    /// The customer who sends the line; a session this line starts records it as its owner.
    pub owner: Option<String>,
    /// The line is taken only in a session `owner` started, or starts now (a customer whose
    /// token grants no other conversation, in strict mode). Checked by the session itself, so
    /// two customers starting the same name at once cannot both get in.
    pub owner_only: bool,
}

/// What the user's line did; the bot's answer, when it answers, follows on `answer`.
#[derive(Debug)]
pub struct TurnOutcome {
    /// The session's status after the user's line.
    pub status: Status,
    /// Events queued for the user since the last streaming turn (streaming turns only).
    pub queued: Vec<SessionEvent>,
    /// The events the user's line appended.
    pub appended: Vec<SessionEvent>,
    /// The regulator keyword that escalated the session instead of asking the bot.
    pub trigger: Option<Trigger>,
    /// The bot's answer as it comes, when the bot answers.
    pub answer: Option<mpsc::UnboundedReceiver<AnswerUpdate>>,
}

/// The bot's answer to a turn, as the session hands it to the request that asked.
#[derive(Debug)]
pub enum AnswerUpdate {
    /// A piece of the answer, as it comes: text, a tool call or its result, or the
    /// backend's failure. Never [`Piece::Fallback`].
    Piece(Piece),
    /// The turn is over: the answer is stored, or the store refused it.
    End(Result<AnswerStored, SessionError>),
}

/// A bot answer once stored.
#[derive(Debug, Clone)]
pub struct AnswerStored {
    /// The session's status after it.
    pub status: Status,
    /// What was stored as the answer; none when nothing was sent before a cancel.
    pub answer: Option<String>,
    /// Why the answer was cut short, if it was.
    pub interrupted: Option<Interruption>,
    /// The events the answer appended (the answer, and an escalation by the failure rule).
    pub appended: Vec<SessionEvent>,
    /// The regulator's failure rule, when it escalated the session after this answer.
    pub trigger: Option<Trigger>,
}

/// How an answer ended, read whole.
#[derive(Debug, Clone)]
pub struct AnswerEnding {
    /// The stored answer, or why it could not be stored.
    pub stored: Result<AnswerStored, SessionError>,
    /// The backend's failure, when it failed.
    pub failure: Option<String>,
}

/// Follows an answer to its end, skipping its pieces; `None` when the session stopped before
/// the answer was stored.
pub async fn answer_ending(
    answer: &mut mpsc::UnboundedReceiver<AnswerUpdate>,
) -> Option<AnswerEnding> {
    let mut failure = None;
    while let Some(update) = answer.recv().await {
        match update {
            AnswerUpdate::Piece(Piece::Failed(reason)) => failure = Some(reason),
            AnswerUpdate::Piece(_) => {}
            AnswerUpdate::End(stored) => return Some(AnswerEnding { stored, failure }),
        }
    }
    None
}

/// Cut the bot's answer in flight short; what was sent of it is stored, marked cancelled.
/// Answers whether there was one.
#[derive(Message, Clone)]
#[rtype(result = "Result<bool, SessionError>")]
pub struct CancelAnswer;

/// Ask for a human: `bot_active → pending_manual`.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct Escalate {
    /// Why (`user_request`, ...).
    pub reason: String,
    /// Free text from the caller.
    pub details: Option<String>,
}

/// A message written during a handover.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct PostManualMessage {
    /// The user, or which agent.
    pub writer: Writer,
    /// The text.
    pub content: String,
    /// The writing agent's desk socket, to receive the session's events from now on.
    pub desk: Option<ConnHandle<DeskEvent>>,
}

/// An agent takes a `pending_manual` session.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct Claim {
    /// Who.
    pub agent: AgentInfo,
    /// The agent's desk socket, to receive the session's events from now on.
    pub desk: Option<ConnHandle<DeskEvent>>,
}

/// The agent hands the session back to the bot.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct Release {
    /// The releasing agent, which must hold the session; `None` for the seed's REST call,
    /// which names nobody.
    pub by: Option<AgentInfo>,
}

/// Follow the session's events.
#[derive(Message, Clone)]
#[rtype(result = "Result<Subscription, SessionError>")]
pub struct Subscribe {
    /// Replay the events after this sequence number first (from `Last-Event-ID`); `None`
    /// follows only new events.
    pub after: Option<u64>,
}

/// A subscriber's view: what to replay, then the live events.
#[derive(Debug)]
pub struct Subscription {
    /// Events after the requested sequence number, in order.
    pub replay: Vec<SessionEvent>,
    /// Live events; ends when the subscriber falls behind or the session stops.
    pub live: mpsc::Receiver<SessionEvent>,
    /// The session's last sequence number when the subscription began.
    pub last_seq: u64,
}

/// The hub is shutting down: end every SSE stream of the session (they resume with
/// `Last-Event-ID` once the hub is back), and leave the handover as it is (desks closing with
/// the hub do not send the session back to the bot).
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct Stopping;

/// The desk socket of the session's agent closed. Sent by the handover board.
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct DeskLost {
    /// The desk that closed.
    pub conn_id: ConnId,
}

/// How the handover board reaches a session: offer it to a desk, ask whether it still waits,
/// tell it its desk is gone. Cheap to clone.
#[derive(Clone)]
pub struct SessionLink {
    /// Offers the session to a desk (a claim on the desk's behalf).
    pub claim: Recipient<Claim>,
    /// Reads the session.
    pub get: Recipient<GetSession>,
    /// Tells the session its desk closed.
    pub desk_lost: Recipient<DeskLost>,
}

impl std::fmt::Debug for SessionLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionLink")
    }
}
