//! A Session's turn in progress, as data: the bot's answer in flight (which answer it is, the
//! work to cancel, where its pieces go and what was sent) and the user lines waiting their
//! turn. Receives and sends nothing; the Session keeps them ([`answering`](super::answering)
//! and [`user_lines`](super::user_lines) use them).

use actix::SpawnHandle;
use tokio::sync::{mpsc, oneshot};

use crate::takeover::session_requests::{AnswerUpdate, SessionError, TurnOutcome, UserTurn};

/// A user line waiting for the answer in flight to end.
#[derive(Debug)]
pub(crate) struct QueuedLine {
    /// The line.
    pub(crate) turn: UserTurn,
    /// Where its outcome goes once it is committed (none when nobody waits for it).
    pub(crate) reply: Option<oneshot::Sender<Result<TurnOutcome, SessionError>>>,
}

/// The bot's answer in flight.
#[derive(Debug)]
pub(crate) struct Answering {
    /// Which answer of the session this is.
    pub(crate) number: u64,
    /// The spawned stream of pieces; cancelling it drops the backend's work.
    pub(crate) handle: SpawnHandle,
    /// Where the asking request follows the answer.
    pub(crate) updates: mpsc::UnboundedSender<AnswerUpdate>,
    /// The text handed to the asking request so far.
    pub(crate) sent: String,
    /// The backend did not understand the question.
    pub(crate) fallback: bool,
    /// The backend failed.
    pub(crate) failed: bool,
}
