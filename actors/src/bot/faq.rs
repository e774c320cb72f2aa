//! The built-in bot's FAQ: entries of keywords and an answer in English and, optionally, in
//! Chinese, and the fallback said when none matches. Receives the JSON text of an FAQ file (the
//! one `BOT_FAQ_FILE` names, or the default one compiled in from `actors/faq/default_faq.json`)
//! and questions; sends back the checked [`Faq`], or a [`FaqError`] naming the file and what is
//! wrong with it, and for each question the answer of the entry that matches it best, in the
//! question's [`Language`].
//!
//! Matching ignores case. A keyword made of ASCII characters matches whole words (`hi` is not
//! found in `history`; `credit card` matches those two words in a row); any other keyword
//! matches anywhere in the question (`退货` in `我想退货`). The entry with the most keywords in
//! the question answers; of entries that tie, the one written first. A question with a Chinese
//! character in it is answered in Chinese where the entry has a Chinese answer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

/// The FAQ that ships with the hub, used when `BOT_FAQ_FILE` is unset.
const DEFAULT_FAQ_JSON: &str = include_str!("../../faq/default_faq.json");

/// The default FAQ, parsed on first use.
static DEFAULT_FAQ: LazyLock<Arc<Faq>> = LazyLock::new(|| match Faq::parse(DEFAULT_FAQ_JSON) {
    Ok(faq) => Arc::new(faq),
    Err(detail) => panic!("the FAQ shipped in actors/faq/default_faq.json is invalid: {detail}"),
});

/// The language a question is written in, as far as the FAQ's answers go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Anything without a Chinese character.
    English,
    /// A question with at least one Chinese (CJK) character.
    Chinese,
}

impl Language {
    /// The language `text` is taken to be written in.
    pub fn of(text: &str) -> Language {
        if text.chars().any(is_cjk) {
            Language::Chinese
        } else {
            Language::English
        }
    }
}

/// Whether `c` is a CJK ideograph (the unified blocks, extension A and the compatibility block).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// An FAQ the built-in bot answers from, as its file holds it, checked, its keywords trimmed
/// and in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    /// What the bot says when no entry matches.
    pub fallback: String,
    /// The fallback for a question in Chinese; `fallback` when absent.
    pub fallback_zh: Option<String>,
    /// The entries, in the file's order (which breaks ties).
    pub entries: Vec<FaqEntry>,
}

/// One entry of an FAQ.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    /// Words or phrases that select the entry.
    pub keywords: Vec<String>,
    /// The answer.
    pub answer: String,
    /// The answer to a question in Chinese; `answer` when absent.
    pub answer_zh: Option<String>,
}

/// Why an FAQ file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaqError {
    /// The file cannot be read.
    #[error("the FAQ file {} (BOT_FAQ_FILE) cannot be read: {detail}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why not, as the system says it.
        detail: String,
    },
    /// The file is read but is not an FAQ.
    #[error("the FAQ file {} (BOT_FAQ_FILE) is not a valid FAQ: {detail}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line and column for a JSON error.
        detail: String,
    },
}

impl Faq {
    /// The FAQ that ships with the hub (Chinese and English), parsed once.
    pub fn embedded() -> Arc<Faq> {
        DEFAULT_FAQ.clone()
    }

    /// Reads and checks the FAQ file at `path`.
    pub fn load(path: &Path) -> Result<Faq, FaqError> {
        let text = std::fs::read_to_string(path).map_err(|error| FaqError::Unreadable {
            path: path.to_owned(),
            detail: error.to_string(),
        })?;
        Faq::parse(&text).map_err(|detail| FaqError::Invalid {
            path: path.to_owned(),
            detail,
        })
    }

    /// Parses and checks an FAQ's JSON text: what is wrong with it, if anything.
    pub fn parse(text: &str) -> Result<Faq, String> {
        let mut faq: Faq = serde_json::from_str(text).map_err(|error| error.to_string())?;
        if faq.entries.is_empty() {
            return Err("`entries` is empty; give at least one entry".to_owned());
        }
        let blank = |text: &str| text.trim().is_empty();
        if blank(&faq.fallback) || faq.fallback_zh.as_deref().is_some_and(blank) {
            return Err("the fallback is blank".to_owned());
        }
        for (index, entry) in faq.entries.iter_mut().enumerate() {
            entry
                .normalise()
                .map_err(|problem| format!("entry {} {problem}", index + 1))?;
        }
        Ok(faq)
    }

    /// The answer of the entry that matches `question` best, in its language; `None` when no
    /// entry matches.
    pub fn answer(&self, question: &str) -> Option<&str> {
        let question = Question::new(question);
        let mut best: Option<(usize, &FaqEntry)> = None;
        for entry in &self.entries {
            let found = entry
                .keywords
                .iter()
                .filter(|keyword| question.mentions(keyword))
                .count();
            if found > best.map_or(0, |(most, _)| most) {
                best = Some((found, entry));
            }
        }
        best.map(|(_, entry)| in_language(&entry.answer, &entry.answer_zh, question.language))
    }

    /// The fallback in the language of `question`.
    pub fn fallback(&self, question: &str) -> &str {
        in_language(&self.fallback, &self.fallback_zh, Language::of(question))
    }
}

impl FaqEntry {
    /// Trims the keywords and puts them in lower case; what is wrong with the entry, if anything.
    fn normalise(&mut self) -> Result<(), String> {
        if self.keywords.is_empty() {
            return Err("has no keywords".to_owned());
        }
        for keyword in &mut self.keywords {
            *keyword = keyword.trim().to_lowercase();
            if keyword.is_ascii() && words(keyword).next().is_none() {
                return Err(format!(
                    "has the keyword {keyword:?}, which has no letter or digit"
                ));
            }
        }
        let blank = |text: &str| text.trim().is_empty();
        if blank(&self.answer) || self.answer_zh.as_deref().is_some_and(blank) {
            return Err("has a blank answer".to_owned());
        }
        Ok(())
    }
}

/// `answer`, or `chinese` for a question in Chinese when there is one.
fn in_language<'a>(answer: &'a str, chinese: &'a Option<String>, language: Language) -> &'a str {
    match (language, chinese) {
        (Language::Chinese, Some(chinese)) => chinese,
        _ => answer,
    }
}

/// The words of `text`: its runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// A question made ready for matching: in lower case, cut into words, its language known.
struct Question {
    /// The question in lower case.
    lower: String,
    /// Its words, in lower case.
    words: Vec<String>,
    /// Its language.
    language: Language,
}

impl Question {
    /// `text`, ready for matching.
    fn new(text: &str) -> Question {
        let lower = text.to_lowercase();
        let words = words(&lower).map(str::to_owned).collect();
        Question {
            lower,
            words,
            language: Language::of(text),
        }
    }

    /// Whether `keyword` (in lower case) is in the question: as whole words in a row for an
    /// ASCII keyword, anywhere for any other.
    fn mentions(&self, keyword: &str) -> bool {
        if !keyword.is_ascii() {
            return self.lower.contains(keyword);
        }
        let wanted: Vec<&str> = words(keyword).collect();
        self.words
            .windows(wanted.len())
            .any(|run| run.iter().zip(&wanted).all(|(word, want)| word == want))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small FAQ for the tests.
    fn faq() -> Faq {
        let text = r#"{
            "fallback": "Pardon?",
            "fallback_zh": "什么？",
            "entries": [
                {"keywords": ["Order", "订单"], "answer": "orders", "answer_zh": "订单答案"},
                {"keywords": ["credit card", "pay"], "answer": "payment"},
                {"keywords": ["hi", "order status"], "answer": "greeting"}
            ]
        }"#;
        Faq::parse(text).unwrap_or_else(|detail| panic!("{detail}"))
    }

    #[test]
    fn the_default_faq_parses_and_answers_both_languages() {
        let faq = Faq::embedded();
        assert!(faq.entries.len() >= 9, "{}", faq.entries.len());
        for question in [
            "where is my order?",
            "我的订单在哪里",
            "can I pay with PayPal",
            "我忘记了密码",
            "谢谢",
        ] {
            assert!(faq.answer(question).is_some(), "{question}");
        }
        assert_ne!(faq.answer("你好"), faq.answer("hello"), "a Chinese answer");
        assert_ne!(faq.fallback("啊"), faq.fallback("huh"));
    }

    #[test]
    fn ascii_keywords_match_whole_words_others_anywhere() {
        let faq = faq();
        assert_eq!(faq.answer("ORDER please"), Some("orders"));
        assert_eq!(faq.answer("my orders"), None, "orders is another word");
        assert_eq!(faq.answer("history"), None, "hi inside a word");
        assert_eq!(faq.answer("a credit card?"), Some("payment"));
        assert_eq!(
            faq.answer("card credit"),
            None,
            "the words of a phrase in a row"
        );
        assert_eq!(faq.answer("我想查订单"), Some("订单答案"));
    }

    #[test]
    fn the_entry_with_most_keywords_wins_and_ties_go_to_the_first() {
        let faq = faq();
        assert_eq!(faq.answer("hi, my order"), Some("orders"), "a tie");
        assert_eq!(
            faq.answer("hi, order status"),
            Some("greeting"),
            "two to one"
        );
    }

    #[test]
    fn a_chinese_question_gets_the_chinese_answer_where_there_is_one() {
        let faq = faq();
        assert_eq!(faq.answer("order 状态"), Some("订单答案"));
        assert_eq!(faq.answer("pay 多少"), Some("payment"), "no Chinese answer");
        assert_eq!(faq.fallback("嗯"), "什么？");
        assert_eq!(faq.fallback("hmm"), "Pardon?");
    }

    #[test]
    fn a_bad_faq_says_what_is_wrong() {
        let refused = |text: &str| Faq::parse(text).err().unwrap_or_default();
        assert!(refused("[").contains("line 1"), "{}", refused("["));
        assert!(refused(r#"{"entries": []}"#).contains("missing field `fallback`"));
        let no_entries = r#"{"fallback": "?", "entries": []}"#;
        assert!(refused(no_entries).contains("`entries` is empty"));
        let typo = r#"{"fallback": "?", "entries": [{"keyword": ["a"], "answer": "b"}]}"#;
        assert!(
            refused(typo).contains("unknown field `keyword`"),
            "{}",
            refused(typo)
        );
        let punctuation = r#"{"fallback": "?", "entries": [{"keywords": ["a"], "answer": "b"},
            {"keywords": ["?!"], "answer": "c"}]}"#;
        assert_eq!(
            refused(punctuation),
            r#"entry 2 has the keyword "?!", which has no letter or digit"#
        );
        let blank = r#"{"fallback": "?", "entries": [{"keywords": ["a"], "answer": " "}]}"#;
        assert_eq!(refused(blank), "entry 1 has a blank answer");
    }

    #[test]
    fn a_file_that_cannot_be_read_or_parsed_is_named() {
        let missing = Path::new("/nonexistent/switchboard-faq.json");
        let error = Faq::load(missing).map(drop).unwrap_err().to_string();
        assert!(
            error.starts_with(
                "the FAQ file /nonexistent/switchboard-faq.json (BOT_FAQ_FILE) cannot be read: "
            ),
            "{error}"
        );
        let path = std::env::temp_dir().join(format!("faq-invalid-{}.json", std::process::id()));
        std::fs::write(&path, "{\"fallback\": 1}").unwrap_or_default();
        let error = Faq::load(&path).map(drop).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap_or_default();
        let named = format!(
            "the FAQ file {} (BOT_FAQ_FILE) is not a valid FAQ: ",
            path.display()
        );
        assert!(error.starts_with(&named), "{error}");
        assert!(error.contains("invalid type"), "{error}");
    }
}
