//! The bot's answer to a user turn, followed by its session. Receives the answer's pieces from
//! the configured [`Backend`](crate::bot::answer::Backend) as they come, on the session's own
//! context; sends each to the request that asked ([`AnswerUpdate::Piece`]), and at the end
//! commits the answer (whole, or what was sent before a cancel or a failure, marked so) and
//! sends the outcome ([`AnswerUpdate::End`]). A newer turn, an escalation, a cancel, the hub
//! stopping, or the asking request going away (its client left) cuts the answer short.

use actix::prelude::*;
use chrono::Utc;
use tokio::sync::mpsc;

use crate::bot::piece::{Delivery, Piece};
use crate::takeover::chat_turn::AnswerEnd;
use crate::takeover::model::SessionState;
use crate::takeover::session::actor::{Atomic, Pending, Session};
use crate::takeover::session::answer_in_flight::Answering;
use crate::takeover::session_requests::{AnswerStored, AnswerUpdate};

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

    /// Runs `next` once the answer in flight, if any, is cut short and stored: a newer turn or
    /// a handover comes after the answer it interrupts, in the log too.
    pub(crate) fn settled<T: 'static>(
        &mut self,
        ctx: &mut Context<Self>,
        next: impl FnOnce(&mut Session, &mut Context<Self>) -> Pending<T> + 'static,
    ) -> Atomic<T> {
        match self.interrupt(ctx) {
            None => AtomicResponse::new(next(self, ctx)),
            Some(finish) => AtomicResponse::new(Box::pin(
                finish.then(move |_, act: &mut Session, ctx| next(act, ctx)),
            )),
        }
    }

    /// Stores the answer as it ended and tells the asking request how the turn ended.
    fn finish_answer(&mut self, answering: Answering, end: AnswerEnd) -> Pending<()> {
        let Answering {
            updates, mut sent, ..
        } = answering;
        if end == AnswerEnd::Failed && sent.is_empty() {
            sent = BOT_UNAVAILABLE.to_owned();
            let _ = updates.send(AnswerUpdate::Piece(Piece::Text(sent.clone())));
        }
        let state = match self.existing() {
            Ok(state) => state.clone(),
            Err(error) => {
                let _ = updates.send(AnswerUpdate::End(Err(error.clone())));
                return Box::pin(fut::err(error));
            }
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
        Box::pin(stored.map(move |result, act, ctx| {
            let outcome = result.clone().map(|status| AnswerStored {
                status,
                answer,
                interrupted: end.interruption(),
                appended,
                trigger,
            });
            // The asking request may be gone; the answer is stored all the same.
            let _ = updates.send(AnswerUpdate::End(outcome));
            act.next_line(ctx);
            result.map(|_| ())
        }))
    }
}
