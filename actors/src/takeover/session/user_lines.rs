//! A Session's user lines, one turn at a time. Receives [`UserTurn`] (from the HTTP edge);
//! queues the line, and takes the queued lines in order: each is committed (the regulator
//! reads it first) and, while the bot holds the session, the bot's answer begins; the next
//! line waits until that answer is stored, whole or cut short. Answers each line with its
//! [`TurnOutcome`] once it is committed.

use actix::prelude::*;
use chrono::Utc;
use tokio::sync::oneshot;

use crate::bot::piece::Delivery;
use crate::takeover::chat_turn::LineOutcome;
use crate::takeover::model::SessionState;
use crate::takeover::session::actor::{Pending, Session};
use crate::takeover::session::answer_in_flight::QueuedLine;
use crate::takeover::session_requests::{SessionError, TurnOutcome, UserTurn};

impl Session {
    /// Takes the next queued line, unless a line or an answer is in progress.
    pub(crate) fn next_line(&mut self, ctx: &mut Context<Self>) {
        if self.answering.is_some() || self.line_in_progress {
            return;
        }
        let Some(QueuedLine { turn, reply }) = self.lines.pop_front() else {
            return;
        };
        self.line_in_progress = true;
        let committed = self.user_line(turn).map(move |outcome, act, ctx| {
            act.line_in_progress = false;
            // The asker may be gone; its answer, if one began, is then cut short at once.
            let _ = reply.send(outcome);
            act.next_line(ctx);
        });
        ctx.wait(committed);
    }

    /// The user's line, committed; then the bot's answer begins, when the bot answers.
    fn user_line(&mut self, msg: UserTurn) -> Pending<TurnOutcome> {
        let now = Utc::now();
        let fresh;
        let (state, creates) = match &self.state {
            Some(state) => (state.as_ref(), false),
            None => {
                fresh = SessionState::new(self.name.clone(), now);
                (&fresh, true)
            }
        };
        let query = msg.text.clone();
        let (mut draft, outcome) = state.user_line(
            msg.text,
            &self.regulator,
            &self.config.escalation_notice,
            now,
        );
        draft.creates = creates;
        let queued = if msg.stream {
            draft.take_for_stream(state)
        } else {
            Vec::new()
        };
        let appended = draft.events.clone();
        let delivery = if msg.stream {
            Delivery::Streamed
        } else {
            Delivery::Whole
        };
        self.commit(Ok(draft), move |act, state, ctx| {
            let (trigger, answer) = match outcome {
                LineOutcome::BotAnswers => {
                    (None, Some(act.begin_answer(&state, &query, delivery, ctx)))
                }
                LineOutcome::Escalated(trigger) => (Some(trigger), None),
                LineOutcome::ForTheAgent => (None, None),
            };
            TurnOutcome {
                status: state.header.status,
                queued,
                appended,
                trigger,
                answer,
            }
        })
    }
}

impl Handler<UserTurn> for Session {
    type Result = ResponseFuture<Result<TurnOutcome, SessionError>>;

    fn handle(&mut self, msg: UserTurn, ctx: &mut Context<Self>) -> Self::Result {
        let (reply, outcome) = oneshot::channel();
        self.lines.push_back(QueuedLine { turn: msg, reply });
        self.next_line(ctx);
        Box::pin(async move { outcome.await.unwrap_or(Err(SessionError::Stopped)) })
    }
}
