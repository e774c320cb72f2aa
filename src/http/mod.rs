//! The HTTP API: one file per resource. Receives REST requests, asks the actors, sends JSON;
//! every failure is a JSON body `{"error", "detail"}` (see [`ApiError`]). Each handler takes
//! only the actor addresses it uses, as `web::Data` registered by the wiring.

mod agent_statistics;
mod body;
mod calls;
mod chat;
mod events;
mod fields;
mod health;
mod interview_sessions;
mod manual;
mod metrics;
mod sessions;
mod static_pages;
pub mod stream_limits;

use actix_web::{HttpRequest, HttpResponse, Resource, Route, web};

use crate::api_error::ApiError;
use crate::input;

/// Largest JSON body accepted by the REST API; the gate refuses a larger declared length
/// before reading it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Registers the REST endpoints and the JSON body rules.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::QueryConfig::default()
            .error_handler(|err, _| ApiError::InvalidField(err.to_string()).into()),
    )
    .app_data(
        web::JsonConfig::default()
            .limit(MAX_BODY_BYTES)
            .content_type_required(false)
            .error_handler(body::json_error),
    )
    .configure(calls_routes)
    .configure(interview_routes)
    .service(endpoint(
        "/static/test_websocket.html",
        "GET",
        web::get().to(static_pages::agent_test_page),
    ))
    .service(endpoint(
        "/ws/statistics",
        "GET",
        web::get().to(agent_statistics::statistics),
    ))
    .configure(monitoring_routes)
    .service(endpoint("/api/chat", "POST", web::post().to(chat::chat)))
    .service(endpoint(
        "/api/chat/stream",
        "POST",
        web::post().to(chat::chat_stream),
    ))
    .service(endpoint(
        "/api/chat/cancel",
        "POST",
        web::post().to(chat::cancel),
    ))
    .service(endpoint(
        "/api/manual/escalate",
        "POST",
        web::post().to(manual::escalate),
    ))
    .service(endpoint(
        "/api/manual/messages",
        "POST",
        web::post().to(manual::post_message),
    ))
    .service(endpoint(
        "/api/sessions",
        "GET",
        web::get().to(sessions::list),
    ))
    .service(endpoint(
        "/api/sessions/{session_name}",
        "GET",
        web::get().to(sessions::get),
    ))
    .service(endpoint(
        "/api/sessions/{session_name}/claim",
        "POST",
        web::post().to(sessions::claim),
    ))
    .service(endpoint(
        "/api/sessions/{session_name}/release",
        "POST",
        web::post().to(sessions::release),
    ))
    .service(endpoint(
        "/api/sessions/{session_name}/audit",
        "GET",
        web::get().to(sessions::audit),
    ))
    .service(endpoint(
        "/api/sessions/{session_name}/events",
        "GET",
        web::get().to(events::follow),
    ));
}

/// The hub's health and its metrics.
fn monitoring_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(endpoint(
        "/api/health",
        "GET",
        web::get().to(health::health),
    ))
    .service(endpoint("/metrics", "GET", web::get().to(metrics::metrics)));
}

/// Seed 000's call endpoints.
fn calls_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(endpoint("/api/calls", "GET", web::get().to(calls::list)))
        .service(endpoint(
            "/api/calls/start",
            "POST",
            web::post().to(calls::start),
        ))
        .service(endpoint(
            "/api/calls/match/{call_id}",
            "GET",
            web::get().to(calls::find_match),
        ))
        .service(endpoint(
            "/api/calls/{call_id}/end",
            "POST",
            web::post().to(calls::end),
        ));
}

/// Seed 002's management API of the interview sockets.
fn interview_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(endpoint(
        "/api/v1/websocket/stats",
        "GET",
        web::get().to(interview_sessions::stats),
    ))
    .service(endpoint(
        "/api/v1/websocket/sessions",
        "GET",
        web::get().to(interview_sessions::list),
    ))
    .service(endpoint(
        "/api/v1/websocket/sessions/{session_id}",
        "GET",
        web::get().to(interview_sessions::get),
    ))
    .service(endpoint(
        "/api/v1/websocket/sessions/{session_id}/message",
        "POST",
        web::post().to(interview_sessions::message),
    ))
    .service(endpoint(
        "/api/v1/websocket/broadcast",
        "POST",
        web::post().to(interview_sessions::broadcast),
    ));
}

/// One path served by one method; any other method gets 405 naming the one allowed.
fn endpoint(path: &str, allowed: &'static str, route: Route) -> Resource {
    web::resource(path)
        .route(route)
        .default_service(web::to(move |req: HttpRequest| async move {
            Err::<HttpResponse, _>(ApiError::MethodNotAllowed {
                method: req.method().to_string(),
                allowed,
            })
        }))
}

/// Any path without an endpoint.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(input::shown(req.path())))
}
