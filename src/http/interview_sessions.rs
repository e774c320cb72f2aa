//! Seed 002's management API of the interview sockets, `/api/v1/websocket/*`. Receives
//! `GET sessions`, `GET sessions/{session_id}` and `POST sessions/{session_id}/message`; asks
//! the interview room and sends `{"success": true, "data": ...}` (failures are `{"error",
//! "detail"}`); also the interview sockets' part of `GET stats` and `POST broadcast`, which
//! the management API of seed 003 answers for the whole hub. Each session carries
//! `kind: "interview"`, so another kind of session can join the same lists.

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};
use switchboard_actors::interview::interview_requests::{
    FindInterview, InterviewError, InterviewEvent, ListOpen, OpenInterview, Push,
};
use switchboard_actors::interview::interviews::Interviews;

use crate::api_error::ApiError;
use crate::wire::interview_frames::{
    AiResponseData, HistoryEntry, PushBody, PushedBody, SessionDetail, SessionSummary,
    SessionsBody, StatsBody, Success, WebsocketStats, iso_time,
};

/// Longest pushed `type`, in characters.
const MAX_TYPE_CHARS: usize = 64;

/// Seed 002's figures of the interview sockets, the `data` of `GET /api/v1/websocket/stats`.
pub async fn interview_stats(interviews: &Interviews) -> Result<StatsBody, ApiError> {
    let open = interviews.directory.send(ListOpen).await?;
    let counters = &interviews.counters;
    let websocket_stats = WebsocketStats {
        total_connections: counters.connections.get(),
        active_connections: open.iter().map(|open| open.connections).sum(),
        messages_sent: counters.messages_sent.get(),
        messages_received: counters.messages_received.get(),
        errors_count: counters.errors.get(),
        uptime_seconds: counters.started.elapsed().as_secs_f64(),
    };
    let active_sessions = open
        .into_iter()
        .map(|open| open.interview.session_id)
        .collect();
    Ok(StatsBody {
        websocket_stats,
        active_sessions,
    })
}

/// `GET /api/v1/websocket/sessions`: the sessions with an open socket.
pub async fn list(interviews: web::Data<Interviews>) -> Result<HttpResponse, ApiError> {
    let open = interviews.directory.send(ListOpen).await?;
    let sessions: Vec<SessionSummary> = open.iter().map(summary).collect();
    let total = sessions.len();
    Ok(HttpResponse::Ok().json(Success::of(SessionsBody { sessions, total })))
}

/// `GET /api/v1/websocket/sessions/{session_id}`: one session, open or stored, with its
/// history.
pub async fn get(
    session_id: web::Path<String>,
    interviews: web::Data<Interviews>,
) -> Result<HttpResponse, ApiError> {
    let session_id = session_id.into_inner();
    let find = FindInterview {
        session_id: session_id.clone(),
    };
    let found = interviews.directory.send(find).await?.map_err(failure)?;
    let Some(open) = found else {
        return Err(ApiError::UnknownSession(session_id));
    };
    let history = open
        .interview
        .exchanges
        .iter()
        .map(|exchange| HistoryEntry {
            response: AiResponseData::of(exchange),
            timestamp: iso_time(exchange.at),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Success::of(SessionDetail {
        summary: summary(&open),
        history,
    })))
}

/// `POST /api/v1/websocket/sessions/{session_id}/message`: pushes to that session's sockets.
pub async fn message(
    session_id: web::Path<String>,
    body: web::Json<PushBody>,
    interviews: web::Data<Interviews>,
) -> Result<HttpResponse, ApiError> {
    let session_id = session_id.into_inner();
    let event = pushed(body.into_inner())?;
    let kind = event.kind.clone();
    let push = Push {
        session_id: Some(session_id.clone()),
        event,
    };
    let Some(delivered) = interviews.directory.send(push).await? else {
        return Err(ApiError::UnknownSession(format!(
            "{session_id} (no socket is open on it)"
        )));
    };
    Ok(HttpResponse::Ok().json(Success::of(PushedBody {
        kind,
        session_id: Some(session_id),
        delivered,
    })))
}

/// Pushes `event` to every open interview socket; how many it was queued for.
pub async fn broadcast_to_interviews(
    interviews: &Interviews,
    event: InterviewEvent,
) -> Result<usize, ApiError> {
    let push = Push {
        session_id: None,
        event,
    };
    Ok(interviews.directory.send(push).await?.unwrap_or(0))
}

/// The event a push body describes, or why it is refused.
pub fn pushed(body: PushBody) -> Result<InterviewEvent, ApiError> {
    let kind = body.kind.unwrap_or_else(|| "message".to_owned());
    if kind.trim().is_empty() || kind.chars().count() > MAX_TYPE_CHARS {
        return Err(ApiError::InvalidField(format!(
            "type must be 1 to {MAX_TYPE_CHARS} characters"
        )));
    }
    let mut data = match body.data {
        None => Map::new(),
        Some(Value::Object(data)) => data,
        Some(_) => return Err(ApiError::InvalidField("data must be an object".into())),
    };
    match body.message {
        Some(message) if message.trim().is_empty() => {
            return Err(ApiError::InvalidField("message must not be blank".into()));
        }
        Some(message) => {
            data.insert("message".into(), Value::String(message));
        }
        None if data.is_empty() => {
            return Err(ApiError::InvalidField(
                "give a message, or data with at least one field".into(),
            ));
        }
        None => {}
    }
    Ok(InterviewEvent {
        kind,
        data: Value::Object(data),
    })
}

/// The list's view of a session.
fn summary(open: &OpenInterview) -> SessionSummary {
    let interview = &open.interview;
    SessionSummary {
        session_id: interview.session_id.clone(),
        kind: "interview",
        active: open.connections > 0,
        connections: open.connections,
        interview_style: interview.state.style.as_str(),
        exchange_count: interview.exchanges.len(),
        current_focus_area: interview.state.current.as_str(),
        focus_areas_covered: interview.state.covered.iter().map(|a| a.as_str()).collect(),
        created_at: iso_time(interview.created_at),
        updated_at: iso_time(interview.updated_at),
    }
}

/// The API error of a failure of the room.
fn failure(error: InterviewError) -> ApiError {
    ApiError::StoreUnavailable(error.to_string())
}
