//! The settings of seed 001's takeover, declared once: each field with its flag, environment
//! variable, default and meaning. Receives flags and environment variables (through the hub's
//! config) and is handed as it is to the session directory, every session and the SSE streams.

use std::time::Duration;

use crate::kernel::settings::{MustBePositive, all_positive, parse_duration};
use crate::takeover::regulator::{DEFAULT_FAILURE_THRESHOLD, DEFAULT_KEYWORDS, Regulator};

/// Told to the user when the regulator escalates, unless configured otherwise.
pub const DEFAULT_ESCALATION_NOTICE: &str = "Connecting you to a human agent; please hold on.";

/// Told to the user when the agent releases the session, unless configured otherwise.
pub const DEFAULT_RELEASE_NOTICE: &str =
    "The agent has left the conversation; the assistant is back.";

/// Told to the user when the agent's desk went away for good, unless configured otherwise.
pub const DEFAULT_AGENT_LOST_NOTICE: &str =
    "The agent was disconnected; the assistant is back. Ask for a human again at any time.";

/// How conversations escalate, what they tell the user, and how they are followed.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Takeover (seed 001)")]
pub struct TakeoverConfig {
    /// Comma-separated words that escalate a session.
    #[arg(
        long = "escalation-keywords",
        env = "ESCALATION_KEYWORDS",
        value_delimiter = ',',
        default_values_t = DEFAULT_KEYWORDS.map(String::from)
    )]
    pub escalation_keywords: Vec<String>,
    /// Bot answers in a row not understood before escalating; `0` turns the rule off.
    #[arg(
        long = "bot-failure-threshold",
        env = "BOT_FAILURE_THRESHOLD",
        default_value_t = DEFAULT_FAILURE_THRESHOLD
    )]
    pub bot_failure_threshold: u32,
    /// Told to the user when the regulator escalates.
    #[arg(
        long = "escalation-notice",
        env = "ESCALATION_NOTICE",
        default_value = DEFAULT_ESCALATION_NOTICE
    )]
    pub escalation_notice: String,
    /// Told to the user on release.
    #[arg(
        long = "release-notice",
        env = "RELEASE_NOTICE",
        default_value = DEFAULT_RELEASE_NOTICE
    )]
    pub release_notice: String,
    /// Told to the user when the agent's desk went away and did not come back in time.
    #[arg(
        long = "agent-lost-notice",
        env = "AGENT_LOST_NOTICE",
        default_value = DEFAULT_AGENT_LOST_NOTICE
    )]
    pub agent_lost_notice: String,
    /// How long a session waits for its agent's closed desk to come back before it returns
    /// to the bot.
    #[arg(
        long = "desk-reconnect-grace",
        env = "DESK_RECONNECT_GRACE",
        default_value = "60",
        value_parser = parse_duration
    )]
    pub desk_reconnect_grace: Duration,
    /// A quiet bot-only session nobody follows is unloaded from memory (not from the store).
    #[arg(
        long = "session-idle-timeout",
        env = "SESSION_IDLE_TIMEOUT",
        default_value = "600",
        value_parser = parse_duration
    )]
    pub session_idle_timeout: Duration,
    /// Keep-alive comment on a quiet SSE stream.
    #[arg(
        long = "sse-keepalive-interval",
        env = "SSE_KEEPALIVE_INTERVAL",
        default_value = "15",
        value_parser = parse_duration
    )]
    pub sse_keepalive_interval: Duration,
    /// Events buffered per SSE subscriber before it is cut off to resume.
    #[arg(
        long = "sse-subscriber-queue",
        env = "SSE_SUBSCRIBER_QUEUE",
        default_value_t = 256
    )]
    pub sse_subscriber_queue: usize,
    /// Most SSE subscribers per session; the next gets 429.
    #[arg(
        long = "sse-max-subscribers",
        env = "SSE_MAX_SUBSCRIBERS",
        default_value_t = 64
    )]
    pub sse_max_subscribers: usize,
}

impl Default for TakeoverConfig {
    /// The declared defaults.
    fn default() -> Self {
        crate::kernel::settings::defaults()
    }
}

impl TakeoverConfig {
    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[
            (
                "the session idle timeout",
                self.session_idle_timeout.is_zero(),
            ),
            (
                "the SSE keep-alive interval",
                self.sse_keepalive_interval.is_zero(),
            ),
            ("the SSE subscriber queue", self.sse_subscriber_queue == 0),
            ("the SSE subscriber limit", self.sse_max_subscribers == 0),
        ])
    }

    /// The automatic escalation rules these settings describe.
    pub fn regulator(&self) -> Regulator {
        Regulator::new(&self.escalation_keywords, self.bot_failure_threshold)
    }
}
