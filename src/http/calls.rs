//! Seed 000's call REST API. Receives `POST /api/calls/start`, `GET /api/calls/match/{call_id}`,
//! `POST /api/calls/{call_id}/end` and `GET /api/calls`; asks the Matchmaker and sends the
//! shapes of [`matching`](crate::wire::matching).

use actix::Addr;
use actix_web::{HttpResponse, web};
use switchboard_actors::calls::{
    CallView, EndCall, EndOrigin, ListCalls, LookupCall, Matchmaker, Placement, StartCall,
    WaitingLeg,
};
use switchboard_actors::kernel::ids::CallId;

use crate::api_error::ApiError;
use crate::auth::identity::Caller;
use crate::input;
use crate::wire::matching::{
    ActiveCallBody, CallListBody, EndCallResponse, LegName, MatchBody, PlacementBody,
    QueuedLegBody, StartCallRequest, StartCallResponse,
};

/// Longest display name accepted, in characters.
const MAX_NAME_CHARS: usize = 100;

fn parse_call_id(text: &str) -> Result<CallId, ApiError> {
    CallId::parse(text).map_err(|_| ApiError::UnknownCall(input::shown(text)))
}

/// `POST /api/calls/start`: issue a leg, matched at once or queued.
pub async fn start(
    body: web::Json<StartCallRequest>,
    matchmaker: web::Data<Addr<Matchmaker>>,
) -> Result<HttpResponse, ApiError> {
    let StartCallRequest {
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
    input::name_chars("user_name", &user_name).map_err(ApiError::InvalidField)?;
    let started = matchmaker
        .send(StartCall {
            role: user_type,
            name: user_name.clone(),
        })
        .await?
        .map_err(|full| ApiError::QueueFull(full.limit))?;
    let placement = match &started.placement {
        Placement::Waiting { position } => PlacementBody::Waiting {
            queue_position: *position,
        },
        Placement::Matched {
            partner_call_id,
            partner_name,
        } => PlacementBody::Matched {
            partner_call_id,
            partner_name,
        },
    };
    Ok(HttpResponse::Ok().json(StartCallResponse {
        call_id: &started.call_id,
        user_type,
        user_name: &user_name,
        created_at: started.created_at,
        placement,
    }))
}

/// `GET /api/calls/match/{call_id}`: the leg's partner, or its place in the queue.
pub async fn find_match(
    call_id: web::Path<String>,
    matchmaker: web::Data<Addr<Matchmaker>>,
) -> Result<HttpResponse, ApiError> {
    let call_id = parse_call_id(&call_id)?;
    let view = matchmaker
        .send(LookupCall {
            call_id: call_id.clone(),
        })
        .await?
        .ok_or_else(|| ApiError::UnknownCall(call_id.to_string()))?;
    let body = match &view {
        CallView::Waiting {
            role,
            name,
            position,
            since,
        } => MatchBody::Waiting {
            call_id: &call_id,
            user_type: *role,
            user_name: name,
            queue_position: *position,
            waiting_since: *since,
        },
        CallView::Matched {
            role,
            name,
            partner_call_id,
            partner_name,
            started_at,
            pair_id,
        } => MatchBody::Matched {
            call_id: &call_id,
            user_type: *role,
            user_name: name,
            partner_call_id,
            partner_name,
            session_id: *pair_id,
            started_at: *started_at,
        },
        CallView::Ended { role, reason } => MatchBody::Ended {
            call_id: &call_id,
            user_type: *role,
            reason: reason.as_str(),
        },
    };
    Ok(HttpResponse::Ok().json(body))
}

/// `POST /api/calls/{call_id}/end`: end the call (or withdraw the waiting leg).
pub async fn end(
    call_id: web::Path<String>,
    matchmaker: web::Data<Addr<Matchmaker>>,
) -> Result<HttpResponse, ApiError> {
    let call_id = parse_call_id(&call_id)?;
    matchmaker
        .send(EndCall {
            call_id: call_id.clone(),
            origin: EndOrigin::Api,
        })
        .await?
        .map_err(|_| ApiError::UnknownCall(call_id.to_string()))?;
    Ok(HttpResponse::Ok().json(EndCallResponse {
        call_id: &call_id,
        status: "ended",
    }))
}

/// `GET /api/calls`: active calls and both queues, in the seed's shapes; the call ids only
/// for an admin token (a call id is all `/ws/call` asks for).
pub async fn list(
    caller: Caller,
    matchmaker: web::Data<Addr<Matchmaker>>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = matchmaker.send(ListCalls).await?;
    let admin = caller.is_admin();
    let shown = |call_id: CallId| admin.then_some(call_id);
    let active_calls = snapshot
        .active_calls
        .into_iter()
        .map(|call| ActiveCallBody {
            session_id: call.pair_id,
            customer_call_id: shown(call.customer_call_id),
            agent_call_id: shown(call.agent_call_id),
            customer_name: call.customer_name,
            agent_name: call.agent_name,
            started_at: call.started_at,
            status: "active",
        })
        .collect();
    let queue = |legs: Vec<WaitingLeg>, name: fn(std::sync::Arc<str>) -> LegName| {
        legs.into_iter()
            .map(|leg| QueuedLegBody {
                call_id: shown(leg.call_id),
                name: name(leg.name),
                timestamp: leg.since,
                queue_position: leg.position,
                connected: leg.connected,
            })
            .collect()
    };
    Ok(HttpResponse::Ok().json(CallListBody {
        active_calls,
        waiting_customers: queue(snapshot.waiting_customers, LegName::Customer),
        available_agents: queue(snapshot.available_agents, LegName::Agent),
    }))
}
