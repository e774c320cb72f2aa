//! Checks on the fields of seed-001 requests. Receives raw strings from JSON bodies, paths and
//! queries; sends back typed values or an [`ApiError::InvalidField`] naming the field and the
//! rule (the text rules themselves live in [`crate::input`], shared with the sockets).

use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::history::{MAX_PAGE, PageRequest};
use switchboard_actors::takeover::model::AgentInfo;

use crate::api_error::ApiError;
use crate::input;
use crate::wire::takeover::rest::{AgentInfoBody, PageQuery};

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

/// The page of history `?limit=&before_seq=` asks for: `limit` 1 to [`MAX_PAGE`] (the
/// default page when absent), `before_seq` a sequence number.
pub fn page(query: &PageQuery) -> Result<PageRequest, ApiError> {
    let mut page = PageRequest::latest();
    if let Some(text) = &query.limit {
        page.limit = text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|limit| (1..=MAX_PAGE).contains(limit))
            .ok_or_else(|| {
                ApiError::InvalidField(format!(
                    "limit must be a whole number between 1 and {MAX_PAGE}, not '{}'",
                    input::shown(text)
                ))
            })?;
    }
    if let Some(text) = &query.before_seq {
        let before = text.trim().parse::<u64>().map_err(|_| {
            ApiError::InvalidField(format!(
                "before_seq must be a sequence number (a whole number from 0), not '{}'",
                input::shown(text)
            ))
        })?;
        page.before_seq = Some(before);
    }
    Ok(page)
}
