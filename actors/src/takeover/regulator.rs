//! The regulator, pure: receives each user message and the count of consecutive bot failures,
//! and sends back the [`Trigger`] that should escalate the session to a human, if any. Its
//! keywords and threshold come from the config.

use std::fmt;

/// The words that mean "let me talk to a person" unless the config says otherwise.
pub const DEFAULT_KEYWORDS: [&str; 8] = [
    "人工",
    "转人工",
    "投诉",
    "客服",
    "human",
    "agent",
    "complaint",
    "operator",
];

/// Consecutive bot failures that escalate unless the config says otherwise.
pub const DEFAULT_FAILURE_THRESHOLD: u32 = 3;

/// Why the regulator escalates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The user's message contains this keyword.
    Keyword(String),
    /// The bot failed this many times in a row.
    BotFailures(u32),
}

impl fmt::Display for Trigger {
    /// The matched rule as recorded with the escalation: `keyword:人工`, `bot_failures:3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Keyword(word) => write!(f, "keyword:{word}"),
            Trigger::BotFailures(count) => write!(f, "bot_failures:{count}"),
        }
    }
}

/// The rules that decide an automatic escalation.
#[derive(Debug, Clone)]
pub struct Regulator {
    /// Lower-cased keywords, longest first so that the most specific one is reported.
    keywords: Vec<String>,
    /// Consecutive bot failures that escalate; 0 turns the rule off.
    failure_threshold: u32,
}

impl Default for Regulator {
    fn default() -> Self {
        Regulator::new(DEFAULT_KEYWORDS, DEFAULT_FAILURE_THRESHOLD)
    }
}

impl Regulator {
    /// A regulator with these keywords (matched case-insensitively; ASCII words only on word
    /// boundaries, so `agent` does not fire on `agents` or `reagent`) and failure threshold.
    pub fn new<I, S>(keywords: I, failure_threshold: u32) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut keywords: Vec<String> = keywords
            .into_iter()
            .map(|word| word.as_ref().trim().to_lowercase())
            .filter(|word| !word.is_empty())
            .collect();
        keywords.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
        keywords.dedup();
        Regulator {
            keywords,
            failure_threshold,
        }
    }

    /// The keyword rule, for a message the user just sent.
    pub fn on_user_message(&self, text: &str) -> Option<Trigger> {
        let text = text.to_lowercase();
        self.keywords
            .iter()
            .find(|word| contains_word(&text, word))
            .map(|word| Trigger::Keyword(word.clone()))
    }

    /// The failure rule, after the bot failed `consecutive` times in a row.
    pub fn on_bot_failures(&self, consecutive: u32) -> Option<Trigger> {
        (self.failure_threshold > 0 && consecutive >= self.failure_threshold)
            .then_some(Trigger::BotFailures(consecutive))
    }
}

/// Whether `word` occurs in `text`; a word made of ASCII letters must stand alone.
fn contains_word(text: &str, word: &str) -> bool {
    let needs_boundary = word.bytes().all(|b| b.is_ascii_alphanumeric());
    if !needs_boundary {
        return text.contains(word);
    }
    text.match_indices(word).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + word.len()..].chars().next();
        let is_boundary = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
        is_boundary(before) && is_boundary(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keywords_catch_chinese_and_english_requests() {
        let regulator = Regulator::default();
        for (text, word) in [
            ("我要转人工", "转人工"),
            ("请给我人工服务", "人工"),
            ("我要投诉你们", "投诉"),
            ("Can I talk to a HUMAN please?", "human"),
            ("agent!", "agent"),
            ("I want to file a complaint.", "complaint"),
        ] {
            assert_eq!(
                regulator.on_user_message(text),
                Some(Trigger::Keyword(word.into())),
                "{text}"
            );
        }
    }

    #[test]
    fn ascii_keywords_need_word_boundaries() {
        let regulator = Regulator::default();
        for text in [
            "our agents are busy",
            "a reagent",
            "humanity",
            "hello there",
            "",
        ] {
            assert_eq!(regulator.on_user_message(text), None, "{text}");
        }
    }

    #[test]
    fn configured_keywords_replace_the_defaults() {
        let regulator = Regulator::new(["Supervisor", " ", "经理"], 3);
        assert_eq!(
            regulator.on_user_message("get me a supervisor"),
            Some(Trigger::Keyword("supervisor".into()))
        );
        assert_eq!(
            regulator.on_user_message("找经理"),
            Some(Trigger::Keyword("经理".into()))
        );
        assert_eq!(regulator.on_user_message("human"), None);
    }

    #[test]
    fn failures_trigger_at_the_threshold() {
        let regulator = Regulator::default();
        assert_eq!(regulator.on_bot_failures(2), None);
        assert_eq!(regulator.on_bot_failures(3), Some(Trigger::BotFailures(3)));
        assert_eq!(Trigger::BotFailures(3).to_string(), "bot_failures:3");
        assert_eq!(Regulator::new(["x"], 0).on_bot_failures(10), None);
    }
}
