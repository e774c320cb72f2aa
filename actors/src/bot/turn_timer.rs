//! The timing of one bot turn. Receives the pieces of an answer as they pass on their way to
//! whoever follows it; sends the time to its first text and the time to its end (or to the
//! moment it was dropped unfinished) to the [`Timings`] histograms.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};

use crate::bot::piece::{Answer, Piece};
use crate::kernel::clock::{self, Instant};
use crate::kernel::timings::{Timings, TurnOutcome};

/// An answer whose turn is timed: `answer` as it is, observed in `timings` under `backend`.
pub fn timed(answer: Answer, timings: Timings, backend: &'static str) -> Answer {
    TimedAnswer {
        answer,
        timer: TurnTimer::start(timings, backend),
    }
    .boxed_local()
}

/// The clock of one turn; observes the turn when it ends, or when it is dropped unfinished.
pub struct TurnTimer {
    /// Where the times go.
    timings: Timings,
    /// The backend's name, the `backend` label.
    backend: &'static str,
    /// When the bot was asked.
    began: Instant,
    /// The first text has been observed.
    first_text_seen: bool,
    /// The backend failed.
    failed: bool,
    /// The turn has been observed.
    observed: bool,
}

impl TurnTimer {
    /// A turn of `backend` asked now.
    pub fn start(timings: Timings, backend: &'static str) -> TurnTimer {
        TurnTimer {
            timings,
            backend,
            began: clock::now(),
            first_text_seen: false,
            failed: false,
            observed: false,
        }
    }

    /// Notes one piece of the answer.
    pub fn saw(&mut self, piece: &Piece) {
        match piece {
            Piece::Text(_) if !std::mem::replace(&mut self.first_text_seen, true) => {
                let seconds = self.began.elapsed().as_secs_f64();
                self.timings.observe_first_chunk(self.backend, seconds);
            }
            Piece::Failed(_) => self.failed = true,
            _ => {}
        }
    }

    /// The answer ended on its own.
    pub fn ended(&mut self) {
        let outcome = match self.failed {
            true => TurnOutcome::Failed,
            false => TurnOutcome::Complete,
        };
        self.observe(outcome);
    }

    fn observe(&mut self, outcome: TurnOutcome) {
        if !std::mem::replace(&mut self.observed, true) {
            let seconds = self.began.elapsed().as_secs_f64();
            self.timings.observe_turn(self.backend, outcome, seconds);
        }
    }
}

impl Drop for TurnTimer {
    /// A turn not observed by now was cut short.
    fn drop(&mut self) {
        self.observe(TurnOutcome::Cut);
    }
}

/// An answer and the clock of its turn.
struct TimedAnswer {
    /// The answer.
    answer: Answer,
    /// Its clock.
    timer: TurnTimer,
}

impl Stream for TimedAnswer {
    type Item = Piece;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Piece>> {
        let polled = self.answer.poll_next_unpin(cx);
        match &polled {
            Poll::Ready(Some(piece)) => self.timer.saw(piece),
            Poll::Ready(None) => self.timer.ended(),
            Poll::Pending => {}
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(pieces: Vec<Piece>) -> Answer {
        futures_util::stream::iter(pieces).boxed_local()
    }

    fn turns(timings: &Timings, outcome: TurnOutcome) -> u64 {
        let labels = [("backend", "builtin"), ("outcome", outcome.label())];
        timings.bot_turn.get_or_create(&labels).count()
    }

    #[actix_rt::test]
    async fn a_whole_answer_is_one_complete_turn_and_one_first_chunk() {
        let timings = Timings::default();
        let pieces = vec![
            Piece::Fallback,
            Piece::Text("a".into()),
            Piece::Text("b".into()),
        ];
        let passed: Vec<Piece> = timed(answer(pieces.clone()), timings.clone(), "builtin")
            .collect()
            .await;
        assert_eq!(passed, pieces, "the pieces pass unchanged");
        assert_eq!(turns(&timings, TurnOutcome::Complete), 1);
        let first = timings
            .bot_first_chunk
            .get_or_create(&[("backend", "builtin")]);
        assert_eq!(first.count(), 1, "only the first text");
    }

    #[actix_rt::test]
    async fn a_failed_answer_and_a_dropped_one_have_their_outcomes() {
        let timings = Timings::default();
        let failed = answer(vec![Piece::Failed("down".into())]);
        let _: Vec<Piece> = timed(failed, timings.clone(), "builtin").collect().await;
        let mut dropped = timed(
            answer(vec![Piece::Text("a".into())]),
            timings.clone(),
            "builtin",
        );
        assert!(dropped.next().await.is_some());
        drop(dropped);
        assert_eq!(turns(&timings, TurnOutcome::Failed), 1);
        assert_eq!(turns(&timings, TurnOutcome::Cut), 1);
        assert_eq!(turns(&timings, TurnOutcome::Complete), 0);
    }
}
