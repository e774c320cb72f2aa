//! The settings of seed 000's call matching, declared once: each field with its flag, its
//! environment variable, its default and its meaning. Receives flags and environment variables
//! (through the hub's config) and is handed as it is to the Matchmaker and every Call.

use std::time::Duration;

use crate::kernel::settings::{MustBePositive, all_positive, parse_duration};

/// How call legs wait, what is held for them, and how long the queues may grow.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Calls (seed 000)")]
pub struct CallConfig {
    /// An issued leg that opens no socket in this time is dropped; a leg that left the queue
    /// unmatched is remembered as ended this long (matched calls are kept in the store).
    #[arg(
        long = "call-connect-timeout",
        env = "CALL_CONNECT_TIMEOUT",
        default_value = "30",
        value_parser = parse_duration
    )]
    pub connect_timeout: Duration,
    /// Lines held for a partner whose socket is not open yet; must be below
    /// `WS_OUTBOUND_QUEUE`.
    #[arg(
        long = "transcript-backlog",
        env = "CALL_TRANSCRIPT_BACKLOG",
        default_value_t = 200
    )]
    pub transcript_backlog: usize,
    /// Most legs waiting on one side; the next start gets 503 `queue_full`.
    #[arg(
        long = "queue-limit",
        env = "CALL_QUEUE_LIMIT",
        default_value_t = 10_000
    )]
    pub queue_limit: usize,
    /// Shortest gap between two rounds of `queue_position` updates; legs that leave meanwhile
    /// are folded into one round.
    #[arg(
        long = "queue-update-interval",
        env = "QUEUE_UPDATE_INTERVAL",
        default_value = "0.25",
        value_parser = parse_duration
    )]
    pub queue_update_interval: Duration,
}

impl Default for CallConfig {
    /// The declared defaults.
    fn default() -> Self {
        crate::kernel::settings::defaults()
    }
}

impl CallConfig {
    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[("the call connect timeout", self.connect_timeout.is_zero())])
    }
}
