//! An open interview as the [`InterviewDirectory`](crate::interview::InterviewDirectory) holds
//! it, and the changes it makes to one. Receives the directory's requests of an interview, in
//! the order they are taken; sends each change to the [`Store`] and resolves once it has
//! committed: a [`Live`] interview with its sockets and waiting requests ([`Queued`]), the turn
//! the model is writing ([`Writing`]), and the steps that store a style or an exchange.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use actix::prelude::*;
use chrono::Utc;
use tokio::sync::oneshot;

use crate::interview::interview_requests::{InterviewError, InterviewEvent, Joined};
use crate::interview::interviewer::{InterviewState, Turn};
use crate::interview::transcript::{Exchange, Interview};
use crate::interview::vocabulary::Style;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::ConnId;
use crate::store::database::Store;
use crate::store::interview_rows::SaveInterview;
use crate::store::store_error::StoreError;

/// An interview with its open sockets.
pub struct Live {
    /// The interview.
    pub interview: Interview,
    /// Its open sockets.
    pub sockets: HashMap<ConnId, ConnHandle<InterviewEvent>>,
    /// Its requests not yet taken, oldest first.
    pub waiting: VecDeque<Queued>,
    /// Whether the model is writing one of its turns.
    pub writing: bool,
}

impl Live {
    /// An interview just loaded or begun: no socket, nothing waiting.
    pub fn new(interview: Interview) -> Self {
        Live {
            interview,
            sockets: HashMap::new(),
            waiting: VecDeque::new(),
            writing: false,
        }
    }

    /// No socket is open on it and nothing of it is waiting: it may leave memory.
    pub fn idle(&self) -> bool {
        self.sockets.is_empty() && !self.writing && self.waiting.is_empty()
    }
}

/// A request of an interview, taken in its turn; the sender gets the answer once stored.
pub enum Queued {
    /// [`Answer`](crate::interview::interview_requests::Answer): the candidate's text.
    Answer(String, oneshot::Sender<Result<Exchange, InterviewError>>),
    /// [`Restyle`](crate::interview::interview_requests::Restyle): the new style, if any.
    Restyle(
        Option<Style>,
        oneshot::Sender<Result<Joined, InterviewError>>,
    ),
}

/// A turn whose words the model is writing.
pub struct Writing {
    /// The interview.
    pub session_id: String,
    /// What the candidate said.
    pub answer: String,
    /// The interviewer's state once the turn is taken.
    pub planned: InterviewState,
    /// The turn the built-in interviewer chose (its words are the model's example).
    pub turn: Turn,
    /// When the turn began.
    pub began: Instant,
    /// Where its exchange goes.
    pub reply: oneshot::Sender<Result<Exchange, InterviewError>>,
}

/// Stores `interview`'s row and newest exchange (if `with_exchange`); resolves once
/// committed.
pub fn save(
    store: &Addr<Store>,
    interview: &Interview,
    with_exchange: bool,
) -> impl Future<Output = Result<(), InterviewError>> + 'static {
    let save = SaveInterview {
        interview: interview.row(),
        exchange: with_exchange
            .then(|| interview.newest_exchange_row())
            .flatten(),
    };
    let sent = store.send(save);
    async move {
        let committed = sent.await.map_err(|_| StoreError::Stopped)?;
        committed.await.map_err(|_| StoreError::Stopped)??;
        Ok(())
    }
}

/// Sets the style of `live` when one is given; resolves with where it stands once stored.
pub fn restyle(
    store: &Addr<Store>,
    live: &mut Live,
    style: Option<Style>,
) -> impl Future<Output = Result<Joined, InterviewError>> + 'static {
    if let Some(style) = style {
        live.interview.state.restyle(style);
        live.interview.updated_at = Utc::now();
    }
    let joined = Joined {
        style: live.interview.state.style,
        exchanges: live.interview.exchanges.len(),
        resumed: live.interview.state.answers > 0,
    };
    let saved = save(store, &live.interview, false);
    async move { saved.await.map(|()| joined) }
}

/// Takes a turn on `live`: the `planned` state, and the exchange of `answer` and `words`;
/// resolves with the exchange once stored.
pub fn record(
    store: &Addr<Store>,
    live: &mut Live,
    planned: InterviewState,
    answer: String,
    words: String,
    turn: &Turn,
    began: Instant,
) -> impl Future<Output = Result<Exchange, InterviewError>> + 'static {
    let at = Utc::now();
    let exchange = Exchange {
        user_input: answer,
        ai_response: words,
        response_type: turn.response_type,
        strategy: turn.strategy,
        focus_area: turn.focus_area,
        confidence: turn.confidence,
        processing_time: began.elapsed().as_secs_f64(),
        at,
    };
    let interview = &mut live.interview;
    interview.state = planned;
    interview.exchanges.push(exchange.clone());
    interview.updated_at = at;
    let saved = save(store, interview, true);
    async move { saved.await.map(|()| exchange) }
}

/// Sends what `stored` resolves with to `reply`, once it does.
pub fn reply_once_stored<T: 'static>(
    stored: impl Future<Output = Result<T, InterviewError>> + 'static,
    reply: oneshot::Sender<Result<T, InterviewError>>,
) {
    actix::spawn(async move {
        let _ = reply.send(stored.await);
    });
}
