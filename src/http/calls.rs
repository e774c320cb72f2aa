//! Seed 000's call REST API. Receives `POST /api/calls/start`, `GET /api/calls/match/{call_id}`,
//! `POST /api/calls/{call_id}/end` and `GET /api/calls`; asks the Matchmaker and sends JSON.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use switchboard_actors::{
    CallId, CallView, EndCall, EndOrigin, ListCalls, LookupCall, Placement, Role, StartCall,
    WaitingLeg,
};

use super::error::ApiError;
use crate::state::AppState;

/// Longest display name accepted, in characters.
const MAX_NAME_CHARS: usize = 100;

/// Body of `POST /api/calls/start`.
#[derive(Deserialize)]
pub struct StartCallBody {
    /// `customer` or `agent`.
    user_type: Role,
    /// Display name shown to the partner.
    user_name: String,
}

fn parse_call_id(text: &str) -> Result<CallId, ApiError> {
    CallId::parse(text).map_err(|_| ApiError::UnknownCall(text.chars().take(64).collect()))
}

/// `POST /api/calls/start`: issue a leg, matched at once or queued.
pub async fn start(
    body: web::Json<StartCallBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let StartCallBody {
        user_type,
        user_name,
    } = body.into_inner();
    let user_name = user_name.trim().to_owned();
    if user_name.is_empty() {
        return Err(ApiError::InvalidField("user_name must not be empty".into()));
    }
    if user_name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::InvalidField(format!(
            "user_name is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    let started = state
        .matchmaker
        .send(StartCall {
            role: user_type,
            name: user_name.clone(),
        })
        .await?
        .map_err(|full| ApiError::QueueFull(full.limit))?;
    let mut body = json!({
        "call_id": started.call_id,
        "user_type": user_type,
        "user_name": user_name,
        "created_at": started.created_at,
    });
    let placement = match started.placement {
        Placement::Waiting { position } => json!({
            "status": "waiting",
            "queue_position": position,
        }),
        Placement::Matched {
            partner_call_id,
            partner_name,
        } => json!({
            "status": "matched",
            "partner_call_id": partner_call_id,
            "partner_name": partner_name,
        }),
    };
    merge(&mut body, placement);
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /api/calls/match/{call_id}`: the leg's partner, or its place in the queue.
pub async fn find_match(
    call_id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let call_id = parse_call_id(&call_id)?;
    let view = state
        .matchmaker
        .send(LookupCall {
            call_id: call_id.clone(),
        })
        .await?
        .ok_or_else(|| ApiError::UnknownCall(call_id.to_string()))?;
    let body = match view {
        CallView::Waiting {
            role,
            name,
            position,
            since,
        } => json!({
            "call_id": call_id,
            "status": "waiting",
            "user_type": role,
            "user_name": name,
            "queue_position": position,
            "waiting_since": since,
        }),
        CallView::Matched {
            role,
            name,
            partner_call_id,
            partner_name,
            started_at,
            session_id,
        } => json!({
            "call_id": call_id,
            "status": "matched",
            "user_type": role,
            "user_name": name,
            "partner_call_id": partner_call_id,
            "partner_name": partner_name,
            "session_id": session_id,
            "started_at": started_at,
        }),
        CallView::Ended { role, reason } => json!({
            "call_id": call_id,
            "status": "ended",
            "user_type": role,
            "reason": reason.as_str(),
        }),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// `POST /api/calls/{call_id}/end`: end the call (or withdraw the waiting leg).
pub async fn end(
    call_id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let call_id = parse_call_id(&call_id)?;
    state
        .matchmaker
        .send(EndCall {
            call_id: call_id.clone(),
            origin: EndOrigin::Api,
        })
        .await?
        .map_err(|_| ApiError::UnknownCall(call_id.to_string()))?;
    Ok(HttpResponse::Ok().json(json!({ "call_id": call_id, "status": "ended" })))
}

/// `GET /api/calls`: active calls and both queues, in the seed's shapes.
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let snapshot = state.matchmaker.send(ListCalls).await?;
    let active: Vec<_> = snapshot
        .active_calls
        .iter()
        .map(|call| {
            json!({
                "session_id": call.session_id,
                "customer_call_id": call.customer_call_id,
                "agent_call_id": call.agent_call_id,
                "customer_name": call.customer_name,
                "agent_name": call.agent_name,
                "started_at": call.started_at,
                "status": "active",
            })
        })
        .collect();
    let queue = |legs: &[WaitingLeg], name_field: &str| -> Vec<serde_json::Value> {
        legs.iter()
            .map(|leg| {
                json!({
                    "call_id": leg.call_id,
                    name_field: leg.name,
                    "timestamp": leg.since,
                    "queue_position": leg.position,
                    "connected": leg.connected,
                })
            })
            .collect()
    };
    Ok(HttpResponse::Ok().json(json!({
        "active_calls": active,
        "waiting_customers": queue(&snapshot.waiting_customers, "customer_name"),
        "available_agents": queue(&snapshot.available_agents, "agent_name"),
    })))
}

fn merge(into: &mut serde_json::Value, from: serde_json::Value) {
    if let (Some(into), serde_json::Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}
