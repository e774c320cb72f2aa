//! The built-in interviewer (offline, deterministic, pure). Receives an interview's state and
//! the candidate's answer; sends back the next [`Turn`]: the strategy it chose, the focus area
//! of its next question, how well the answer addressed the area asked about (`confidence`) and
//! the question itself, in the language of the answer.
//!
//! The rules, in order:
//!
//! - the first answer (a greeting, usually) is met with `opening` and the first area's question;
//! - once every area is covered, `wrap_up` (a closing remark, `response_type` `closing`);
//! - an answer under [`SHORT_ANSWER_WORDS`] words gets `clarify` on the same area;
//! - an answer whose confidence is under [`DEEP_DIVE_BELOW`] gets `deep_dive` on the same area;
//! - after [`MAX_PROBES`] clarifications or deep dives, or a confident answer, the area counts
//!   as covered and `broaden` moves to the next uncovered one (or `wrap_up` if none is left).
//!
//! `confidence` is `0.2` plus up to `0.5` for length (one point per word up to
//! [`FULL_LENGTH_WORDS`]; a Chinese character counts as half a word) plus `0.1` for each of
//! the area's keywords the answer uses (at most three), capped at `0.95`, two decimals.

use serde::{Deserialize, Serialize};

use crate::interview::questions::{self, Language};
use crate::interview::vocabulary::{FocusArea, Strategy, Style};

/// Fewer words than this is too short to assess: `clarify`.
pub const SHORT_ANSWER_WORDS: usize = 3;
/// Answers this long earn the whole length part of the confidence.
pub const FULL_LENGTH_WORDS: usize = 40;
/// A confidence under this asks for more on the same area: `deep_dive`.
pub const DEEP_DIVE_BELOW: f64 = 0.6;
/// Most clarifications and deep dives on one area before moving on.
pub const MAX_PROBES: u32 = 2;

/// Where an interview stands: all the interviewer needs to choose its next turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterviewState {
    /// Its tone and order.
    pub style: Style,
    /// The area the last question asked about.
    pub current: FocusArea,
    /// The areas covered, in the order they were.
    pub covered: Vec<FocusArea>,
    /// Clarifications and deep dives on the current area so far.
    pub probes: u32,
    /// Answers received.
    pub answers: u32,
}

impl InterviewState {
    /// A new interview in `style`.
    pub fn new(style: Style) -> Self {
        InterviewState {
            style,
            current: style.areas()[0],
            covered: Vec::new(),
            probes: 0,
            answers: 0,
        }
    }

    /// Changes the style; before the first answer, the interview starts on the new style's
    /// first area.
    pub fn restyle(&mut self, style: Style) {
        self.style = style;
        if self.answers == 0 {
            self.current = style.areas()[0];
        }
    }

    /// The first area of the style's order not yet covered.
    fn next_uncovered(&self) -> Option<FocusArea> {
        let areas = self.style.areas();
        areas.into_iter().find(|area| !self.covered.contains(area))
    }
}

/// The interviewer's answer to one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// What it chose to do.
    pub strategy: Strategy,
    /// The area of its next question (the last one asked about, when wrapping up).
    pub focus_area: FocusArea,
    /// How well the answer addressed the area asked about, 0 to 1.
    pub confidence: f64,
    /// `question`, or `closing` once wrapping up.
    pub response_type: &'static str,
    /// What it says: a lead-in in the style's tone and the next question.
    pub text: String,
}

/// Answers `answer`, moving `state` on.
pub fn next_turn(state: &mut InterviewState, answer: &str) -> Turn {
    let language = Language::of(answer);
    let asked = state.current;
    let confidence = confidence(asked, answer);
    let first = state.answers == 0;
    state.answers += 1;
    let strategy = if first {
        Strategy::Opening
    } else if state.next_uncovered().is_none() {
        Strategy::WrapUp
    } else if state.probes < MAX_PROBES && words(answer) < SHORT_ANSWER_WORDS as f64 {
        Strategy::Clarify
    } else if state.probes < MAX_PROBES && confidence < DEEP_DIVE_BELOW {
        Strategy::DeepDive
    } else {
        state.covered.push(asked);
        match state.next_uncovered() {
            Some(_) => Strategy::Broaden,
            None => Strategy::WrapUp,
        }
    };
    match strategy {
        Strategy::Clarify | Strategy::DeepDive => state.probes += 1,
        Strategy::Broaden => {
            state.probes = 0;
            state.current = state.next_uncovered().unwrap_or(asked);
        }
        Strategy::Opening | Strategy::WrapUp => {}
    }
    let focus_area = state.current;
    Turn {
        strategy,
        focus_area,
        confidence,
        response_type: match strategy {
            Strategy::WrapUp => "closing",
            _ => "question",
        },
        text: questions::say(state.style, strategy, focus_area, language),
    }
}

/// How well `answer` addressed `area` (see the module's doc).
pub fn confidence(area: FocusArea, answer: &str) -> f64 {
    let length = words(answer).min(FULL_LENGTH_WORDS as f64) / FULL_LENGTH_WORDS as f64;
    let lower = answer.to_lowercase();
    let hits = questions::keywords(area)
        .iter()
        .filter(|keyword| lower.contains(*keyword))
        .count()
        .min(3);
    let raw = (0.2 + 0.5 * length + 0.1 * hits as f64).min(0.95);
    (raw * 100.0).round() / 100.0
}

/// Words in `text`: whitespace-separated runs of Latin text, and half a word per Chinese
/// character.
fn words(text: &str) -> f64 {
    let han = text.chars().filter(|c| questions::is_han(*c)).count();
    let latin = text
        .split(|c: char| c.is_whitespace() || questions::is_han(c))
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count();
    latin as f64 + han as f64 / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{prop, prop_assert, proptest};

    const THIN: &str = "I did some work there and it was fine for me.";
    const RICH: &str = "I designed the backend system in Rust and Python, ran the database \
        and the api, and wrote the code for our framework; the architecture used a queue \
        and a cache, and I tuned the performance of every service we shipped that year.";

    fn started(style: Style) -> InterviewState {
        let mut state = InterviewState::new(style);
        next_turn(&mut state, "Hello, I'm ready for the interview.");
        state
    }

    #[test]
    fn the_first_answer_opens_with_the_styles_first_area() {
        let mut state = InterviewState::new(Style::Formal);
        let turn = next_turn(&mut state, "Hello, I'm ready for the interview.");
        assert_eq!(turn.strategy, Strategy::Opening);
        assert_eq!(turn.focus_area, FocusArea::Background);
        assert_eq!(turn.response_type, "question");
        let mut technical = InterviewState::new(Style::Technical);
        let turn = next_turn(&mut technical, "Hi");
        assert_eq!(turn.focus_area, FocusArea::TechnicalSkills);
    }

    #[test]
    fn a_very_short_answer_is_clarified_and_a_thin_one_deep_dived() {
        let mut state = started(Style::Formal);
        assert_eq!(next_turn(&mut state, "yes").strategy, Strategy::Clarify);
        let turn = next_turn(&mut state, THIN);
        assert_eq!(turn.strategy, Strategy::DeepDive);
        assert_eq!(turn.focus_area, FocusArea::Background, "stays on the area");
        assert!(turn.confidence < DEEP_DIVE_BELOW, "{}", turn.confidence);
        let turn = next_turn(&mut state, THIN);
        assert_eq!(
            turn.strategy,
            Strategy::Broaden,
            "after {MAX_PROBES} probes"
        );
        assert_eq!(turn.focus_area, FocusArea::TechnicalSkills);
        assert_eq!(state.covered, vec![FocusArea::Background]);
    }

    #[test]
    fn a_rich_answer_broadens_and_covering_every_area_wraps_up() {
        let mut state = InterviewState::new(Style::Technical);
        next_turn(&mut state, "Hello");
        let turn = next_turn(&mut state, RICH);
        assert_eq!(turn.strategy, Strategy::Broaden);
        assert!(turn.confidence >= DEEP_DIVE_BELOW, "{}", turn.confidence);
        let mut last = turn;
        while last.strategy != Strategy::WrapUp {
            last = next_turn(&mut state, RICH);
            assert!(state.answers < 20, "the interview ends");
        }
        assert_eq!(last.response_type, "closing");
        assert_eq!(state.covered.len(), 5);
        assert_eq!(next_turn(&mut state, RICH).strategy, Strategy::WrapUp);
    }

    #[test]
    fn confidence_grows_with_length_and_the_areas_words() {
        let area = FocusArea::TechnicalSkills;
        assert_eq!(confidence(area, ""), 0.2);
        assert!(confidence(area, THIN) < confidence(area, RICH));
        assert_eq!(confidence(area, RICH), 0.95, "capped");
        assert!(confidence(area, "我用Rust和数据库做后端系统的开发") > 0.4);
    }

    #[test]
    fn the_question_follows_the_language_of_the_answer() {
        let mut state = started(Style::Friendly);
        let turn = next_turn(
            &mut state,
            "我在一家公司做了三年的后端开发，主要负责数据库。",
        );
        assert!(turn.text.chars().any(questions::is_han), "{}", turn.text);
        let turn = next_turn(&mut state, RICH);
        assert!(!turn.text.chars().any(questions::is_han), "{}", turn.text);
    }

    #[test]
    fn a_style_chosen_before_the_first_answer_sets_the_first_area() {
        let mut state = InterviewState::new(Style::Formal);
        state.restyle(Style::Technical);
        assert_eq!(
            next_turn(&mut state, "Hi").focus_area,
            FocusArea::TechnicalSkills
        );
        state.restyle(Style::Friendly);
        assert_eq!(state.current, FocusArea::TechnicalSkills, "kept once begun");
    }

    #[test]
    fn styles_are_parsed_by_name() {
        assert_eq!(Style::parse(" Friendly "), Some(Style::Friendly));
        assert_eq!(Style::parse("casual"), None);
        for name in Style::NAMES {
            assert_eq!(Style::parse(name).map(Style::as_str), Some(*name));
        }
    }

    proptest! {
        #[test]
        fn any_answers_get_a_turn_and_the_interview_ends(
            answers in prop::collection::vec("\\PC{0,80}", 1..40),
        ) {
            let mut state = InterviewState::new(Style::Formal);
            for answer in &answers {
                let turn = next_turn(&mut state, answer);
                prop_assert!((0.0..=1.0).contains(&turn.confidence));
                prop_assert!(!turn.text.is_empty());
            }
            let most = 1 + 5 * (MAX_PROBES as usize + 1);
            prop_assert!(answers.len() < most || state.covered.len() == 5);
        }
    }
}
