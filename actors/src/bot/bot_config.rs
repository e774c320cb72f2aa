//! The bot's settings, declared once: each field with its flag, environment variable, default
//! and meaning. Receives flags and environment variables (through the hub's config) and is
//! handed as it is to whatever streams the bot's answers.

use std::time::Duration;

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
    /// Which backend answers the agent sockets: `builtin` (offline) or `openai` (any
    /// OpenAI-compatible chat-completions server).
    #[arg(
        long = "bot-backend",
        env = "BOT_BACKEND",
        value_enum,
        default_value = "builtin"
    )]
    pub backend: BackendKind,
    /// Base URL of the OpenAI-compatible server, with or without its trailing `/v1` (plain
    /// HTTP; the default is a local Ollama).
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
    /// Longest wait for the model: for its answer to begin, and between two reads of it.
    #[arg(
        long = "bot-timeout",
        env = "BOT_TIMEOUT",
        default_value = "30s",
        value_parser = parse_duration
    )]
    pub timeout: Duration,
}

impl BotConfig {
    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[
            ("the bot's chunk interval", self.chunk_interval.is_zero()),
            ("the bot's timeout", self.timeout.is_zero()),
        ])
    }
}

impl Default for BotConfig {
    /// The declared defaults.
    fn default() -> Self {
        crate::kernel::settings::defaults()
    }
}
