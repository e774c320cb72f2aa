//! The interview's vocabulary (pure): the focus areas it asks about, the styles `connect` may
//! choose and the strategies the interviewer answers with, with their names on the wire.
//! Receives names; sends back the values and their names.

use serde::{Deserialize, Serialize};

/// What an interview asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FocusArea {
    /// Education and past roles.
    Background,
    /// Tools, languages and systems the candidate knows.
    TechnicalSkills,
    /// How the candidate works through a hard problem.
    ProblemSolving,
    /// Working with others.
    Teamwork,
    /// Why this role.
    Motivation,
}

impl FocusArea {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            FocusArea::Background => "background",
            FocusArea::TechnicalSkills => "technical_skills",
            FocusArea::ProblemSolving => "problem_solving",
            FocusArea::Teamwork => "teamwork",
            FocusArea::Motivation => "motivation",
        }
    }
}

/// The tone and order of an interview, chosen by `connect`'s `interview_style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// Polite and neutral (the default, as the seed's example asks).
    Formal,
    /// Warm and encouraging.
    Friendly,
    /// Terse; starts with technical skills and problem solving.
    Technical,
}

impl Style {
    /// Every style's name, as `interview_style` spells it.
    pub const NAMES: &'static [&'static str] = &["formal", "friendly", "technical"];

    /// The style named `name`, if there is one.
    pub fn parse(name: &str) -> Option<Style> {
        match name.trim().to_ascii_lowercase().as_str() {
            "formal" => Some(Style::Formal),
            "friendly" => Some(Style::Friendly),
            "technical" => Some(Style::Technical),
            _ => None,
        }
    }

    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Formal => "formal",
            Style::Friendly => "friendly",
            Style::Technical => "technical",
        }
    }

    /// The areas in the order this style asks about them.
    pub fn areas(self) -> [FocusArea; 5] {
        use FocusArea::*;
        match self {
            Style::Technical => [
                TechnicalSkills,
                ProblemSolving,
                Background,
                Teamwork,
                Motivation,
            ],
            _ => [
                Background,
                TechnicalSkills,
                ProblemSolving,
                Teamwork,
                Motivation,
            ],
        }
    }
}

/// How the interviewer answered an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The first exchange: the first area's question.
    Opening,
    /// The answer was too short: ask again, more simply.
    Clarify,
    /// The answer was thin on the area: ask for more on it.
    DeepDive,
    /// The area is covered: move to the next one.
    Broaden,
    /// Every area is covered: close the interview.
    WrapUp,
}

impl Strategy {
    /// Its name on the wire (`strategy_used`).
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Opening => "opening",
            Strategy::Clarify => "clarify",
            Strategy::DeepDive => "deep_dive",
            Strategy::Broaden => "broaden",
            Strategy::WrapUp => "wrap_up",
        }
    }
}
