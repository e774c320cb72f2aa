//! Who may use which route. Receives a route's [`Access`], the hub's mode and the caller's
//! identity (if its token gave one); sends back `Ok` or the refusal: 401 `unauthorized` when a
//! token is needed and missing, 403 `forbidden` when its role is not enough. Every route of the
//! hub is declared with its access in a [`RouteRule`], so none can be added unclassified.

use actix_web::http::Method;

use crate::api_error::ApiError;
use crate::auth::identity::{Identity, UserRole};
use crate::config::auth::AuthMode;

/// Who may use a route, in each mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Open mode: anyone; strict mode: any valid token (handlers check conversations).
    Member,
    /// Open mode: anyone; strict mode: an agent or admin token (agent actions, every
    /// conversation's list and audit).
    Agent,
    /// Open mode: anyone; strict mode: an admin token (the management API's reads).
    AdminWhenStrict,
    /// An admin token, in both modes (the admin surfaces: management writes, broadcast).
    Admin,
}

/// One route of the hub as its policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    /// The method it answers.
    pub method: &'static str,
    /// Its path pattern, as registered (`/api/sessions/{session_name}`).
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
    /// A socket or an event stream: a browser's `Origin` must be allowed.
    pub checks_origin: bool,
}

impl RouteRule {
    /// A REST route.
    pub const fn rest(method: &'static str, path: &'static str, access: Access) -> RouteRule {
        RouteRule {
            method,
            path,
            access,
            checks_origin: false,
        }
    }

    /// The method, as the router matches it (`GET` unless `POST`).
    pub fn http_method(&self) -> Method {
        match self.method {
            "POST" => Method::POST,
            _ => Method::GET,
        }
    }

    /// A WebSocket or SSE route, whose browser `Origin` is checked.
    pub const fn stream(method: &'static str, path: &'static str, access: Access) -> RouteRule {
        RouteRule {
            method,
            path,
            access,
            checks_origin: true,
        }
    }
}

/// Whether a caller with `identity` may use a route of `access` in `mode`.
pub fn admit(access: Access, mode: AuthMode, identity: Option<&Identity>) -> Result<(), ApiError> {
    let needed = match (access, mode) {
        (Access::Admin, _) | (Access::AdminWhenStrict, AuthMode::Strict) => Some(UserRole::Admin),
        (Access::Agent, AuthMode::Strict) => Some(UserRole::Agent),
        (Access::Member, AuthMode::Strict) => Some(UserRole::Customer),
        (_, AuthMode::Open) => None,
    };
    let Some(needed) = needed else {
        return Ok(());
    };
    let Some(identity) = identity else {
        return Err(ApiError::Unauthorized(format!(
            "{} token is needed: send Authorization: Bearer <jwt>, ?token=<jwt>, or on a \
             WebSocket Sec-WebSocket-Protocol: bearer, <jwt>",
            wanted(needed)
        )));
    };
    if rank(identity.role) < rank(needed) {
        return Err(ApiError::Forbidden(format!(
            "this needs {} token; this one is {}'s, a {}",
            wanted(needed),
            identity.user_id,
            name(identity.role)
        )));
    }
    Ok(())
}

/// How much a role may do: an admin all an agent may, an agent all a customer may.
fn rank(role: UserRole) -> u8 {
    match role {
        UserRole::Customer => 0,
        UserRole::Agent => 1,
        UserRole::Admin => 2,
    }
}

/// The role's name.
fn name(role: UserRole) -> &'static str {
    match role {
        UserRole::Customer => "customer",
        UserRole::Agent => "agent",
        UserRole::Admin => "admin",
    }
}

/// What a token must be, before the word "token": "a", "an agent", "an admin".
fn wanted(role: UserRole) -> &'static str {
    match role {
        UserRole::Customer => "a",
        UserRole::Agent => "an agent",
        UserRole::Admin => "an admin",
    }
}
