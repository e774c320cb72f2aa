//! The bot's settings, declared once: each field with its flag, environment variable, default
//! and meaning. Receives flags and environment variables (through the hub's config) and is
//! handed as it is to whatever streams the bot's answers. [`BotConfig::validate`] also reads
//! the built-in bot's FAQ file once and keeps it ([`BotConfig::faq`]), so a file that is
//! missing or malformed stops the hub at start.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::bot::faq::{Faq, FaqError};
use crate::kernel::settings::{MustBePositive, all_positive, parse_duration};

/// Which backend answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendKind {
    /// The offline, deterministic built-in bot.
    Builtin,
    /// An OpenAI-compatible `/v1/chat/completions` server, streamed.
    Openai,
}

/// How the bot answers.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Bot")]
pub struct BotConfig {
    /// Pause between two streamed chunks of the built-in bot's answer, so that streaming,
    /// cancel and the time to the first chunk are real offline.
    #[arg(
        long = "bot-chunk-interval",
        env = "BOT_CHUNK_INTERVAL",
        default_value = "20ms",
        value_parser = parse_duration
    )]
    pub chunk_interval: Duration,
    /// Which backend answers seed 001's chat and the agent sockets (and writes the interviewer's
    /// questions): `builtin` (offline) or `openai` (any OpenAI-compatible chat-completions
    /// server).
    #[arg(
        long = "bot-backend",
        env = "BOT_BACKEND",
        value_enum,
        default_value = "builtin"
    )]
    pub backend: BackendKind,
    /// Base URL of the OpenAI-compatible server, with or without its trailing `/v1`; `http://`
    /// or `https://` (the default is a local Ollama).
    #[arg(
        long = "openai-base-url",
        env = "OPENAI_BASE_URL",
        default_value = "http://127.0.0.1:11434/v1"
    )]
    pub openai_base_url: String,
    /// API key sent as `Authorization: Bearer`; none is sent when unset or empty.
    #[arg(
        long = "openai-api-key",
        env = "OPENAI_API_KEY",
        hide_env_values = true
    )]
    pub openai_api_key: Option<String>,
    /// The model asked for.
    #[arg(
        long = "openai-model",
        env = "OPENAI_MODEL",
        default_value = "gpt-4o-mini"
    )]
    pub openai_model: String,
    /// The system prompt the model is given first.
    #[arg(
        long = "bot-system-prompt",
        env = "BOT_SYSTEM_PROMPT",
        default_value = "You are the Switchboard assistant, a helpful customer-service agent. Answer briefly, in the user's language; use the tools when they help."
    )]
    pub system_prompt: String,
    /// Earlier turns (a question and its answer) sent to the model as context.
    #[arg(
        long = "bot-history-turns",
        env = "BOT_HISTORY_TURNS",
        default_value_t = 10
    )]
    pub history_turns: usize,
    /// Most tokens the model may write for one answer, sent as `max_tokens`; `0` sends none
    /// (the server's own limit).
    #[arg(long = "bot-max-tokens", env = "BOT_MAX_TOKENS", default_value_t = 512)]
    pub max_tokens: u32,
    /// Longest wait for the model: for its answer to begin, and between two reads of it.
    #[arg(
        long = "bot-timeout",
        env = "BOT_TIMEOUT",
        default_value = "30s",
        value_parser = parse_duration
    )]
    pub timeout: Duration,
    /// A JSON file of questions and answers for the built-in bot (format in the README), read
    /// once at start; unset, the FAQ that ships with the hub (Chinese and English).
    #[arg(long = "bot-faq-file", env = "BOT_FAQ_FILE")]
    pub faq_file: Option<PathBuf>,
    /// The FAQ file as [`BotConfig::validate`] read it, and the file it read.
    #[arg(skip)]
    loaded_faq: OnceLock<(PathBuf, Arc<Faq>)>,
}

/// A bot setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BotConfigError {
    /// A duration that must be positive is zero.
    #[error(transparent)]
    Zero(#[from] MustBePositive),
    /// The FAQ file cannot be read or is no FAQ.
    #[error(transparent)]
    Faq(#[from] FaqError),
}

impl BotConfig {
    /// Checks the settings that must be positive, and reads and checks the FAQ file, keeping
    /// it for [`BotConfig::faq`] (and for every clone made afterwards).
    pub fn validate(&self) -> Result<(), BotConfigError> {
        all_positive(&[
            ("the bot's chunk interval", self.chunk_interval.is_zero()),
            ("the bot's timeout", self.timeout.is_zero()),
        ])?;
        if let Some(path) = &self.faq_file
            && self.kept_faq(path).is_none()
        {
            let faq = Arc::new(Faq::load(path)?);
            self.loaded_faq.get_or_init(|| (path.clone(), faq));
        }
        Ok(())
    }

    /// The FAQ the built-in bot answers from: the file [`BotConfig::validate`] read, or the one
    /// that ships with the hub when `faq_file` is unset. A file not read by `validate` is read
    /// now; if it cannot be, the error is logged and the shipped FAQ answers.
    pub fn faq(&self) -> Arc<Faq> {
        let Some(path) = &self.faq_file else {
            return Faq::embedded();
        };
        if let Some(faq) = self.kept_faq(path) {
            return faq;
        }
        match Faq::load(path) {
            Ok(faq) => Arc::new(faq),
            Err(error) => {
                log::error!(
                    "{error}; the built-in bot answers from the FAQ that ships with the hub"
                );
                Faq::embedded()
            }
        }
    }

    /// The FAQ kept from `path`, if `validate` read that file.
    fn kept_faq(&self, path: &PathBuf) -> Option<Arc<Faq>> {
        let (read, faq) = self.loaded_faq.get()?;
        (read == path).then(|| faq.clone())
    }
}

impl Default for BotConfig {
    /// The declared defaults.
    fn default() -> Self {
        crate::kernel::settings::defaults()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in the temporary folder holding `text`, named for `label` and this process.
    fn faq_file(label: &str, text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("bot-{label}-{}.json", std::process::id()));
        std::fs::write(&path, text).unwrap_or_else(|error| panic!("{error}"));
        path
    }

    #[test]
    fn without_a_file_the_shipped_faq_answers() {
        let config = BotConfig::default();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.faq(), Faq::embedded());
    }

    #[test]
    fn a_file_is_read_once_by_validate_and_kept_in_clones() {
        let text = r#"{"fallback": "?", "entries": [{"keywords": ["x"], "answer": "kept"}]}"#;
        let path = faq_file("kept", text);
        let config = BotConfig {
            faq_file: Some(path.clone()),
            ..BotConfig::default()
        };
        assert_eq!(config.validate(), Ok(()));
        std::fs::remove_file(&path).unwrap_or_else(|error| panic!("{error}"));
        let clone = config.clone();
        assert_eq!(clone.faq().answer("x"), Some("kept"), "not read again");
        assert_eq!(clone.validate(), Ok(()), "not read again");
    }

    #[test]
    fn a_missing_or_malformed_file_is_refused_naming_it() {
        let missing = BotConfig {
            faq_file: Some("/nonexistent/faq.json".into()),
            ..BotConfig::default()
        };
        let refused = missing.validate().map_err(|error| error.to_string());
        let named = "the FAQ file /nonexistent/faq.json (BOT_FAQ_FILE) cannot be read";
        assert!(
            refused
                .as_ref()
                .is_err_and(|error| error.starts_with(named)),
            "{refused:?}"
        );

        let path = faq_file(
            "malformed",
            r#"{"fallback": "?", "entries": [{"answer": "a"}]}"#,
        );
        let malformed = BotConfig {
            faq_file: Some(path.clone()),
            ..BotConfig::default()
        };
        let refused = malformed.validate().map_err(|error| error.to_string());
        std::fs::remove_file(&path).unwrap_or_else(|error| panic!("{error}"));
        let expected = format!(
            "the FAQ file {} (BOT_FAQ_FILE) is not a valid FAQ: missing field `keywords` at line 1 column 45",
            path.display()
        );
        assert_eq!(refused, Err(expected));
    }
}
