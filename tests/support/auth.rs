//! Tokens for tests: a secret, hubs in strict mode, tokens of each role (also expired, badly
//! signed, `alg: none`), and requests that carry a token in a header, the query or the
//! WebSocket protocol, reporting the status the hub answered.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use switchboard::Config;
use switchboard::auth::identity::UserRole;
use switchboard::auth::token::{Claims, TokenKeys, now_seconds};
use switchboard::config::auth::{AuthMode, JwtAlgorithm, JwtSecret};

use super::raw::RawConnection;
use super::{HubClient, test_config};

/// The tests' secret: 32 bytes.
pub const SECRET: &str = "a-test-secret-of-32-bytes-length";

/// [`test_config`] with the tests' secret, in `mode`.
pub fn config_in(mode: AuthMode) -> Config {
    let mut config = test_config();
    config.auth.mode = mode;
    config.auth.secret = Some(JwtSecret(SECRET.into()));
    config
}

/// A token for `user` as `role`, naming `sessions`, signed with `secret` and `algorithm`,
/// expiring in `ttl_seconds` (negative: already expired).
pub fn signed(
    user: &str,
    role: UserRole,
    sessions: &[&str],
    secret: &str,
    algorithm: JwtAlgorithm,
    ttl_seconds: i64,
) -> String {
    let claims = Claims {
        sub: user.into(),
        role,
        name: None,
        exp: now_seconds().saturating_add_signed(ttl_seconds),
        sessions: sessions.iter().map(|s| s.to_string()).collect(),
    };
    TokenKeys::new(secret.as_bytes(), algorithm)
        .mint(&claims)
        .expect("mint")
}

/// A valid token for `user` as `role`.
pub fn token(user: &str, role: UserRole) -> String {
    signed(user, role, &[], SECRET, JwtAlgorithm::Hs256, 3600)
}

/// An unsigned token (`alg: none`) that claims to be an admin.
pub fn unsigned_admin() -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let exp = now_seconds() + 3600;
    let claims = format!(r#"{{"sub":"mallory","role":"admin","exp":{exp}}}"#);
    format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims))
}

impl HubClient {
    /// `method` `path` with `token` as a bearer (if any) and `body` as JSON (if any): the
    /// status and the JSON body (`Null` when the body is not JSON, e.g. an event stream).
    pub async fn call_as(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = match method {
            "POST" => self.http.post(self.url(path)),
            _ => self.http.get(self.url(path)),
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let mut response = match body {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        }
        .expect("request");
        let status = response.status().as_u16();
        let json = response
            .headers()
            .get("content-type")
            .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
        let body = match json {
            true => response.json::<Value>().await.expect("JSON body"),
            false => Value::Null,
        };
        (status, body)
    }

    /// Asks for a WebSocket upgrade at `path` with `headers` (`Name: value` lines): the
    /// status (101 when it opened), the `Sec-WebSocket-Protocol` answer, and the JSON body of
    /// a refusal (`Null` otherwise).
    pub async fn upgrade_with(&self, path: &str, headers: &[&str]) -> (u16, Option<String>, Value) {
        let mut connection = RawConnection::open(self.addr).await;
        let mut head = String::from(
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
        );
        for header in headers {
            head.push_str(&format!("{header}\r\n"));
        }
        connection.request("GET", path, &head, "").await;
        let response = connection.response().await;
        let protocol = response.header("sec-websocket-protocol").map(str::to_owned);
        let body = response.try_json().unwrap_or(Value::Null);
        (response.status, protocol, body)
    }
}
