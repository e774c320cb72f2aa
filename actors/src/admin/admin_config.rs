//! The admin room's settings, declared once: how often monitors hear `stats_update`, and the
//! notification webhook with its retries. Receives flags and environment variables (through
//! the hub's config) and is handed to the monitor feed and the notifier.

use std::time::Duration;

use crate::kernel::settings::{MustBePositive, all_positive, parse_duration};

/// The admin monitor's and the notifications' settings.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Admin monitor and notifications")]
pub struct AdminConfig {
    /// Interval between two `stats_update` frames to the admin monitor sockets.
    #[arg(
        long = "monitor-stats-interval",
        env = "MONITOR_STATS_INTERVAL",
        default_value = "60",
        value_parser = parse_duration
    )]
    pub stats_interval: Duration,
    /// URL every notification is POSTed to as JSON (`http://` or `https://`), e.g. a relay to
    /// email or SMS; unset, notifications go over the sockets only.
    #[arg(long = "notify-webhook-url", env = "NOTIFY_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Retries after a failed POST to the webhook; then the notification is dropped with a log
    /// line.
    #[arg(
        long = "notify-webhook-retries",
        env = "NOTIFY_WEBHOOK_RETRIES",
        default_value_t = 3
    )]
    pub webhook_retries: u32,
    /// Wait before the first retry; each next retry waits twice as long.
    #[arg(
        long = "notify-webhook-backoff",
        env = "NOTIFY_WEBHOOK_BACKOFF",
        default_value = "1",
        value_parser = parse_duration
    )]
    pub webhook_backoff: Duration,
    /// Longest wait for the webhook's answer to one POST.
    #[arg(
        long = "notify-webhook-timeout",
        env = "NOTIFY_WEBHOOK_TIMEOUT",
        default_value = "10",
        value_parser = parse_duration
    )]
    pub webhook_timeout: Duration,
}

impl AdminConfig {
    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[
            (
                "the monitor's stats interval",
                self.stats_interval.is_zero(),
            ),
            ("the webhook timeout", self.webhook_timeout.is_zero()),
        ])
    }

    /// The webhook's URL, when one is configured (an empty one counts as none).
    pub fn webhook(&self) -> Option<&str> {
        self.webhook_url
            .as_deref()
            .map(str::trim)
            .filter(|url| !url.is_empty())
    }
}

impl Default for AdminConfig {
    /// The declared defaults.
    fn default() -> Self {
        crate::kernel::settings::defaults()
    }
}
