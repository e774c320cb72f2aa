//! Seed 001's handover API. Receives `POST /api/manual/escalate` and
//! `POST /api/manual/messages`; asks the session and sends its full state as JSON (409 with the
//! current status when the session's state does not allow the request).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;
use switchboard_actors::escalation::Author;
use switchboard_actors::session::{Escalate, PostManualMessage, Writer};

use super::error::ApiError;
use super::fields::{self, AgentInfoBody};
use crate::session_json;
use crate::state::AppState;

/// Body of `POST /api/manual/escalate`.
#[derive(Deserialize)]
pub struct EscalateBody {
    /// The session to hand to a human.
    session_name: String,
    /// Why: `user_request`, `regulator_triggered`, or the caller's own reason.
    reason: String,
    /// Free text or any JSON about the request; kept with the escalation.
    #[serde(default)]
    details: Option<Value>,
}

/// Body of `POST /api/manual/messages`.
#[derive(Deserialize)]
pub struct ManualMessageBody {
    /// The session.
    session_name: String,
    /// `agent` or `user`.
    role: Author,
    /// The text.
    content: String,
    /// Required when `role` is `agent`.
    #[serde(default)]
    agent_info: Option<AgentInfoBody>,
}

/// `POST /api/manual/escalate`: `bot_active → pending_manual`; the session queues for an
/// agent.
pub async fn escalate(
    body: web::Json<EscalateBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let EscalateBody {
        session_name,
        reason,
        details,
    } = body.into_inner();
    let name = fields::session_name(&session_name)?;
    let reason = fields::label("reason", &reason)?;
    let details = match details {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(fields::content("details", text)?),
        Some(other) => Some(fields::content("details", other.to_string())?),
    };
    let session = state
        .ask_session(&name, Escalate { reason, details })
        .await??;
    Ok(HttpResponse::Ok().json(session_json::session(&session)))
}

/// `POST /api/manual/messages`: a message during a handover, pushed to the session's
/// subscribers. The first agent message on a `pending_manual` session claims it.
pub async fn post_message(
    body: web::Json<ManualMessageBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let ManualMessageBody {
        session_name,
        role,
        content,
        agent_info,
    } = body.into_inner();
    let name = fields::session_name(&session_name)?;
    let content = fields::content("content", content)?;
    let writer = match (role, agent_info) {
        (Author::User, _) => Writer::User,
        (Author::Agent, Some(agent)) => Writer::Agent(agent.checked()?),
        (Author::Agent, None) => {
            return Err(ApiError::InvalidField(
                "agent_info {agent_id, agent_name} is required when role is agent".into(),
            ));
        }
    };
    let session = state
        .ask_session(
            &name,
            PostManualMessage {
                writer,
                content,
                desk: None,
            },
        )
        .await??;
    Ok(HttpResponse::Ok().json(session_json::session(&session)))
}
