//! Seed 001's session API. Receives `GET /api/sessions`, `GET /api/sessions/{session_name}`,
//! `POST /api/sessions/{session_name}/claim`, `POST /api/sessions/{session_name}/release` and
//! `GET /api/sessions/{session_name}/audit`; asks the session (or the store, for lists) and
//! sends JSON.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use switchboard_actors::escalation::Status;
use switchboard_actors::session::{Claim, GetSession, Release};
use switchboard_actors::store::{ListAudit, ListSessions};

use super::error::ApiError;
use super::fields::{self, AgentInfoBody};
use crate::session_json;
use crate::state::AppState;

/// Most rows a list returns unless `limit` says fewer.
const MAX_LIST: usize = 1000;

/// Query of `GET /api/sessions`.
#[derive(Deserialize)]
pub struct ListQuery {
    /// `bot_active`, `pending_manual` or `manual_live`; all when absent.
    status: Option<String>,
    /// At most this many (1 to 1000, default 1000).
    limit: Option<usize>,
}

/// Body of `POST /api/sessions/{session_name}/claim`: the agent, flat or as `agent_info`.
#[derive(Deserialize)]
pub struct ClaimBody {
    /// The agent, as in `POST /api/manual/messages`.
    agent_info: Option<AgentInfoBody>,
    /// The agent's id, when not given as `agent_info`.
    agent_id: Option<String>,
    /// The agent's name, when not given as `agent_info`.
    agent_name: Option<String>,
}

/// `GET /api/sessions/{session_name}`: status, history, escalation and agent.
pub async fn get(
    name: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    let session = state.ask_session(&name, GetSession).await??;
    Ok(HttpResponse::Ok().json(session_json::session(&session)))
}

/// `GET /api/sessions?status=pending_manual`: the sessions in a status, the longest-waiting
/// handover first (what an agent desk pulls); `total` counts every match.
pub async fn list(
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(Status::parse(text).ok_or_else(|| {
            ApiError::InvalidField(format!(
                "status '{}' is not bot_active, pending_manual or manual_live",
                text.chars().take(40).collect::<String>()
            ))
        })?),
    };
    let limit = query.limit.unwrap_or(MAX_LIST);
    if !(1..=MAX_LIST).contains(&limit) {
        return Err(ApiError::InvalidField(format!(
            "limit must be between 1 and {MAX_LIST}"
        )));
    }
    let list = state
        .store
        .send(ListSessions { status, limit })
        .await?
        .map_err(|error| ApiError::StoreUnavailable(error.to_string()))?;
    let sessions: Vec<_> = list
        .sessions
        .iter()
        .map(|row| session_json::summary(&row.name, &row.header, row.last_seq))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "success": true,
        "total": list.total,
        "sessions": sessions,
    })))
}

/// `POST /api/sessions/{session_name}/claim`: an agent takes a `pending_manual` session; a
/// session another agent holds is a 409.
pub async fn claim(
    name: web::Path<String>,
    body: web::Json<ClaimBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    let ClaimBody {
        agent_info,
        agent_id,
        agent_name,
    } = body.into_inner();
    let agent = match (agent_info, agent_id, agent_name) {
        (Some(info), _, _) => info.checked()?,
        (None, Some(agent_id), Some(agent_name)) => {
            AgentInfoBody::new(agent_id, agent_name).checked()?
        }
        _ => {
            return Err(ApiError::InvalidField(
                "give agent_info {agent_id, agent_name}, or agent_id and agent_name".into(),
            ));
        }
    };
    let session = state
        .ask_session(&name, Claim { agent, desk: None })
        .await??;
    Ok(HttpResponse::Ok().json(session_json::session(&session)))
}

/// `POST /api/sessions/{session_name}/release`: `manual_live → bot_active`, with a system
/// notice to the user; the agent assignment is cleared.
pub async fn release(
    name: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    let session = state.ask_session(&name, Release { by: None }).await??;
    Ok(HttpResponse::Ok().json(session_json::session(&session)))
}

/// `GET /api/sessions/{session_name}/audit`: the session's audit records, oldest first.
pub async fn audit(
    name: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    state.ask_session(&name, GetSession).await??;
    let records = state
        .store
        .send(ListAudit {
            name: name.clone(),
            limit: MAX_LIST,
        })
        .await?
        .map_err(|error| ApiError::StoreUnavailable(error.to_string()))?;
    Ok(HttpResponse::Ok().json(json!({
        "success": true,
        "session_name": name,
        "audit": records,
    })))
}
