//! One typed configuration for the hub, one struct per area, each setting declared once (its
//! flag, environment variable, default, meaning and checks) in the area that uses it: the
//! server and the log ([`server`]), the sockets ([`sockets`]), seed 003's chat sockets
//! ([`chat_config`]), seed 000's calls, seed 001's takeover, the bot, seed 002's speech to
//! text and the store (declared in the actor crate, beside the actors they are handed to) and
//! access control ([`auth`]).
//! Receives flags and environment variables (flags win; seed 002's older variable names are
//! read when the new ones are absent) and sends back a [`Config`], checked by
//! [`Config::validate`] so that a bad setting stops the hub at start with a clear message.
//! [`reference`] renders the README's table from the same declarations.

pub mod auth;
pub mod chat_config;
pub mod reference;
pub mod server;
pub mod sockets;

use std::ffi::OsString;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser};
use switchboard_actors::admin::admin_config::AdminConfig;
use switchboard_actors::bot::bot_config::{BotConfig, BotConfigError};
use switchboard_actors::calls::CallConfig;
use switchboard_actors::interview::speech_config::SpeechConfig;
use switchboard_actors::kernel::settings::{self, MustBePositive};
use switchboard_actors::store::StoreConfig;
use switchboard_actors::takeover::TakeoverConfig;

use auth::{AuthConfig, AuthConfigError};
use chat_config::ChatConfig;
use server::{LoggingConfig, ServerConfig};
use sockets::SocketConfig;

/// Everything the hub needs to start. `Config::default()` is the production default; tests
/// change fields (millisecond heartbeats, small limits).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Switchboard: a realtime hub for customers, bots, agents and admins"
)]
pub struct Config {
    /// Where the hub listens and how it stops.
    #[command(flatten)]
    pub server: ServerConfig,
    /// Heartbeats, sizes and queues of every socket.
    #[command(flatten)]
    pub sockets: SocketConfig,
    /// Seed 003's chat sockets.
    #[command(flatten)]
    pub chat: ChatConfig,
    /// Seed 000's call matching.
    #[command(flatten)]
    pub calls: CallConfig,
    /// Seed 001's takeover.
    #[command(flatten)]
    pub takeover: TakeoverConfig,
    /// The bot.
    #[command(flatten)]
    pub bot: BotConfig,
    /// Seed 002's speech to text.
    #[command(flatten)]
    pub speech: SpeechConfig,
    /// The store.
    #[command(flatten)]
    pub store: StoreConfig,
    /// The log.
    #[command(flatten)]
    pub logging: LoggingConfig,
    /// Tokens and who may do what.
    #[command(flatten)]
    pub auth: AuthConfig,
    /// Seed 003's admin monitor and notifications.
    #[command(flatten)]
    pub admin: AdminConfig,
}

impl Default for Config {
    /// The declared defaults, without reading flags or the environment.
    fn default() -> Self {
        settings::defaults()
    }
}

/// A setting that cannot work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A count or duration that must be positive is zero.
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
    /// A bot setting that cannot work: a zero duration, or an FAQ file that cannot be read.
    #[error(transparent)]
    Bot(#[from] BotConfigError),
    /// Access control that cannot work: strict mode without a long enough secret.
    #[error(transparent)]
    Auth(#[from] AuthConfigError),
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
    /// The connections configured need more descriptors than the open-file limit leaves.
    #[error(
        "{settings} with {http} connections kept for plain HTTP need at least {wanted} \
         connections, but the open-file limit ({open_files}) leaves room for {room}; lower the \
         setting or raise the limit (e.g. `ulimit -n`)"
    )]
    TooManyForOpenFiles {
        /// The settings that do not fit, with their values.
        settings: String,
        /// The fewest connections they need, the HTTP headroom included.
        wanted: usize,
        /// Connections kept for plain HTTP requests.
        http: usize,
        /// The open-file limit in force.
        open_files: u64,
        /// Connections that fit under it.
        room: usize,
    },
}

impl From<MustBePositive> for ConfigError {
    fn from(zero: MustBePositive) -> Self {
        ConfigError::Zero(zero.0)
    }
}

impl Config {
    /// Reads the process's flags and environment over the defaults; on bad input prints
    /// clap's message and exits.
    pub fn from_env_and_args() -> Config {
        match Config::try_from_args(std::env::args_os()) {
            Ok(config) => config,
            Err(error) => error.exit(),
        }
    }

    /// Reads `args` and the environment over the defaults.
    pub fn try_from_args<I, T>(args: I) -> Result<Config, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Config::command_with_env_aliases().try_get_matches_from(args)?;
        Config::from_arg_matches(&matches)
    }

    /// The command line, where a setting whose variable is unset reads the older name its
    /// flag alias stands for (`WEBSOCKET_HEARTBEAT_INTERVAL` for `WS_HEARTBEAT_INTERVAL`).
    fn command_with_env_aliases() -> clap::Command {
        Config::command().mut_args(|arg| {
            let Some(env) = arg.get_env() else {
                return arg;
            };
            if std::env::var_os(env).is_some() {
                return arg;
            }
            let older = arg
                .get_all_aliases()
                .unwrap_or_default()
                .into_iter()
                .map(reference::alias_env)
                .find(|name| std::env::var_os(name).is_some());
            match older {
                Some(name) => arg.env(name),
                None => arg,
            }
        })
    }

    /// The Markdown table of every setting, as the README shows it.
    pub fn reference_table() -> String {
        reference::markdown_table(&Config::command())
    }

    /// `host:port`, for binding.
    pub fn bind_address(&self) -> String {
        format!("{}:{}", self.server.host, self.server.port)
    }

    /// Checks that the settings can work together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.server.validate()?;
        self.sockets.validate()?;
        self.chat.validate()?;
        self.calls.validate()?;
        self.store.validate()?;
        self.takeover.validate()?;
        self.bot.validate()?;
        self.speech.validate()?;
        self.auth.validate()?;
        self.admin.validate()?;
        if self.calls.transcript_backlog >= self.sockets.outbound_queue {
            return Err(ConfigError::BacklogTooLong {
                backlog: self.calls.transcript_backlog,
                queue: self.sockets.outbound_queue,
            });
        }
        if self.sockets.heartbeat_interval * 2 > self.sockets.connection_timeout {
            return Err(ConfigError::HeartbeatTooSlow {
                interval: self.sockets.heartbeat_interval,
                timeout: self.sockets.connection_timeout,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn heartbeat_must_fit_twice_in_timeout() {
        let mut config = Config::default();
        config.sockets.heartbeat_interval = Duration::from_secs(40);
        config.sockets.connection_timeout = Duration::from_secs(60);
        assert!(matches!(
            config.validate(),
            Err(ConfigError::HeartbeatTooSlow { .. })
        ));
    }

    #[test]
    fn zero_limits_are_refused() {
        let mut config = Config::default();
        config.sockets.max_connections = 0;
        assert_eq!(
            config.validate(),
            Err(ConfigError::Zero("the connection limit"))
        );
    }

    #[test]
    fn seed_names_are_read_when_the_short_names_are_absent() {
        let config = Config::try_from_args([
            "switchboard",
            "--websocket-heartbeat-interval",
            "5",
            "--max-websocket-connections",
            "7",
            "--connection-timeout",
            "250ms",
        ])
        .expect("the seed's flag names parse");
        assert_eq!(config.sockets.heartbeat_interval, Duration::from_secs(5));
        assert_eq!(config.sockets.max_connections, 7);
        assert_eq!(
            config.sockets.connection_timeout,
            Duration::from_millis(250)
        );
    }

    #[test]
    fn the_readme_table_is_the_declared_settings() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split_once("<!-- settings:begin -->\n")
            .and_then(|(_, rest)| rest.split_once("<!-- settings:end -->"))
            .map(|(table, _)| table)
            .expect("the README marks its settings table");
        let declared = Config::reference_table();
        assert!(
            table == declared,
            "the README's settings table differs from the declarations; replace it with:\n{declared}"
        );
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let config = Config::default();
        assert_eq!(config.bind_address(), "0.0.0.0:8000");
        assert_eq!(config.sockets.heartbeat_interval, Duration::from_secs(30));
        assert_eq!(
            config.calls.queue_update_interval,
            Duration::from_millis(250)
        );
        assert_eq!(config.takeover.escalation_keywords.len(), 8);
        assert_eq!(config.store.database_path, "./data/switchboard.db");
    }
}
