//! A user turn on seed 001's chat, pure, in two steps. First the user's line: while the bot
//! answers, the regulator reads it (a keyword escalates instead of asking the bot); otherwise
//! it is kept for the agent. Then, once the bot has answered, its answer: whole, or what was
//! sent before a cancel or a failure, marked so; the regulator's failure rule counts
//! fallbacks and failures. Receives a session's state and the step; sends back a [`Draft`] and
//! what the step decided. Also gives the bot the conversation so far as [`Turn`]s.

use chrono::{DateTime, Utc};

use crate::bot::piece::Turn;
use crate::takeover::draft::Draft;
use crate::takeover::escalation::Status;
use crate::takeover::model::{EventKind, Interruption, SessionState, Speaker};
use crate::takeover::regulator::{Regulator, Trigger};

/// What the user's line leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    /// The bot answers it.
    BotAnswers,
    /// A regulator keyword asked for a human instead.
    Escalated(Trigger),
    /// A human is asked for or holds the session: the line waits for the agent.
    ForTheAgent,
}

/// How a bot answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerEnd {
    /// The bot finished its answer; `fallback` when it did not understand the question.
    Finished {
        /// The answer is the bot's fallback (a failure for the regulator).
        fallback: bool,
    },
    /// Cut short: by the user, a handover, the hub stopping, or a client that left.
    Cancelled,
    /// The backend failed (a failure for the regulator).
    Failed,
}

impl AnswerEnd {
    /// How the stored answer is marked.
    pub fn interruption(self) -> Option<Interruption> {
        match self {
            AnswerEnd::Finished { .. } => None,
            AnswerEnd::Cancelled => Some(Interruption::Cancelled),
            AnswerEnd::Failed => Some(Interruption::Failed),
        }
    }
}

impl SessionState {
    /// The user's line through `/api/chat`. While the bot answers, the regulator looks at it
    /// first (a keyword escalates, with `escalation_notice` for the user); otherwise it is
    /// kept for the agent and audited as a manual message.
    pub fn user_line(
        &self,
        text: String,
        regulator: &Regulator,
        escalation_notice: &str,
        now: DateTime<Utc>,
    ) -> (Draft, LineOutcome) {
        let mut draft = self.draft(now);
        if self.header.status != Status::BotActive {
            draft.message(Speaker::User, text, None);
            draft.audit("manual_message", None, None);
            return (draft, LineOutcome::ForTheAgent);
        }
        let trigger = regulator.on_user_message(&text);
        draft.message(Speaker::User, text, None);
        match trigger {
            Some(trigger) => {
                draft.message(Speaker::System, escalation_notice.to_owned(), None);
                draft.regulator_escalate(&trigger);
                (draft, LineOutcome::Escalated(trigger))
            }
            None => (draft, LineOutcome::BotAnswers),
        }
    }

    /// The bot's answer, `content` being what was sent of it (nothing is stored for an empty
    /// one), as a draft of its own: see [`Draft::answer_turn`].
    pub fn bot_answer(
        &self,
        content: String,
        end: AnswerEnd,
        regulator: &Regulator,
        escalation_notice: &str,
        now: DateTime<Utc>,
    ) -> (Draft, Option<Trigger>) {
        let mut draft = self.draft(now);
        let trigger = draft.answer_turn(content, end, regulator, escalation_notice);
        (draft, trigger)
    }

    /// The last `most` exchanges the bot took part in, oldest first: each user line it was
    /// asked, with what it answered (lines written during a handover are left out, and so
    /// is a line not answered yet).
    pub fn bot_context(&self, most: usize) -> Vec<Turn> {
        let mut turns = Vec::new();
        let mut asked: Option<&str> = None;
        for event in &self.events {
            match &event.kind {
                EventKind::Message {
                    role: Speaker::User,
                    manual: false,
                    content,
                    ..
                } => asked = Some(content),
                EventKind::Message {
                    role: Speaker::Assistant,
                    content,
                    ..
                } => {
                    if let Some(query) = asked.take() {
                        turns.push(Turn {
                            query: query.to_owned(),
                            answer: content.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
        let skip = turns.len().saturating_sub(most);
        turns.split_off(skip)
    }
}

impl Draft {
    /// Adds the bot's answer to this draft, `content` being what was sent of it (nothing is
    /// stored for an empty one). While the session is still the bot's, a fallback or a failure
    /// counts towards the regulator's failure rule and a whole answer resets the count; the
    /// rule escalates with `escalation_notice` for the user, and is answered.
    pub fn answer_turn(
        &mut self,
        content: String,
        end: AnswerEnd,
        regulator: &Regulator,
        escalation_notice: &str,
    ) -> Option<Trigger> {
        if !content.is_empty() {
            self.bot_answer(content, end.interruption());
        }
        if self.header.status != Status::BotActive {
            return None;
        }
        match end {
            AnswerEnd::Finished { fallback: false } => self.header.bot_failures = 0,
            AnswerEnd::Cancelled => {}
            AnswerEnd::Finished { fallback: true } | AnswerEnd::Failed => {
                self.header.bot_failures += 1;
                let trigger = regulator.on_bot_failures(self.header.bot_failures);
                if let Some(trigger) = &trigger {
                    self.message(Speaker::System, escalation_notice.to_owned(), None);
                    self.regulator_escalate(trigger);
                }
                return trigger;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::ids::SessionName;

    const NOTICE: &str = "connecting you";

    fn fresh() -> SessionState {
        SessionState::new(SessionName::parse("s").expect("valid"), Utc::now())
    }

    /// The user says `text`; the bot answers `answer`, ending as `end`.
    fn turn(state: &mut SessionState, text: &str, answer: &str, end: AnswerEnd) -> LineOutcome {
        let regulator = Regulator::default();
        let (draft, outcome) = state.user_line(text.into(), &regulator, NOTICE, Utc::now());
        state.apply(draft);
        if outcome == LineOutcome::BotAnswers {
            let (draft, _) = state.bot_answer(answer.into(), end, &regulator, NOTICE, Utc::now());
            state.apply(draft);
        }
        outcome
    }

    fn roles(state: &SessionState) -> Vec<String> {
        state
            .events
            .iter()
            .map(|event| match &event.kind {
                EventKind::Message { role, .. } => format!("{role:?}"),
                EventKind::StatusChange { status, .. } => status.to_string(),
            })
            .collect()
    }

    const WHOLE: AnswerEnd = AnswerEnd::Finished { fallback: false };
    const FALLBACK: AnswerEnd = AnswerEnd::Finished { fallback: true };

    #[test]
    fn a_keyword_escalates_instead_of_asking_the_bot() {
        let mut state = fresh();
        let outcome = turn(&mut state, "我要转人工", "", WHOLE);
        assert_eq!(
            outcome,
            LineOutcome::Escalated(Trigger::Keyword("转人工".into()))
        );
        assert_eq!(state.header.status, Status::PendingManual);
        assert_eq!(roles(&state), ["User", "System", "pending_manual"]);
        let escalation = state.header.escalation.as_ref().expect("escalated");
        assert_eq!(escalation.reason, "regulator_triggered");
        assert_eq!(escalation.rule.as_deref(), Some("keyword:转人工"));
    }

    #[test]
    fn three_failures_in_a_row_escalate_and_a_whole_answer_resets_the_count() {
        let mut state = fresh();
        turn(&mut state, "qwerty", "sorry", FALLBACK);
        turn(&mut state, "asdf", "", AnswerEnd::Failed);
        turn(&mut state, "hello", "hi", WHOLE);
        assert_eq!(state.header.bot_failures, 0);
        turn(&mut state, "qwerty", "sorry", FALLBACK);
        turn(&mut state, "again", "half", AnswerEnd::Cancelled);
        assert_eq!(state.header.bot_failures, 1, "a cancel is no failure");
        turn(&mut state, "asdf", "par", AnswerEnd::Failed);
        assert_eq!(state.header.status, Status::BotActive);
        let regulator = Regulator::default();
        let (draft, _) = state.user_line("zxcv".into(), &regulator, NOTICE, Utc::now());
        state.apply(draft);
        let (draft, trigger) =
            state.bot_answer("sorry".into(), FALLBACK, &regulator, NOTICE, Utc::now());
        state.apply(draft);
        assert_eq!(trigger, Some(Trigger::BotFailures(3)));
        assert_eq!(state.header.status, Status::PendingManual);
        let tail: Vec<String> = roles(&state).split_off(state.events.len() - 4);
        assert_eq!(tail, ["User", "Assistant", "System", "pending_manual"]);
    }

    #[test]
    fn a_cut_answer_keeps_what_was_sent_marked_and_an_empty_one_stores_nothing() {
        let mut state = fresh();
        turn(&mut state, "hello", "Hel", AnswerEnd::Cancelled);
        turn(&mut state, "hello", "", AnswerEnd::Cancelled);
        turn(&mut state, "hello", "Hello th", AnswerEnd::Failed);
        let answers: Vec<(&str, Option<Interruption>)> = state
            .events
            .iter()
            .filter_map(|event| match &event.kind {
                EventKind::Message {
                    role: Speaker::Assistant,
                    content,
                    interrupted,
                    ..
                } => Some((content.as_str(), *interrupted)),
                _ => None,
            })
            .collect();
        assert_eq!(
            answers,
            [
                ("Hel", Some(Interruption::Cancelled)),
                ("Hello th", Some(Interruption::Failed))
            ]
        );
    }

    #[test]
    fn while_a_human_is_involved_the_line_waits_and_a_late_answer_counts_nothing() {
        let mut state = fresh();
        let regulator = Regulator::default();
        let (draft, _) = state.user_line("qwerty".into(), &regulator, NOTICE, Utc::now());
        state.apply(draft);
        let draft = state
            .escalate("user_request".into(), None, Utc::now())
            .expect("legal");
        state.apply(draft);
        let (draft, trigger) = state.bot_answer(
            "sor".into(),
            AnswerEnd::Failed,
            &regulator,
            NOTICE,
            Utc::now(),
        );
        state.apply(draft);
        assert_eq!(trigger, None);
        assert_eq!(state.header.bot_failures, 0);
        assert_eq!(
            turn(&mut state, "hello?", "", WHOLE),
            LineOutcome::ForTheAgent
        );
        let last = state.events.last().expect("logged");
        assert!(matches!(
            last.kind,
            EventKind::Message {
                role: Speaker::User,
                manual: true,
                ..
            }
        ));
    }

    #[test]
    fn the_bot_reads_its_own_last_exchanges_and_not_the_open_question() {
        let mut state = fresh();
        for (text, answer) in [("one", "1"), ("two", "2"), ("three", "3")] {
            turn(&mut state, text, answer, WHOLE);
        }
        let regulator = Regulator::default();
        let (draft, _) = state.user_line("four".into(), &regulator, NOTICE, Utc::now());
        state.apply(draft);
        let context = state.bot_context(2);
        let pairs: Vec<(&str, &str)> = context
            .iter()
            .map(|turn| (turn.query.as_str(), turn.answer.as_str()))
            .collect();
        assert_eq!(pairs, [("two", "2"), ("three", "3")]);
        assert!(state.bot_context(0).is_empty());
    }
}
