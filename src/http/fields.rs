//! Checks on the fields of seed-001 requests. Receives raw strings from JSON bodies and
//! paths; sends back typed values or an [`ApiError::InvalidField`] naming the field and the
//! rule (the text rules themselves live in [`crate::input`], shared with the sockets).

use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::model::AgentInfo;

use crate::api_error::ApiError;
use crate::input;
use crate::wire::takeover::rest::AgentInfoBody;

/// The checked agent of an `agent_info` body.
pub fn agent(body: AgentInfoBody) -> Result<AgentInfo, ApiError> {
    Ok(AgentInfo {
        agent_id: label("agent_info.agent_id", &body.agent_id)?,
        agent_name: label("agent_info.agent_name", &body.agent_name)?,
    })
}

/// A session name from a body or a path.
pub fn session_name(text: &str) -> Result<SessionName, ApiError> {
    input::session_name("session_name", text).map_err(ApiError::InvalidField)
}

/// Message text: not blank, no NUL, at most [`input::MAX_CONTENT_CHARS`] characters.
pub fn content(field: &str, text: String) -> Result<String, ApiError> {
    input::content(field, text).map_err(ApiError::InvalidField)
}

/// A short label (reason, agent id, ...): trimmed, not empty, no control, bidi or zero-width
/// characters.
pub fn label(field: &str, text: &str) -> Result<String, ApiError> {
    input::label(field, text).map_err(ApiError::InvalidField)
}
