//! The settings of access control, declared once: the mode, the JWT secret and algorithm, and
//! the browser origins allowed on sockets and event streams. Receives flags and environment
//! variables (through [`Config`](super::Config)); read by the hub's start (which builds the
//! token keys from them) and by the `token` command.

use std::fmt;

/// How much the hub asks of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// Clients need no token, except on the admin surfaces (local use; the seeds' clients).
    Open,
    /// Every endpoint and socket needs a token; customers reach only their own conversations.
    Strict,
}

/// The HMAC algorithm tokens are signed with; a token signed otherwise is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256.
    #[value(name = "HS256")]
    Hs256,
    /// HMAC with SHA-384.
    #[value(name = "HS384")]
    Hs384,
    /// HMAC with SHA-512.
    #[value(name = "HS512")]
    Hs512,
}

/// The shared secret tokens are signed with; never shown in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtSecret(pub String);

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JwtSecret({} bytes)", self.0.len())
    }
}

/// The fewest bytes a secret must have in strict mode.
pub const MIN_SECRET_BYTES: usize = 32;

/// Who may use the hub.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Access control")]
pub struct AuthConfig {
    /// `open`: no token needed except on the admin surfaces; `strict`: every endpoint and
    /// socket needs one (see "Access control").
    #[arg(
        long = "auth-mode",
        env = "AUTH_MODE",
        value_enum,
        default_value = "open"
    )]
    pub mode: AuthMode,
    /// The secret tokens are signed with; at least 32 bytes in strict mode. Without it no
    /// token is accepted.
    #[arg(long = "jwt-secret", env = "JWT_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub secret: Option<JwtSecret>,
    /// The one algorithm a token may be signed with (`HS256`, `HS384`, `HS512`).
    #[arg(
        long = "jwt-algorithm",
        env = "JWT_ALGORITHM",
        value_enum,
        default_value = "HS256"
    )]
    pub algorithm: JwtAlgorithm,
    /// Browser origins allowed to open sockets and event streams, comma-separated, beside the
    /// hub's own host: `host` (any scheme and port), `scheme://host[:port]`, or `*`.
    #[arg(
        long = "allowed-origins",
        env = "ALLOWED_ORIGINS",
        value_delimiter = ',',
        default_value = "localhost,127.0.0.1,[::1]"
    )]
    pub allowed_origins: Vec<String>,
}

/// Reads a secret as it is given.
fn parse_secret(text: &str) -> Result<JwtSecret, String> {
    Ok(JwtSecret(text.to_owned()))
}

/// Access-control settings that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthConfigError {
    /// Strict mode without a secret, or with a short one.
    #[error(
        "AUTH_MODE=strict needs a JWT_SECRET of at least {MIN_SECRET_BYTES} bytes (it has {0})"
    )]
    WeakSecret(usize),
}

impl AuthConfig {
    /// Checks that strict mode has a secret long enough.
    pub fn validate(&self) -> Result<(), AuthConfigError> {
        let length = self.secret.as_ref().map_or(0, |secret| secret.0.len());
        if self.mode == AuthMode::Strict && length < MIN_SECRET_BYTES {
            return Err(AuthConfigError::WeakSecret(length));
        }
        Ok(())
    }
}
