//! The bot's answer in flight, as data: which answer it is, the work to cancel, where its
//! pieces go and what was sent. Receives and sends nothing; the Session keeps one while the
//! bot answers ([`answering`](super::answering) follows it).

use actix::SpawnHandle;
use tokio::sync::mpsc;

use crate::takeover::session_requests::AnswerUpdate;

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
