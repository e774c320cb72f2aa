//! Whose conversation it is, in strict mode. Receives a handler's [`Caller`] and a session's
//! name; asks the sessions for the session's header (its owner and holding agent) only when the
//! caller's token must be checked against it; sends back `Ok`, or 403 `forbidden`.

use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::Sessions;
use switchboard_actors::takeover::history::PageRequest;
use switchboard_actors::takeover::model::SessionHeader;
use switchboard_actors::takeover::session_requests::SessionError;

use crate::api_error::ApiError;
use crate::auth::identity::{Caller, Conversation, UserRole};
use crate::config::auth::AuthMode;

/// The header of session `name`, or `None` when no session has that name.
async fn header(
    sessions: &Sessions,
    name: &SessionName,
) -> Result<Option<SessionHeader>, ApiError> {
    let newest_only = PageRequest {
        before_seq: Some(0),
        limit: 1,
    };
    match sessions.page(name, newest_only).await? {
        Ok(page) => Ok(Some(page.header)),
        Err(SessionError::NotFound(_)) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Whether a token must be checked against the session (strict mode, a non-admin token).
fn checked(caller: &Caller) -> bool {
    caller.mode == AuthMode::Strict && !caller.is_admin()
}

/// The session as its access sees it.
fn conversation(header: Option<&SessionHeader>) -> Conversation<'_> {
    match header {
        None => Conversation::NotStarted,
        Some(header) => Conversation::Started {
            owner: header.owner.as_deref(),
        },
    }
}

/// The caller may read session `name` (its history, its events, or ask for a human).
pub async fn may_read(
    caller: &Caller,
    sessions: &Sessions,
    name: &SessionName,
) -> Result<(), ApiError> {
    if !checked(caller) {
        return Ok(());
    }
    let header = header(sessions, name).await?;
    caller.may_read(name.as_str(), conversation(header.as_ref()))
}

/// The caller may write as the user of session `name` (or start it).
pub async fn may_speak_as_user(
    caller: &Caller,
    sessions: &Sessions,
    name: &SessionName,
) -> Result<(), ApiError> {
    if !checked(caller) {
        return Ok(());
    }
    let header = header(sessions, name).await?;
    caller.may_speak_as_user(name.as_str(), conversation(header.as_ref()))
}

/// The caller may hand session `name` back to the bot: the agent holding it, or an admin.
pub async fn may_release(
    caller: &Caller,
    sessions: &Sessions,
    name: &SessionName,
) -> Result<(), ApiError> {
    let Some(identity) = caller.identity.as_ref().filter(|_| checked(caller)) else {
        return Ok(());
    };
    let header = header(sessions, name).await?;
    let holder = header
        .as_ref()
        .and_then(|header| header.assigned_agent.as_ref());
    match holder {
        Some(holder)
            if identity.role == UserRole::Agent && holder.agent.agent_id != identity.user_id =>
        {
            Err(ApiError::Forbidden(format!(
                "the session is held by another agent, not {}",
                identity.user_id
            )))
        }
        _ => Ok(()),
    }
}
