//! Seed 003's chat socket settings, declared once: the sockets one user may hold and the pace
//! at which one socket may send. Receives flags and environment variables (through
//! [`Config`](super::Config)); the per-user limit is handed to the ChatHub, the pace to every
//! chat socket.

use switchboard_actors::kernel::settings::{MustBePositive, all_positive};

/// Limits of the chat sockets (`/ws/chat*`).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Chat sockets")]
pub struct ChatConfig {
    /// Most chat sockets one user may have open; the next is closed with 4029.
    #[arg(
        long = "chat-max-connections-per-user",
        env = "CHAT_MAX_CONNECTIONS_PER_USER",
        default_value_t = 5
    )]
    pub max_connections_per_user: usize,
    /// Messages per second one chat socket may send on average (the bucket's refill).
    #[arg(
        long = "chat-message-rate",
        env = "CHAT_MESSAGE_RATE",
        default_value_t = 10.0
    )]
    pub message_rate: f64,
    /// Messages one chat socket may send at once before the rate applies (the bucket's size).
    #[arg(
        long = "chat-message-burst",
        env = "CHAT_MESSAGE_BURST",
        default_value_t = 20
    )]
    pub message_burst: u32,
}

impl ChatConfig {
    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[
            (
                "the chat connections per user",
                self.max_connections_per_user == 0,
            ),
            (
                "the chat message rate",
                self.message_rate.is_nan() || self.message_rate <= 0.0,
            ),
            ("the chat message burst", self.message_burst == 0),
        ])
    }
}

impl Default for ChatConfig {
    /// The declared defaults.
    fn default() -> Self {
        switchboard_actors::kernel::settings::defaults()
    }
}
