//! One typed configuration for the hub. Receives environment variables and command-line flags
//! (flags win), fills in defaults, and checks the result in [`Config::validate`] so that a bad
//! setting stops the hub at start with a clear message instead of misbehaving later.

use std::time::Duration;

use clap::Parser;
use switchboard_actors::regulator;

/// Everything the hub needs to start. `Config::default()` is the production default; tests
/// override fields (millisecond heartbeats, small limits).
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind (`HOST`).
    pub host: String,
    /// Port to bind (`PORT`).
    pub port: u16,
    /// HTTP worker threads (`WORKERS`); each runs its share of the sockets.
    pub workers: usize,
    /// How often the hub pings each socket (`WS_HEARTBEAT_INTERVAL` or
    /// `WEBSOCKET_HEARTBEAT_INTERVAL`).
    pub heartbeat_interval: Duration,
    /// A socket that sends nothing (not even a pong) for this long is closed with 4000
    /// (`WS_CONNECTION_TIMEOUT` or `WEBSOCKET_CONNECTION_TIMEOUT`). At least twice the interval.
    pub connection_timeout: Duration,
    /// Most sockets open at once; the next is closed with 1013 (`WS_MAX_CONNECTIONS` or
    /// `MAX_WEBSOCKET_CONNECTIONS`).
    pub max_connections: usize,
    /// Largest inbound message in bytes; a larger one gets an error frame (`WS_MAX_FRAME_BYTES`).
    pub max_frame_bytes: usize,
    /// Events queued for one socket before it counts as a slow consumer and is closed with 4008
    /// (`WS_OUTBOUND_QUEUE`).
    pub outbound_queue: usize,
    /// How long an issued call leg may go without opening its socket before it is dropped
    /// (`CALL_CONNECT_TIMEOUT`).
    pub call_connect_timeout: Duration,
    /// Transcripts held for a matched partner whose socket is not open yet
    /// (`CALL_TRANSCRIPT_BACKLOG`).
    pub transcript_backlog: usize,
    /// Most legs waiting on one side; the next call start is refused with 503
    /// (`CALL_QUEUE_LIMIT`).
    pub queue_limit: usize,
    /// Shortest gap between two rounds of queue-position updates to waiting legs
    /// (`QUEUE_UPDATE_INTERVAL`).
    pub queue_update_interval: Duration,
    /// Longest time a graceful shutdown waits for open connections to finish
    /// (`SHUTDOWN_TIMEOUT`).
    pub shutdown_timeout: Duration,
    /// The SQLite database file, created with its directory if missing; `:memory:` keeps
    /// everything in memory (`DATABASE_PATH`).
    pub database_path: String,
    /// Words in a user message that escalate the session to a human (`ESCALATION_KEYWORDS`,
    /// comma-separated).
    pub escalation_keywords: Vec<String>,
    /// Bot answers in a row that the bot did not understand before the session escalates; 0
    /// turns the rule off (`BOT_FAILURE_THRESHOLD`).
    pub bot_failure_threshold: u32,
    /// Told to the user when the regulator escalates (`ESCALATION_NOTICE`).
    pub escalation_notice: String,
    /// Told to the user when the agent hands the session back (`RELEASE_NOTICE`).
    pub release_notice: String,
    /// Told to the user when the agent's desk closed and did not come back within the grace
    /// (`AGENT_LOST_NOTICE`).
    pub agent_lost_notice: String,
    /// How long a session held through a desk waits for the agent's desk to come back before
    /// it returns to the bot (`DESK_RECONNECT_GRACE`).
    pub desk_reconnect_grace: Duration,
    /// A quiet `bot_active` session nobody follows is unloaded from memory after this long;
    /// it stays in the store (`SESSION_IDLE_TIMEOUT`).
    pub session_idle_timeout: Duration,
    /// How often an idle SSE stream sends a keep-alive comment (`SSE_KEEPALIVE_INTERVAL`).
    pub sse_keepalive_interval: Duration,
    /// Events buffered per SSE subscriber; one further behind is cut off and resumes with
    /// `Last-Event-ID` (`SSE_SUBSCRIBER_QUEUE`).
    pub sse_subscriber_queue: usize,
    /// Most SSE subscribers per session (`SSE_MAX_SUBSCRIBERS`).
    pub sse_max_subscribers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "0.0.0.0".into(),
            port: 8000,
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            heartbeat_interval: Duration::from_secs(30),
            connection_timeout: Duration::from_secs(60),
            max_connections: 10_000,
            max_frame_bytes: 64 * 1024,
            outbound_queue: 256,
            call_connect_timeout: Duration::from_secs(30),
            transcript_backlog: 200,
            queue_update_interval: Duration::from_millis(250),
            queue_limit: 10_000,
            shutdown_timeout: Duration::from_secs(10),
            database_path: "./data/switchboard.db".into(),
            escalation_keywords: regulator::DEFAULT_KEYWORDS.map(String::from).to_vec(),
            bot_failure_threshold: regulator::DEFAULT_FAILURE_THRESHOLD,
            escalation_notice: "Connecting you to a human agent; please hold on.".into(),
            release_notice: "The agent has left the conversation; the assistant is back.".into(),
            agent_lost_notice: "The agent was disconnected; the assistant is back. Ask for a human again at any time.".into(),
            desk_reconnect_grace: Duration::from_secs(60),
            session_idle_timeout: Duration::from_secs(600),
            sse_keepalive_interval: Duration::from_secs(15),
            sse_subscriber_queue: 256,
            sse_max_subscribers: 64,
        }
    }
}

/// A setting that cannot work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A count or duration that must be positive is zero.
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
    /// Held transcripts would not fit into the socket's queue when it opens.
    #[error("the transcript backlog ({backlog}) must be smaller than the outbound queue ({queue})")]
    BacklogTooLong {
        /// The configured backlog.
        backlog: usize,
        /// The configured outbound queue.
        queue: usize,
    },
    /// The heartbeat would not fit twice into the timeout.
    #[error(
        "the heartbeat interval ({interval:?}) must be at most half the connection timeout ({timeout:?})"
    )]
    HeartbeatTooSlow {
        /// The configured interval.
        interval: Duration,
        /// The configured timeout.
        timeout: Duration,
    },
}

impl Config {
    /// Reads flags and environment variables over the defaults.
    pub fn from_env_and_args() -> Config {
        Cli::parse().into_config()
    }

    /// `host:port`, for binding.
    pub fn bind_address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Checks that the settings can work together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("workers", self.workers == 0),
            ("the heartbeat interval", self.heartbeat_interval.is_zero()),
            ("the connection timeout", self.connection_timeout.is_zero()),
            ("the connection limit", self.max_connections == 0),
            ("the frame size limit", self.max_frame_bytes == 0),
            ("the outbound queue", self.outbound_queue == 0),
            (
                "the call connect timeout",
                self.call_connect_timeout.is_zero(),
            ),
            ("the database path", self.database_path.trim().is_empty()),
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
        ];
        if let Some((name, _)) = positive.iter().find(|(_, zero)| *zero) {
            return Err(ConfigError::Zero(name));
        }
        if self.transcript_backlog >= self.outbound_queue {
            return Err(ConfigError::BacklogTooLong {
                backlog: self.transcript_backlog,
                queue: self.outbound_queue,
            });
        }
        if self.heartbeat_interval * 2 > self.connection_timeout {
            return Err(ConfigError::HeartbeatTooSlow {
                interval: self.heartbeat_interval,
                timeout: self.connection_timeout,
            });
        }
        Ok(())
    }
}

/// Parses `30` or `1.5` (seconds, as the seeds write them), or `250ms`, `30s`, `2m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(split) => text.split_at(split),
        None => (text, "s"),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (try 30, 1.5, 250ms, 30s or 2m)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => {
            return Err(format!(
                "unknown unit '{unit}' in '{text}' (use ms, s or m)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("'{text}' is not a usable duration"))
}

/// Command-line flags, each with its environment variable. Unset values keep the defaults.
#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Switchboard: a realtime hub for customers, bots, agents and admins"
)]
struct Cli {
    /// Address to bind.
    #[arg(long, env = "HOST")]
    host: Option<String>,
    /// Port to bind.
    #[arg(long, env = "PORT")]
    port: Option<u16>,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "WORKERS")]
    workers: Option<usize>,
    /// Heartbeat ping interval (30, 1.5, 250ms, 30s ...).
    #[arg(long, env = "WS_HEARTBEAT_INTERVAL", value_parser = parse_duration)]
    heartbeat_interval: Option<Duration>,
    /// Seed 002's name for the heartbeat interval.
    #[arg(long, env = "WEBSOCKET_HEARTBEAT_INTERVAL", value_parser = parse_duration, hide = true)]
    websocket_heartbeat_interval: Option<Duration>,
    /// Close a socket silent for this long.
    #[arg(long, env = "WS_CONNECTION_TIMEOUT", value_parser = parse_duration)]
    connection_timeout: Option<Duration>,
    /// Seed 002's name for the connection timeout.
    #[arg(long, env = "WEBSOCKET_CONNECTION_TIMEOUT", value_parser = parse_duration, hide = true)]
    websocket_connection_timeout: Option<Duration>,
    /// Most sockets open at once.
    #[arg(long, env = "WS_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Seed 002's name for the connection limit.
    #[arg(long, env = "MAX_WEBSOCKET_CONNECTIONS", hide = true)]
    max_websocket_connections: Option<usize>,
    /// Largest inbound message in bytes.
    #[arg(long, env = "WS_MAX_FRAME_BYTES")]
    max_frame_bytes: Option<usize>,
    /// Events queued per socket before it is closed as a slow consumer.
    #[arg(long, env = "WS_OUTBOUND_QUEUE")]
    outbound_queue: Option<usize>,
    /// How long an issued call leg may wait for its socket.
    #[arg(long, env = "CALL_CONNECT_TIMEOUT", value_parser = parse_duration)]
    call_connect_timeout: Option<Duration>,
    /// Transcripts held for a partner whose socket is not open yet.
    #[arg(long, env = "CALL_TRANSCRIPT_BACKLOG")]
    transcript_backlog: Option<usize>,
    /// Most legs waiting on one side.
    #[arg(long, env = "CALL_QUEUE_LIMIT")]
    queue_limit: Option<usize>,
    /// Shortest gap between two rounds of queue-position updates.
    #[arg(long, env = "QUEUE_UPDATE_INTERVAL", value_parser = parse_duration)]
    queue_update_interval: Option<Duration>,
    /// Longest graceful-shutdown drain.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", value_parser = parse_duration)]
    shutdown_timeout: Option<Duration>,
    /// SQLite database file (`:memory:` for none).
    #[arg(long, env = "DATABASE_PATH")]
    database_path: Option<String>,
    /// Comma-separated words that escalate a session to a human.
    #[arg(long, env = "ESCALATION_KEYWORDS", value_delimiter = ',')]
    escalation_keywords: Option<Vec<String>>,
    /// Bot failures in a row that escalate (0: never).
    #[arg(long, env = "BOT_FAILURE_THRESHOLD")]
    bot_failure_threshold: Option<u32>,
    /// Told to the user when the regulator escalates.
    #[arg(long, env = "ESCALATION_NOTICE")]
    escalation_notice: Option<String>,
    /// Told to the user when the agent hands back to the bot.
    #[arg(long, env = "RELEASE_NOTICE")]
    release_notice: Option<String>,
    /// Told to the user when the agent's desk closed and did not come back.
    #[arg(long, env = "AGENT_LOST_NOTICE")]
    agent_lost_notice: Option<String>,
    /// How long a session waits for its agent's desk to come back.
    #[arg(long, env = "DESK_RECONNECT_GRACE", value_parser = parse_duration)]
    desk_reconnect_grace: Option<Duration>,
    /// Unload a quiet bot-only session from memory after this long.
    #[arg(long, env = "SESSION_IDLE_TIMEOUT", value_parser = parse_duration)]
    session_idle_timeout: Option<Duration>,
    /// Keep-alive comment interval on idle SSE streams.
    #[arg(long, env = "SSE_KEEPALIVE_INTERVAL", value_parser = parse_duration)]
    sse_keepalive_interval: Option<Duration>,
    /// Events buffered per SSE subscriber.
    #[arg(long, env = "SSE_SUBSCRIBER_QUEUE")]
    sse_subscriber_queue: Option<usize>,
    /// Most SSE subscribers per session.
    #[arg(long, env = "SSE_MAX_SUBSCRIBERS")]
    sse_max_subscribers: Option<usize>,
}

impl Cli {
    fn into_config(self) -> Config {
        let d = Config::default();
        Config {
            host: self.host.unwrap_or(d.host),
            port: self.port.unwrap_or(d.port),
            workers: self.workers.unwrap_or(d.workers),
            heartbeat_interval: self
                .heartbeat_interval
                .or(self.websocket_heartbeat_interval)
                .unwrap_or(d.heartbeat_interval),
            connection_timeout: self
                .connection_timeout
                .or(self.websocket_connection_timeout)
                .unwrap_or(d.connection_timeout),
            max_connections: self
                .max_connections
                .or(self.max_websocket_connections)
                .unwrap_or(d.max_connections),
            max_frame_bytes: self.max_frame_bytes.unwrap_or(d.max_frame_bytes),
            outbound_queue: self.outbound_queue.unwrap_or(d.outbound_queue),
            call_connect_timeout: self.call_connect_timeout.unwrap_or(d.call_connect_timeout),
            transcript_backlog: self.transcript_backlog.unwrap_or(d.transcript_backlog),
            queue_limit: self.queue_limit.unwrap_or(d.queue_limit),
            queue_update_interval: self
                .queue_update_interval
                .unwrap_or(d.queue_update_interval),
            shutdown_timeout: self.shutdown_timeout.unwrap_or(d.shutdown_timeout),
            database_path: self.database_path.unwrap_or(d.database_path),
            escalation_keywords: self.escalation_keywords.unwrap_or(d.escalation_keywords),
            bot_failure_threshold: self
                .bot_failure_threshold
                .unwrap_or(d.bot_failure_threshold),
            escalation_notice: self.escalation_notice.unwrap_or(d.escalation_notice),
            release_notice: self.release_notice.unwrap_or(d.release_notice),
            agent_lost_notice: self.agent_lost_notice.unwrap_or(d.agent_lost_notice),
            desk_reconnect_grace: self.desk_reconnect_grace.unwrap_or(d.desk_reconnect_grace),
            session_idle_timeout: self.session_idle_timeout.unwrap_or(d.session_idle_timeout),
            sse_keepalive_interval: self
                .sse_keepalive_interval
                .unwrap_or(d.sse_keepalive_interval),
            sse_subscriber_queue: self.sse_subscriber_queue.unwrap_or(d.sse_subscriber_queue),
            sse_max_subscribers: self.sse_max_subscribers.unwrap_or(d.sse_max_subscribers),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_seed_seconds_and_units() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("-1").is_err());
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn heartbeat_must_fit_twice_in_timeout() {
        let config = Config {
            heartbeat_interval: Duration::from_secs(40),
            connection_timeout: Duration::from_secs(60),
            ..Config::default()
        };
        assert!(matches!(
            config.validate(),
            Err(ConfigError::HeartbeatTooSlow { .. })
        ));
    }

    #[test]
    fn zero_limits_are_refused() {
        let config = Config {
            max_connections: 0,
            ..Config::default()
        };
        assert_eq!(
            config.validate(),
            Err(ConfigError::Zero("the connection limit"))
        );
    }

    #[test]
    fn seed_names_are_read_when_the_short_names_are_absent() {
        let cli = Cli::parse_from([
            "switchboard",
            "--websocket-heartbeat-interval",
            "5",
            "--max-websocket-connections",
            "7",
            "--connection-timeout",
            "250ms",
        ]);
        let config = cli.into_config();
        assert_eq!(config.heartbeat_interval, Duration::from_secs(5));
        assert_eq!(config.max_connections, 7);
        assert_eq!(config.connection_timeout, Duration::from_millis(250));
    }
}
