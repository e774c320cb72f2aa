//! Seed 001's session API. Receives `GET /api/sessions`, `GET /api/sessions/{session_name}`
//! (with `?limit=&before_seq=`), `POST /api/sessions/{session_name}/claim`,
//! `POST /api/sessions/{session_name}/release` and `GET /api/sessions/{session_name}/audit`;
//! asks the session (or the sessions' handle, for pages, lists and audit logs) and sends JSON.
//! Every answer that carries a session carries one page of its history, never all of it.

use actix_web::{HttpResponse, web};
use switchboard_actors::takeover::Sessions;
use switchboard_actors::takeover::escalation::Status;
use switchboard_actors::takeover::history::PageRequest;
use switchboard_actors::takeover::model::SessionState;
use switchboard_actors::takeover::session_requests::{Claim, Release};

use super::{fields, ownership};
use crate::api_error::ApiError;
use crate::auth::identity::Caller;
use crate::input;
use crate::wire::takeover::conversation::{SessionBody, SummaryBody};
use crate::wire::takeover::rest::{
    AgentInfoBody, AuditBody, ClaimRequest, ListQuery, PageQuery, SessionListBody,
};

/// Most rows a list returns unless `limit` says fewer.
const MAX_LIST: usize = 1000;

/// The answer of a request that changed a session: its state with the newest page of its
/// history (`next_before_seq` leads to the older pages).
pub fn changed(state: &SessionState) -> HttpResponse {
    let page = state.page(PageRequest::latest());
    HttpResponse::Ok().json(SessionBody::of(&page))
}

/// `GET /api/sessions/{session_name}?limit=&before_seq=`: status, escalation, agent and one
/// page of the history (the newest 100 messages unless the query says otherwise), with the
/// message `total` and the cursor of the page before.
pub async fn get(
    name: web::Path<String>,
    query: web::Query<PageQuery>,
    caller: Caller,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    ownership::may_read(&caller, &sessions, &name).await?;
    let request = fields::page(&query)?;
    let page = sessions.page(&name, request).await??;
    Ok(HttpResponse::Ok().json(SessionBody::of(&page)))
}

/// `GET /api/sessions?status=pending_manual`: the sessions in a status, the longest-waiting
/// handover first (what an agent desk pulls); `total` counts every match.
pub async fn list(
    query: web::Query<ListQuery>,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(Status::parse(text).ok_or_else(|| {
            ApiError::InvalidField(format!(
                "status '{}' is not bot_active, pending_manual or manual_live",
                input::shown(text)
            ))
        })?),
    };
    let limit = query.limit.unwrap_or(MAX_LIST);
    if !(1..=MAX_LIST).contains(&limit) {
        return Err(ApiError::InvalidField(format!(
            "limit must be between 1 and {MAX_LIST}"
        )));
    }
    let list = sessions.list(status, limit).await??;
    Ok(HttpResponse::Ok().json(SessionListBody {
        success: true,
        total: list.total,
        sessions: list
            .sessions
            .iter()
            .map(|row| SummaryBody::of(&row.name, &row.header, row.last_seq))
            .collect(),
    }))
}

/// `POST /api/sessions/{session_name}/claim`: an agent takes a `pending_manual` session; a
/// session another agent holds is a 409.
pub async fn claim(
    name: web::Path<String>,
    body: web::Json<ClaimRequest>,
    caller: Caller,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    let ClaimRequest {
        agent_info,
        agent_id,
        agent_name,
    } = body.into_inner();
    let agent = match (agent_info, agent_id, agent_name) {
        (Some(info), _, _) => fields::agent(info)?,
        (None, Some(agent_id), Some(agent_name)) => fields::agent(AgentInfoBody {
            agent_id,
            agent_name,
        })?,
        _ => {
            return Err(ApiError::InvalidField(
                "give agent_info {agent_id, agent_name}, or agent_id and agent_name".into(),
            ));
        }
    };
    caller.may_act_as_agent(&agent.agent_id)?;
    let session = sessions.ask(&name, Claim { agent, desk: None }).await??;
    Ok(changed(&session))
}

/// `POST /api/sessions/{session_name}/release`: `manual_live → bot_active`, with a system
/// notice to the user; the agent assignment is cleared.
pub async fn release(
    name: web::Path<String>,
    caller: Caller,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    ownership::may_release(&caller, &sessions, &name).await?;
    let session = sessions.ask(&name, Release { by: None }).await??;
    Ok(changed(&session))
}

/// `GET /api/sessions/{session_name}/audit`: the session's audit records, oldest first.
pub async fn audit(
    name: web::Path<String>,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    let exists = PageRequest {
        before_seq: Some(0),
        limit: 1,
    };
    sessions.page(&name, exists).await??;
    let audit = sessions.audit(&name, MAX_LIST).await??;
    Ok(HttpResponse::Ok().json(AuditBody {
        success: true,
        session_name: &name,
        audit,
    }))
}
