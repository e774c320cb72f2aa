//! The bot's answer to a user turn, followed by its session. Receives the answer's pieces from
//! the configured [`Backend`](crate::bot::answer::Backend) as they come, on the session's own
//! context; sends each to the request that asked ([`AnswerUpdate::Piece`]), and at the end
//! commits the answer (whole, or what was sent before a cancel or a failure, marked so) and
//! sends the outcome ([`AnswerUpdate::End`]). An escalation, a cancel, the hub stopping, or
//! the asking request going away (its client left) cuts the answer short; the next user line
//! waits until the answer is stored.

use actix::prelude::*;
use chrono::Utc;
use tokio::sync::mpsc;

use crate::bot::piece::{Delivery, Piece};
use crate::takeover::chat_turn::AnswerEnd;
use crate::takeover::model::SessionState;
use crate::takeover::session::actor::{Atomic, Pending, Session};
use crate::takeover::session::answer_in_flight::Answering;
use crate::takeover::session_requests::{AnswerStored, AnswerUpdate, SessionError};

/// What the user is told, as the bot's answer, when the backend failed before saying anything.
pub const BOT_UNAVAILABLE: &str = "Sorry, I cannot answer right now. Please try again in a moment, or say \"human\" to reach a person.";

impl Session {
    /// Starts the bot's answer to `query`, the last line of `state`; the pieces and the end
    /// go to the returned receiver.
    pub(crate) fn begin_answer(
        &mut self,
        state: &SessionState,
        query: &str,
        delivery: Delivery,
        ctx: &mut Context<Self>,
    ) -> mpsc::UnboundedReceiver<AnswerUpdate> {
        let (updates, receiver) = mpsc::unbounded_channel();
        let context = state.bot_context(self.backend.history_turns());
        let pieces = self.backend.answer(&context, query, delivery);
        self.answers_begun += 1;
        let number = self.answers_begun;
        let follow = fut::wrap_stream::<_, Self>(pieces)
            .map(move |piece, act, ctx| act.on_piece(number, piece, ctx))
            .finish()
            .map(move |(), act, ctx| act.on_answer_done(number, ctx));
        let handle = ctx.spawn(follow);
        self.answering = Some(Answering {
            number,
            handle,
            updates,
            sent: String::new(),
            fallback: false,
            failed: false,
        });
        receiver
    }

    /// Hands one piece to the asking request; cuts the answer short when it is gone.
    fn on_piece(&mut self, number: u64, piece: Piece, ctx: &mut Context<Self>) {
        let Some(answering) = self.answering.as_mut().filter(|a| a.number == number) else {
            return;
        };
        let text = match &piece {
            Piece::Fallback => {
                answering.fallback = true;
                return;
            }
            Piece::Failed(_) => {
                answering.failed = true;
                None
            }
            Piece::Text(text) => Some(text.clone()),
            Piece::ToolCall { .. } | Piece::ToolResult { .. } => None,
        };
        if answering.updates.send(AnswerUpdate::Piece(piece)).is_err() {
            log::debug!("session {}: the client left during an answer", self.name);
            if let Some(finish) = self.interrupt(ctx) {
                ctx.wait(finish.map(|_, _, _| ()));
            }
            return;
        }
        if let Some(text) = text {
            answering.sent.push_str(&text);
        }
    }

    /// The backend's stream ended: the answer is whole, or failed.
    fn on_answer_done(&mut self, number: u64, ctx: &mut Context<Self>) {
        let Some(answering) = self.answering.take_if(|a| a.number == number) else {
            return;
        };
        let end = if answering.failed {
            AnswerEnd::Failed
        } else {
            AnswerEnd::Finished {
                fallback: answering.fallback,
            }
        };
        ctx.wait(self.finish_answer(answering, end).map(|_, _, _| ()));
    }

    /// Cuts the answer in flight short, if there is one; the returned future stores what was
    /// sent of it, marked cancelled.
    pub(crate) fn interrupt(&mut self, ctx: &mut Context<Self>) -> Option<Pending<()>> {
        let answering = self.answering.take()?;
        ctx.cancel_future(answering.handle);
        Some(self.finish_answer(answering, AnswerEnd::Cancelled))
    }

    /// Runs `next` once the answer in flight, if any, is cut short and stored: a handover
    /// comes after the answer it interrupts, in the log too. The interrupted turn ends after
    /// `next`, so its stream shows what `next` changed and its `done` the status after it.
    pub(crate) fn settled<T: 'static>(
        &mut self,
        ctx: &mut Context<Self>,
        next: impl FnOnce(&mut Session, &mut Context<Self>) -> Pending<T> + 'static,
    ) -> Atomic<T> {
        let Some(answering) = self.answering.take() else {
            return AtomicResponse::new(next(self, ctx));
        };
        ctx.cancel_future(answering.handle);
        let since = self.state.as_ref().map_or(0, |state| state.last_seq());
        let stored = self.store_answer(answering, AnswerEnd::Cancelled);
        AtomicResponse::new(Box::pin(stored.then(
            move |(updates, outcome), act: &mut Session, ctx| {
                next(act, ctx).map(move |result, act: &mut Session, ctx| {
                    let outcome = outcome.map(|stored| act.with_later_changes(stored, since));
                    let _ = updates.send(AnswerUpdate::End(outcome));
                    act.next_line(ctx);
                    result
                })
            },
        )))
    }

    /// `stored` as the session stands now: its status, and every event logged after `since`
    /// (the answer's own, and those of what came after it).
    fn with_later_changes(&self, mut stored: AnswerStored, since: u64) -> AnswerStored {
        if let Some(state) = &self.state {
            stored.status = state.header.status;
            stored.appended = state.events_after(since).to_vec();
        }
        stored
    }

    /// Stores the answer as it ended and tells the asking request how the turn ended.
    fn finish_answer(&mut self, answering: Answering, end: AnswerEnd) -> Pending<()> {
        let stored = self.store_answer(answering, end);
        Box::pin(stored.map(move |(updates, outcome), act, ctx| {
            let result = outcome.as_ref().map(|_| ()).map_err(Clone::clone);
            // The asking request may be gone; the answer is stored all the same.
            let _ = updates.send(AnswerUpdate::End(outcome));
            act.next_line(ctx);
            result
        }))
    }

    /// Stores the answer as it ended; answers where the asking request follows it, and what
    /// was stored.
    fn store_answer(&mut self, answering: Answering, end: AnswerEnd) -> Stored {
        let Answering {
            updates, mut sent, ..
        } = answering;
        if end == AnswerEnd::Failed && sent.is_empty() {
            sent = BOT_UNAVAILABLE.to_owned();
            let _ = updates.send(AnswerUpdate::Piece(Piece::Text(sent.clone())));
        }
        let state = match self.existing() {
            Ok(state) => state.clone(),
            Err(error) => return Box::pin(fut::ready((updates, Err(error)))),
        };
        let (draft, trigger) = state.bot_answer(
            sent.clone(),
            end,
            &self.regulator,
            &self.config.escalation_notice,
            Utc::now(),
        );
        let appended = draft.events.clone();
        let answer = (!sent.is_empty()).then_some(sent);
        let stored = self.commit(Ok(draft), |_, state, _| state.header.status);
        Box::pin(stored.map(move |result, _, _| {
            let outcome = result.map(|status| AnswerStored {
                status,
                answer,
                interrupted: end.interruption(),
                appended,
                trigger,
            });
            (updates, outcome)
        }))
    }
}

/// An answer on its way to the store: where its asker follows it, and what was stored.
type Stored = ResponseActFuture<
    Session,
    (
        mpsc::UnboundedSender<AnswerUpdate>,
        Result<AnswerStored, SessionError>,
    ),
>;
