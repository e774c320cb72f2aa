//! Checks on the fields of seed-001 request bodies. Receives raw strings from the JSON
//! bodies; sends back typed values or an [`ApiError::InvalidField`] naming the field (the text
//! rules themselves live in [`crate::input`], shared with the desk socket).

use serde::Deserialize;
use switchboard_actors::SessionName;
use switchboard_actors::session::AgentInfo;

use super::error::ApiError;
use crate::input;

/// `agent_info` as the seed sends it.
#[derive(Debug, Deserialize)]
pub struct AgentInfoBody {
    /// The agent's id.
    agent_id: String,
    /// The agent's display name.
    agent_name: String,
}

impl AgentInfoBody {
    /// An agent given as two loose fields.
    pub fn new(agent_id: String, agent_name: String) -> Self {
        AgentInfoBody {
            agent_id,
            agent_name,
        }
    }

    /// The checked agent.
    pub fn checked(self) -> Result<AgentInfo, ApiError> {
        Ok(AgentInfo {
            agent_id: label("agent_info.agent_id", &self.agent_id)?,
            agent_name: label("agent_info.agent_name", &self.agent_name)?,
        })
    }
}

/// A session name from a body or a path.
pub fn session_name(text: &str) -> Result<SessionName, ApiError> {
    SessionName::parse(text).map_err(|error| ApiError::InvalidField(error.to_string()))
}

/// Message text: not blank, at most [`input::MAX_CONTENT_CHARS`] characters.
pub fn content(field: &str, text: String) -> Result<String, ApiError> {
    input::content(field, text).map_err(ApiError::InvalidField)
}

/// A short label (reason, agent id, ...): trimmed, not empty, no control characters.
pub fn label(field: &str, text: &str) -> Result<String, ApiError> {
    input::label(field, text).map_err(ApiError::InvalidField)
}
