//! The settings of the server itself and of its log, declared once: each field with its flag,
//! environment variable, default and meaning. Receives flags and environment variables
//! (through [`Config`](super::Config)) and is read by `main` and the hub's start.

use std::time::Duration;

use switchboard_actors::kernel::settings::{MustBePositive, all_positive, parse_duration};

/// Where the hub listens and how it stops.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Server")]
pub struct ServerConfig {
    /// Bind address.
    #[arg(long, env = "HOST", default_value = "0.0.0.0")]
    pub host: String,
    /// Bind port; `0` picks a free one (the first line on standard output names it).
    #[arg(long, env = "PORT", default_value_t = 8000)]
    pub port: u16,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "WORKERS")]
    pub workers: Option<usize>,
    /// Longest graceful drain at shutdown.
    #[arg(
        long = "shutdown-timeout",
        env = "SHUTDOWN_TIMEOUT",
        default_value = "10",
        value_parser = parse_duration
    )]
    pub shutdown_timeout: Duration,
    /// Longest wait for a request's whole body once its head has arrived; then 408 and the
    /// connection is closed.
    #[arg(
        long = "body-timeout",
        env = "HTTP_BODY_TIMEOUT",
        default_value = "10",
        value_parser = parse_duration
    )]
    pub body_timeout: Duration,
    /// Most connections one client address may hold; requests on the next get 429. `0` turns
    /// the cap off (behind a proxy every client shares the proxy's address).
    #[arg(
        long = "max-connections-per-ip",
        env = "MAX_CONNECTIONS_PER_IP",
        default_value_t = 1_000
    )]
    pub max_connections_per_ip: usize,
    /// Most SSE streams at once, all sessions together; the next gets 503 `too_many_streams`.
    #[arg(
        long = "sse-max-streams",
        env = "SSE_MAX_STREAMS",
        default_value_t = 10_000
    )]
    pub sse_max_streams: usize,
}

impl ServerConfig {
    /// The worker threads to run: as configured, else one per core.
    pub fn worker_threads(&self) -> usize {
        self.workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[
            ("workers", self.workers == Some(0)),
            ("the body timeout", self.body_timeout.is_zero()),
            ("the SSE stream limit", self.sse_max_streams == 0),
        ])
    }
}

/// What the hub logs.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Logging")]
pub struct LoggingConfig {
    /// Log filter (`env_logger` syntax), e.g. `debug` or `audit=info,warn`.
    #[arg(long = "log", env = "RUST_LOG", default_value = "info")]
    pub filter: String,
}
