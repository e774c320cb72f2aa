//! `switchboard token`: mints a token for development. Receives the user id, role, lifetime
//! and optional name and conversations as flags, and the secret and algorithm from the same
//! settings as the hub (`JWT_SECRET`, `JWT_ALGORITHM`); sends the token on standard output.

use std::time::Duration;

use clap::Parser;
use switchboard_actors::kernel::settings::parse_duration;

use crate::auth::identity::UserRole;
use crate::auth::token::{Claims, TokenKeys, now_seconds};
use crate::config::auth::AuthConfig;

/// `switchboard token --user ID --role ROLE [--ttl 1h]`.
#[derive(Debug, Parser)]
#[command(
    name = "switchboard token",
    about = "Mint a token signed with JWT_SECRET"
)]
pub struct TokenCommand {
    /// The user id (`sub`); for an agent, its `agent_id`.
    #[arg(long)]
    pub user: String,
    /// `customer`, `agent` or `admin`.
    #[arg(long, value_enum)]
    pub role: UserRole,
    /// How long the token lasts: `90s`, `30m`, `1h`, `7d`.
    #[arg(long, default_value = "1h", value_parser = parse_ttl)]
    pub ttl: Duration,
    /// A display name (`name`).
    #[arg(long)]
    pub name: Option<String>,
    /// Conversations a customer may join beside those it starts, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub sessions: Vec<String>,
    /// The secret and algorithm, as the hub reads them.
    #[command(flatten)]
    pub auth: AuthConfig,
}

impl TokenCommand {
    /// The token the flags describe, or why there is none.
    pub fn mint(&self) -> Result<String, String> {
        let keys = TokenKeys::from_config(&self.auth)
            .ok_or("set JWT_SECRET (or --jwt-secret) to the hub's secret")?;
        let claims = Claims {
            sub: self.user.clone(),
            role: self.role,
            name: self.name.clone(),
            exp: now_seconds() + self.ttl.as_secs(),
            sessions: self.sessions.clone(),
        };
        keys.mint(&claims).map_err(|error| error.to_string())
    }
}

/// A lifetime: the hub's durations (`90`, `30s`, `2m`), or hours and days (`1h`, `7d`).
fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let hours = |number: &str, factor: u64| {
        number
            .parse::<u64>()
            .map(|n| Duration::from_secs(n * factor))
            .map_err(|_| format!("'{text}' is not a lifetime (try 1h, 30m or 7d)"))
    };
    if let Some(number) = text.strip_suffix('h') {
        return hours(number, 3600);
    }
    if let Some(number) = text.strip_suffix('d') {
        return hours(number, 86_400);
    }
    parse_duration(text)
}
