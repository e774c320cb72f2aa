//! What the interview room is asked, what it answers, and what its sockets hear. Receives
//! nothing itself: the messages the [`InterviewDirectory`](crate::interview::InterviewDirectory)
//! handles, their answers, and [`InterviewEvent`], the event family of interview sockets.

use actix::prelude::*;
use serde_json::Value;

use crate::interview::transcript::{Exchange, Interview};
use crate::interview::vocabulary::Style;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::ConnId;
use crate::store::store_error::StoreError;

/// A message pushed to an interview socket through the management API.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewEvent {
    /// The frame's `type`.
    pub kind: String,
    /// The frame's `data`.
    pub data: Value,
}

/// Why the room could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum InterviewError {
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The stored interview could not be read back.
    #[error("the stored interview {0} cannot be read")]
    Unreadable(String),
    /// The interview has no open socket (it must join first).
    #[error("interview {0} is not open")]
    NotOpen(String),
    /// The model could not write the interviewer's turn (the `openai` backend); the sentence
    /// says why. Nothing was stored.
    #[error("{0}")]
    Upstream(String),
}

/// Where an interview stands, as `connected` tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    /// Its style.
    pub style: Style,
    /// Exchanges so far.
    pub exchanges: usize,
    /// Whether it existed before this socket joined (a reconnect or after a restart).
    pub resumed: bool,
}

/// A socket opened on an interview: loads it (from memory or the store) or begins it.
#[derive(Message)]
#[rtype(result = "Result<Joined, InterviewError>")]
pub struct Join {
    /// The interview.
    pub session_id: String,
    /// How to reach the socket.
    pub conn: ConnHandle<InterviewEvent>,
}

/// A socket of an interview closed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Leave {
    /// The interview.
    pub session_id: String,
    /// The socket.
    pub conn_id: ConnId,
}

/// `connect`: sets the style when one is given; answered once stored.
#[derive(Message)]
#[rtype(result = "Result<Joined, InterviewError>")]
pub struct Restyle {
    /// The interview.
    pub session_id: String,
    /// The new style; `None` keeps the one it has.
    pub style: Option<Style>,
}

/// The candidate answered; the interviewer's reply, once stored.
#[derive(Message)]
#[rtype(result = "Result<Exchange, InterviewError>")]
pub struct Answer {
    /// The interview.
    pub session_id: String,
    /// What the candidate said.
    pub text: String,
}

/// The interviews with open sockets, oldest first.
#[derive(Message)]
#[rtype(result = "Vec<OpenInterview>")]
pub struct ListOpen;

/// One interview with its open sockets.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenInterview {
    /// The interview.
    pub interview: Interview,
    /// Its open sockets.
    pub connections: usize,
}

/// One interview, open or stored; `None` when there is none by that id.
#[derive(Message)]
#[rtype(result = "Result<Option<OpenInterview>, InterviewError>")]
pub struct FindInterview {
    /// The interview.
    pub session_id: String,
}

/// Push an event to the open sockets of one interview, or of every interview when
/// `session_id` is `None`; answers how many sockets it was queued for, `None` when the one
/// interview has no open socket.
#[derive(Message)]
#[rtype(result = "Option<usize>")]
pub struct Push {
    /// The interview, or all of them.
    pub session_id: Option<String>,
    /// What to push.
    pub event: InterviewEvent,
}
