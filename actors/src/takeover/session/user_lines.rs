//! A Session's user lines, one turn at a time. Receives [`UserTurn`] (from the HTTP edge);
//! queues the line, and takes the queued lines in order: each is committed (the regulator
//! reads it first) and, while the bot holds the session, the bot's answer begins; the next
//! line waits until that answer is stored, whole or cut short. A whole answer the backend
//! gives at once (the built-in bot on `/api/chat`) is committed with its line, in one draft. Answers each line with its
//! [`TurnOutcome`] once it is committed.

use actix::dev::{MessageResponse, OneshotSender};
use actix::prelude::*;
use chrono::Utc;
use tokio::sync::mpsc;

use crate::bot::piece::{Delivery, Piece};
use crate::takeover::chat_turn::{AnswerEnd, LineOutcome};
use crate::takeover::draft::Draft;
use crate::takeover::model::SessionState;
use crate::takeover::session::actor::{Pending, Session};
use crate::takeover::session::answer_in_flight::QueuedLine;
use crate::takeover::session_requests::{
    AnswerStored, AnswerUpdate, SessionError, TurnOutcome, UserTurn,
};

/// Most user lines that wait in one session for the bot's answers; the next is refused
/// (`too_many_lines`, 429) rather than held.
pub const MOST_WAITING_LINES: usize = 64;

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
            if let Some(reply) = reply {
                let _ = reply.send(outcome);
            }
            act.next_line(ctx);
        });
        ctx.wait(committed);
    }

    /// The user's line, committed; then the bot's answer begins, when the bot answers.
    fn user_line(&mut self, msg: UserTurn) -> Pending<TurnOutcome> {
        let now = Utc::now();
        let someone_elses = self
            .state
            .as_ref()
            .is_some_and(|state| msg.owner_only && state.header.owner != msg.owner);
        if someone_elses {
            return Box::pin(fut::err(SessionError::NotYours(self.name.clone())));
        }
        let fresh;
        let (state, creates) = match &self.state {
            Some(state) => (state.as_ref(), false),
            None => {
                let mut started = SessionState::new(self.name.clone(), now);
                started.header.owner = msg.owner.clone();
                fresh = started;
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
        let delivery = if msg.stream {
            Delivery::Streamed
        } else {
            Delivery::Whole
        };
        if outcome == LineOutcome::BotAnswers
            && delivery == Delivery::Whole
            && let Some(pieces) = self.backend.answer_at_once(&query)
        {
            return self.line_answered_at_once(draft, pieces);
        }
        let appended = draft.events.clone();
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

impl Session {
    /// The user's line and the bot's whole answer, which the backend gave at once, committed
    /// together in one draft; the answer's pieces and its end are ready on the outcome's
    /// receiver.
    fn line_answered_at_once(
        &mut self,
        mut draft: Draft,
        pieces: Vec<Piece>,
    ) -> Pending<TurnOutcome> {
        let line_events = draft.events.len();
        let (updates, answer) = mpsc::unbounded_channel();
        let mut text = String::new();
        let mut fallback = false;
        for piece in pieces {
            match &piece {
                Piece::Fallback => {
                    fallback = true;
                    continue;
                }
                Piece::Text(chunk) => text.push_str(chunk),
                _ => {}
            }
            let _ = updates.send(AnswerUpdate::Piece(piece));
        }
        let end = AnswerEnd::Finished { fallback };
        let notice = &self.config.escalation_notice;
        let trigger = draft.answer_turn(text.clone(), end, &self.regulator, notice);
        let mut appended = draft.events.clone();
        let answer_events = appended.split_off(line_events);
        self.commit(Ok(draft), move |_, state, _| {
            let stored = AnswerStored {
                status: state.header.status,
                answer: (!text.is_empty()).then_some(text),
                interrupted: None,
                appended: answer_events,
                trigger,
            };
            let _ = updates.send(AnswerUpdate::End(Ok(stored)));
            TurnOutcome {
                status: state.header.status,
                queued: Vec::new(),
                appended,
                trigger: None,
                answer: Some(answer),
            }
        })
    }
}

impl Handler<UserTurn> for Session {
    type Result = LineTaken;

    fn handle(&mut self, msg: UserTurn, _: &mut Context<Self>) -> Self::Result {
        LineTaken(msg)
    }
}

/// A user line taken into the session's queue; its asker is answered when the line is
/// committed, however long it waits (no task of its own, no channel of its own).
pub struct LineTaken(UserTurn);

impl MessageResponse<Session, UserTurn> for LineTaken {
    fn handle(
        self,
        ctx: &mut Context<Session>,
        reply: Option<OneshotSender<Result<TurnOutcome, SessionError>>>,
    ) {
        let LineTaken(turn) = self;
        ctx.wait(fut::ready(()).map(move |(), act: &mut Session, ctx| {
            if act.lines.len() >= MOST_WAITING_LINES {
                if let Some(reply) = reply {
                    let _ = reply.send(Err(SessionError::TooManyLines(MOST_WAITING_LINES)));
                }
                return;
            }
            act.lines.push_back(QueuedLine { turn, reply });
            act.next_line(ctx);
        }));
    }
}
