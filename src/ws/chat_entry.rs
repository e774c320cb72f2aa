//! The way into a chat socket: who the caller is and what the socket is handed. Receives the
//! caller, the query (`user_id`, `since`) and the bound conversation of a `/ws/chat*` upgrade;
//! sends back the [`ChatDialect`] to serve, or a 400 for a bad `user_id`. In strict mode the
//! user is the token's; in open mode the token's if one was given, else `?user_id=`, else a
//! fresh `guest-…` id, as a customer.

use std::sync::Arc;

use actix::Addr;
use serde::Deserialize;
use switchboard_actors::chat::ChatHub;
use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::Sessions;

use crate::api_error::ApiError;
use crate::auth::identity::{Caller, UserRole};
use crate::config::chat_config::ChatConfig;
use crate::input;
use crate::ws::dialect::chat_socket::ChatDialect;
use crate::ws::dialect::chat_work::ChatUser;
use crate::ws::dialect::token_bucket::TokenBucket;

/// The query of a chat socket's upgrade.
#[derive(Debug, Deserialize)]
pub struct ChatQuery {
    /// Who the user is, in open mode without a token.
    pub user_id: Option<String>,
    /// For a bound socket: the last sequence number the client has.
    pub since: Option<u64>,
}

/// What every chat socket is handed. Registered once by the wiring.
#[derive(Clone)]
pub struct ChatServices {
    /// Presence and routing.
    pub hub: Addr<ChatHub>,
    /// Seed 001's conversations.
    pub sessions: Sessions,
    /// The chat sockets' limits.
    pub config: Arc<ChatConfig>,
}

impl ChatServices {
    /// The dialect of a chat socket for `caller`, bound to `bound` if given.
    pub fn dialect(
        &self,
        caller: Caller,
        query: &ChatQuery,
        bound: Option<SessionName>,
    ) -> Result<ChatDialect, ApiError> {
        let user = chat_user(caller, query.user_id.as_deref())?;
        let bucket = TokenBucket::new(
            self.config.message_rate,
            self.config.message_burst,
            tokio::time::Instant::now(),
        );
        let bound = bound.map(|name| (name, query.since));
        Ok(ChatDialect::new(
            self.hub.clone(),
            self.sessions.clone(),
            user,
            bound,
            bucket,
        ))
    }
}

/// Who a chat socket serves.
fn chat_user(caller: Caller, asked: Option<&str>) -> Result<ChatUser, ApiError> {
    let (user_id, role) = match &caller.identity {
        Some(identity) => (identity.user_id.clone(), role_name(identity.role)),
        None => match asked {
            Some(asked) => (
                input::label("user_id", asked).map_err(ApiError::InvalidField)?,
                "customer",
            ),
            None => (guest_id(), "customer"),
        },
    };
    Ok(ChatUser {
        user_id,
        role,
        caller,
    })
}

/// A role's name.
fn role_name(role: UserRole) -> &'static str {
    match role {
        UserRole::Customer => "customer",
        UserRole::Agent => "agent",
        UserRole::Admin => "admin",
    }
}

/// A fresh guest's id.
fn guest_id() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("guest-{}", &hex[..12])
}
