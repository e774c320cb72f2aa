//! JSON Web Tokens: minted by the `token` command and the tests, verified on every request
//! that carries one. Receives a token's text; sends back the [`Identity`] it vouches for, or
//! why it is refused. The algorithm is pinned (`JWT_ALGORITHM`): a token signed with another,
//! or with `alg: none`, is refused, as is one signed with another key or past its `exp`.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::auth::identity::{Identity, UserRole};
use crate::config::auth::{AuthConfig, JwtAlgorithm};

/// What a token says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id (for an agent, its `agent_id`).
    pub sub: String,
    /// What the holder is.
    pub role: UserRole,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When the token expires, in seconds since the Unix epoch.
    pub exp: u64,
    /// The conversations a customer may join beside those it started.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<String>,
}

/// Why a token is refused; the 401's detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Past its `exp`.
    #[error("the token has expired")]
    Expired,
    /// Not signed with this hub's secret.
    #[error("the token's signature does not match")]
    BadSignature,
    /// Signed with another algorithm than the one the hub pins, `none` included.
    #[error("the token must be signed with {0}")]
    WrongAlgorithm(&'static str),
    /// Not a JWT, or its claims are missing or wrong.
    #[error("the token cannot be read: {0}")]
    Malformed(String),
    /// The hub has no `JWT_SECRET`, so it accepts no token.
    #[error("this hub has no JWT_SECRET, so it accepts no token")]
    NoSecret,
}

/// The keys and the rules a token is minted and checked with.
pub struct TokenKeys {
    /// Signs minted tokens.
    encoding: EncodingKey,
    /// Checks signatures.
    decoding: DecodingKey,
    /// The pinned algorithm, `exp` required.
    validation: Validation,
    /// The pinned algorithm, to sign with.
    algorithm: Algorithm,
}

impl TokenKeys {
    /// Keys for `secret`, pinned to `algorithm`.
    pub fn new(secret: &[u8], algorithm: JwtAlgorithm) -> TokenKeys {
        let algorithm = match algorithm {
            JwtAlgorithm::Hs256 => Algorithm::HS256,
            JwtAlgorithm::Hs384 => Algorithm::HS384,
            JwtAlgorithm::Hs512 => Algorithm::HS512,
        };
        let mut validation = Validation::new(algorithm);
        validation.set_required_spec_claims(&["exp", "sub"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            algorithm,
        }
    }

    /// The keys the settings describe, when they name a secret.
    pub fn from_config(config: &AuthConfig) -> Option<TokenKeys> {
        let secret = config.secret.as_ref()?;
        Some(TokenKeys::new(secret.0.as_bytes(), config.algorithm))
    }

    /// A token carrying `claims`, signed.
    pub fn mint(&self, claims: &Claims) -> Result<String, TokenError> {
        jsonwebtoken::encode(&Header::new(self.algorithm), claims, &self.encoding)
            .map_err(|error| TokenError::Malformed(error.to_string()))
    }

    /// The identity `token` vouches for, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<Identity, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|error| {
            TokenError::Malformed(format!(
                "its header cannot be read ({error}); alg must be {}",
                self.algorithm_name()
            ))
        })?;
        if header.alg != self.algorithm {
            return Err(TokenError::WrongAlgorithm(self.algorithm_name()));
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| self.refusal(error.into_kind()))?;
        let claims = data.claims;
        if claims.sub.trim().is_empty() {
            return Err(TokenError::Malformed("sub must not be empty".into()));
        }
        Ok(Identity {
            user_id: claims.sub,
            role: claims.role,
            name: claims.name,
            sessions: claims.sessions,
        })
    }

    /// The refusal for a failure to decode.
    fn refusal(&self, kind: ErrorKind) -> TokenError {
        match kind {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::InvalidSignature => TokenError::BadSignature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                TokenError::WrongAlgorithm(self.algorithm_name())
            }
            ErrorKind::Json(error) => TokenError::Malformed(error.to_string()),
            ErrorKind::MissingRequiredClaim(claim) => {
                TokenError::Malformed(format!("the claim {claim} is missing"))
            }
            other => TokenError::Malformed(format!("{other:?}")),
        }
    }

    /// The pinned algorithm's name.
    fn algorithm_name(&self) -> &'static str {
        match self.algorithm {
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            _ => "HS256",
        }
    }
}

/// Seconds since the Unix epoch, now.
pub fn now_seconds() -> u64 {
    jsonwebtoken::get_current_timestamp()
}
