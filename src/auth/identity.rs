//! Who makes a request: the [`Identity`] a valid token vouches for, and the [`Caller`] a
//! handler takes (the mode and the identity, if any). Receives what the guard found in front of
//! the route; sends the handlers' answers to "may this caller use this conversation, act as
//! this agent, see call ids?" as `Ok` or a 403.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::{Deserialize, Serialize};

use crate::api_error::ApiError;
use crate::config::auth::AuthMode;

/// What a token's holder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum UserRole {
    /// Talks to the bot and to agents, in its own conversations.
    Customer,
    /// Takes over conversations: desk, claim, release, manual messages.
    Agent,
    /// Everything, the admin surfaces included.
    Admin,
}

/// The holder of a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The token's `sub`: the user id, or an agent's `agent_id`.
    pub user_id: String,
    /// The token's `role`.
    pub role: UserRole,
    /// The token's `name`, if it gives one.
    pub name: Option<String>,
    /// The conversations a customer may join beside those it started (`sessions`).
    pub sessions: Vec<String>,
}

impl Identity {
    /// An agent or an admin: may read any conversation.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, UserRole::Agent | UserRole::Admin)
    }
}

/// A conversation as its access is decided: not started yet (whoever starts it owns it), or
/// started by `owner` (`None`: started without a customer token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversation<'a> {
    /// No conversation has this name yet.
    NotStarted,
    /// It exists.
    Started {
        /// The customer who started it.
        owner: Option<&'a str>,
    },
}

/// The caller of a handler: the hub's mode and the identity its token gave, if it gave one.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The hub's mode.
    pub mode: AuthMode,
    /// The token's holder; `None` for a request without a token (open mode only).
    pub identity: Option<Identity>,
}

impl Caller {
    /// An admin token's holder.
    pub fn is_admin(&self) -> bool {
        self.identity
            .as_ref()
            .is_some_and(|identity| identity.role == UserRole::Admin)
    }

    /// The owner a conversation this caller starts records: a customer's id.
    pub fn owner_of_new(&self) -> Option<String> {
        self.identity
            .as_ref()
            .filter(|identity| identity.role == UserRole::Customer)
            .map(|identity| identity.user_id.clone())
    }

    /// In strict mode, whether the caller may read conversation `name`: staff may read any; a
    /// customer those it started or its token names.
    pub fn may_read(&self, name: &str, conversation: Conversation<'_>) -> Result<(), ApiError> {
        match self.strict_identity() {
            None => Ok(()),
            Some(identity) if identity.is_staff() => Ok(()),
            Some(identity) => owns(identity, name, conversation),
        }
    }

    /// In strict mode, whether the caller may write as the user of conversation `name`: a
    /// customer in its own conversations (or a new one), or an admin; an agent answers with
    /// manual messages instead.
    pub fn may_speak_as_user(
        &self,
        name: &str,
        conversation: Conversation<'_>,
    ) -> Result<(), ApiError> {
        match self.strict_identity() {
            None => Ok(()),
            Some(identity) => match identity.role {
                UserRole::Admin => Ok(()),
                UserRole::Agent => Err(ApiError::Forbidden(
                    "an agent writes to a conversation with role agent, not as its user".into(),
                )),
                UserRole::Customer => owns(identity, name, conversation),
            },
        }
    }

    /// In strict mode, whether the caller may act as agent `agent_id`: an agent or admin
    /// whose token's `sub` is that id.
    pub fn may_act_as_agent(&self, agent_id: &str) -> Result<(), ApiError> {
        match self.strict_identity() {
            None => Ok(()),
            Some(identity) if !identity.is_staff() => {
                Err(ApiError::Forbidden("this needs an agent token".into()))
            }
            Some(identity) if identity.user_id != agent_id => Err(ApiError::Forbidden(format!(
                "the token is agent {}'s; it cannot act as another agent",
                identity.user_id
            ))),
            Some(_) => Ok(()),
        }
    }

    /// In strict mode, whether a line of this caller may go only into a conversation it owns
    /// (or starts): a customer whose token does not grant `name`.
    pub fn must_own(&self, name: &str) -> bool {
        self.strict_identity().is_some_and(|identity| {
            identity.role == UserRole::Customer
                && !identity.sessions.iter().any(|session| session == name)
        })
    }

    /// The identity, in strict mode; `None` in open mode (which checks no conversation).
    fn strict_identity(&self) -> Option<&Identity> {
        match self.mode {
            AuthMode::Open => None,
            AuthMode::Strict => self.identity.as_ref(),
        }
    }
}

/// Whether customer `identity` may use conversation `name`: one it started, one its token
/// names, or one not started yet (which it then starts).
fn owns(identity: &Identity, name: &str, conversation: Conversation<'_>) -> Result<(), ApiError> {
    let granted = identity.sessions.iter().any(|session| session == name);
    match conversation {
        _ if granted => Ok(()),
        Conversation::NotStarted => Ok(()),
        Conversation::Started { owner: Some(owner) } if owner == identity.user_id => Ok(()),
        _ => Err(ApiError::Forbidden(format!(
            "the conversation {name} is not this customer's"
        ))),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = req.extensions().get::<Caller>().cloned();
        ready(Ok(caller.unwrap_or(Caller {
            mode: AuthMode::Open,
            identity: None,
        })))
    }
}
