//! The settings every WebSocket shares, declared once: each field with its flag, environment
//! variable (and seed 002's older name), default and meaning. Receives flags and environment
//! variables (through [`Config`](super::Config)) and is handed as it is to every connection
//! and to the connection registry.

use std::time::Duration;

use switchboard_actors::kernel::settings::{MustBePositive, all_positive, parse_duration};

/// Heartbeats, sizes and queues of every socket.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Sockets")]
pub struct SocketConfig {
    /// Ping interval.
    #[arg(
        long = "heartbeat-interval",
        alias = "websocket-heartbeat-interval",
        env = "WS_HEARTBEAT_INTERVAL",
        default_value = "30",
        value_parser = parse_duration
    )]
    pub heartbeat_interval: Duration,
    /// Close a silent socket (4000); must be at least twice the interval.
    #[arg(
        long = "connection-timeout",
        alias = "websocket-connection-timeout",
        env = "WS_CONNECTION_TIMEOUT",
        default_value = "60",
        value_parser = parse_duration
    )]
    pub connection_timeout: Duration,
    /// Most sockets at once; the next is closed with 1013.
    #[arg(
        long = "max-connections",
        alias = "max-websocket-connections",
        env = "WS_MAX_CONNECTIONS",
        default_value_t = 10_000
    )]
    pub max_connections: usize,
    /// Largest inbound message, in bytes.
    #[arg(
        long = "max-frame-bytes",
        env = "WS_MAX_FRAME_BYTES",
        default_value_t = 65_536
    )]
    pub max_frame_bytes: usize,
    /// Events queued per socket before it is closed as a slow consumer (4008).
    #[arg(
        long = "outbound-queue",
        env = "WS_OUTBOUND_QUEUE",
        default_value_t = 256
    )]
    pub outbound_queue: usize,
    /// Close a socket or SSE stream whose client has not taken what was sent for this long.
    #[arg(
        long = "write-timeout",
        env = "WS_WRITE_TIMEOUT",
        default_value = "10",
        value_parser = parse_duration
    )]
    pub write_timeout: Duration,
    /// Kernel send buffer of each socket and SSE stream, in bytes: what a client that stops
    /// reading can pin; `0` leaves the kernel's autotuning (up to megabytes).
    #[arg(
        long = "send-buffer",
        env = "WS_SEND_BUFFER",
        default_value_t = 262_144
    )]
    pub send_buffer: usize,
}

impl SocketConfig {
    /// The codec's hard cap: messages above it break the connection (1009) instead of getting
    /// an error frame, so that a client cannot make the hub buffer without bound.
    pub fn hard_frame_cap(&self) -> usize {
        self.max_frame_bytes.saturating_mul(16).max(1 << 20)
    }

    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[
            ("the heartbeat interval", self.heartbeat_interval.is_zero()),
            ("the connection timeout", self.connection_timeout.is_zero()),
            ("the connection limit", self.max_connections == 0),
            ("the frame size limit", self.max_frame_bytes == 0),
            ("the outbound queue", self.outbound_queue == 0),
            ("the write timeout", self.write_timeout.is_zero()),
        ])
    }
}

impl Default for SocketConfig {
    /// The declared defaults.
    fn default() -> Self {
        switchboard_actors::kernel::settings::defaults()
    }
}
