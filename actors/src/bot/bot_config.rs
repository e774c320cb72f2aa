//! The bot's settings, declared once: each field with its flag, environment variable, default
//! and meaning. Receives flags and environment variables (through the hub's config) and is
//! handed as it is to whatever streams the bot's answers.

use std::time::Duration;

use crate::kernel::settings::{MustBePositive, all_positive, parse_duration};

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
}

impl BotConfig {
    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[("the bot's chunk interval", self.chunk_interval.is_zero())])
    }
}

impl Default for BotConfig {
    /// The declared defaults.
    fn default() -> Self {
        crate::kernel::settings::defaults()
    }
}
