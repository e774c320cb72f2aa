//! Seed 001's handover API. Receives `POST /api/manual/escalate` and
//! `POST /api/manual/messages`; asks the session and sends its state with the newest page of
//! its history as JSON (409 with the current status when the session's state does not allow
//! the request).

use actix_web::{HttpResponse, web};
use serde_json::Value;
use switchboard_actors::takeover::Sessions;
use switchboard_actors::takeover::escalation::Author;
use switchboard_actors::takeover::operations::Writer;
use switchboard_actors::takeover::session_requests::{Escalate, PostManualMessage};

use super::sessions::changed;
use super::{fields, ownership};
use crate::api_error::ApiError;
use crate::auth::identity::Caller;
use crate::wire::takeover::rest::{EscalateRequest, ManualMessageRequest};

/// `POST /api/manual/escalate`: `bot_active → pending_manual`; the session queues for an
/// agent.
pub async fn escalate(
    body: web::Json<EscalateRequest>,
    caller: Caller,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let EscalateRequest {
        session_name,
        reason,
        details,
    } = body.into_inner();
    let name = fields::session_name(&session_name)?;
    ownership::may_read(&caller, &sessions, &name).await?;
    let reason = fields::label("reason", &reason)?;
    let details = match details {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(fields::content("details", text)?),
        Some(other) => Some(fields::content("details", other.to_string())?),
    };
    let session = sessions.ask(&name, Escalate { reason, details }).await??;
    Ok(changed(&session))
}

/// `POST /api/manual/messages`: a message during a handover, pushed to the session's
/// subscribers. The first agent message on a `pending_manual` session claims it.
pub async fn post_message(
    body: web::Json<ManualMessageRequest>,
    caller: Caller,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let ManualMessageRequest {
        session_name,
        role,
        content,
        agent_info,
    } = body.into_inner();
    let name = fields::session_name(&session_name)?;
    let content = fields::content("content", content)?;
    let writer = match (role, agent_info) {
        (Author::User, _) => {
            ownership::may_speak_as_user(&caller, &sessions, &name).await?;
            Writer::User
        }
        (Author::Agent, Some(agent)) => {
            let agent = fields::agent(agent)?;
            caller.may_act_as_agent(&agent.agent_id)?;
            Writer::Agent(agent)
        }
        (Author::Agent, None) => {
            return Err(ApiError::InvalidField(
                "agent_info {agent_id, agent_name} is required when role is agent".into(),
            ));
        }
    };
    let message = PostManualMessage {
        writer,
        content,
        desk: None,
    };
    let session = sessions.ask(&name, message).await??;
    Ok(changed(&session))
}
