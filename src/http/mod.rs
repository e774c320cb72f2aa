//! The HTTP API: one file per resource. Receives REST requests, asks the actors, sends JSON;
//! every failure is a JSON body `{"error", "detail"}` (see [`ApiError`]). Each handler takes
//! only the actor addresses it uses, as `web::Data` registered by the wiring.

mod agent_statistics;
mod answer_schemas;
mod body;
mod calls;
mod chat;
mod events;
mod fields;
mod health;
mod interview_sessions;
mod management;
mod manual;
mod metrics;
mod openapi;
pub mod ownership;
mod sessions;
mod static_pages;
pub mod stream_limits;

use actix_web::dev::HttpServiceFactory;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, Route, web};

use crate::api_error::ApiError;
use crate::auth::guard;
use crate::auth::policy::{Access, RouteRule};
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
    );
    for (rule, route) in endpoints() {
        cfg.service(endpoint(rule, route()));
    }
}

/// Every REST and SSE route with who may use it: the router is built from this table.
pub fn route_table() -> Vec<RouteRule> {
    endpoints().into_iter().map(|(rule, _)| rule).collect()
}

/// A route's handler, as the router takes it.
type Handler = fn() -> Route;

/// The REST and SSE routes, their access and their handlers.
fn endpoints() -> Vec<(RouteRule, Handler)> {
    let mut table = vec![
        (
            RouteRule::rest("GET", "/static/test_websocket.html", Access::Member),
            (|| web::route().to(static_pages::agent_test_page)) as Handler,
        ),
        (RouteRule::rest("GET", "/widget", Access::Member), || {
            web::route().to(static_pages::widget_page)
        }),
        (RouteRule::rest("GET", "/desk", Access::Member), || {
            web::route().to(static_pages::desk_page)
        }),
        (
            RouteRule::rest("GET", "/desk/calls.js", Access::Member),
            || web::route().to(static_pages::desk_calls_script),
        ),
        (RouteRule::rest("GET", "/widget.js", Access::Member), || {
            web::route().to(static_pages::widget_script)
        }),
        (RouteRule::rest("GET", "/admin", Access::Member), || {
            web::route().to(static_pages::admin_page)
        }),
        (
            RouteRule::rest("GET", "/ws/statistics", Access::Member),
            || web::route().to(agent_statistics::statistics),
        ),
        (
            RouteRule::rest("GET", "/api/health", Access::Member),
            || web::route().to(health::health),
        ),
        (
            RouteRule::rest("GET", "/metrics", Access::AdminWhenStrict),
            || web::route().to(metrics::metrics),
        ),
    ];
    table.extend(description_routes());
    table.extend(calls_routes());
    table.extend(conversation_routes());
    table.extend(interview_routes());
    table.extend(management_routes());
    table
}

/// The API's description and its page.
fn description_routes() -> Vec<(RouteRule, Handler)> {
    vec![
        (
            RouteRule::rest("GET", openapi::DOCUMENT_PATH, Access::Member),
            || web::route().to(description),
        ),
        (RouteRule::rest("GET", "/docs", Access::Member), || {
            web::route().to(openapi::page_redirect)
        }),
        (
            RouteRule::rest("GET", openapi::PAGE_PATH, Access::Member),
            || web::route().to(openapi::page),
        ),
        (
            RouteRule::rest("GET", "/docs/{file}", Access::Member),
            || web::route().to(openapi::page_file),
        ),
    ]
}

/// `GET /openapi.json`: the description of the routes of [`route_table`].
async fn description() -> HttpResponse {
    HttpResponse::Ok().json(openapi::document(&route_table()))
}

/// Seed 000's call endpoints.
fn calls_routes() -> Vec<(RouteRule, Handler)> {
    vec![
        (RouteRule::rest("GET", "/api/calls", Access::Member), || {
            web::route().to(calls::list)
        }),
        (
            RouteRule::rest("POST", "/api/calls/start", Access::Member),
            || web::route().to(calls::start),
        ),
        (
            RouteRule::rest("GET", "/api/calls/match/{call_id}", Access::Member),
            || web::route().to(calls::find_match),
        ),
        (
            RouteRule::rest("POST", "/api/calls/{call_id}/end", Access::Member),
            || web::route().to(calls::end),
        ),
    ]
}

/// Seed 001's conversations: chat, handover, sessions and their events.
fn conversation_routes() -> Vec<(RouteRule, Handler)> {
    vec![
        (RouteRule::rest("POST", "/api/chat", Access::Member), || {
            web::route().to(chat::chat)
        }),
        (
            RouteRule::rest("POST", "/api/chat/stream", Access::Member),
            || web::route().to(chat::chat_stream),
        ),
        (
            RouteRule::rest("POST", "/api/chat/cancel", Access::Member),
            || web::route().to(chat::cancel),
        ),
        (
            RouteRule::rest("POST", "/api/manual/escalate", Access::Member),
            || web::route().to(manual::escalate),
        ),
        (
            RouteRule::rest("POST", "/api/manual/messages", Access::Member),
            || web::route().to(manual::post_message),
        ),
        (
            RouteRule::rest("GET", "/api/sessions", Access::Agent),
            || web::route().to(sessions::list),
        ),
        (
            RouteRule::rest("GET", "/api/sessions/{session_name}", Access::Member),
            || web::route().to(sessions::get),
        ),
        (
            RouteRule::rest("POST", "/api/sessions/{session_name}/claim", Access::Agent),
            || web::route().to(sessions::claim),
        ),
        (
            RouteRule::rest(
                "POST",
                "/api/sessions/{session_name}/release",
                Access::Agent,
            ),
            || web::route().to(sessions::release),
        ),
        (
            RouteRule::rest("GET", "/api/sessions/{session_name}/audit", Access::Agent),
            || web::route().to(sessions::audit),
        ),
        (
            RouteRule::stream("GET", "/api/sessions/{session_name}/events", Access::Member),
            || web::route().to(events::follow),
        ),
    ]
}

/// Seed 002's management API of the interview sockets: reads for admins in strict mode,
/// writes for admins always.
fn interview_routes() -> Vec<(RouteRule, Handler)> {
    use Access::{Admin, AdminWhenStrict};
    vec![
        (
            RouteRule::rest("GET", "/api/v1/websocket/sessions", AdminWhenStrict),
            || web::route().to(interview_sessions::list),
        ),
        (
            RouteRule::rest(
                "GET",
                "/api/v1/websocket/sessions/{session_id}",
                AdminWhenStrict,
            ),
            || web::route().to(interview_sessions::get),
        ),
        (
            RouteRule::rest(
                "POST",
                "/api/v1/websocket/sessions/{session_id}/message",
                Admin,
            ),
            || web::route().to(interview_sessions::message),
        ),
    ]
}

/// Seed 003's management API (stats and broadcast also answer seed 002's shapes): reads for
/// admins in strict mode, writes for admins always.
fn management_routes() -> Vec<(RouteRule, Handler)> {
    use Access::{Admin, AdminWhenStrict};
    let read = |path| RouteRule::rest("GET", path, AdminWhenStrict);
    let write = |path| RouteRule::rest("POST", path, Admin);
    vec![
        (read("/api/v1/websocket/stats"), || {
            web::route().to(management::stats)
        }),
        (read("/api/v1/websocket/connections"), || {
            web::route().to(management::connections)
        }),
        (
            read("/api/v1/websocket/users/{user_id}/connections"),
            || web::route().to(management::user_connections),
        ),
        (read("/api/v1/websocket/health"), || {
            web::route().to(management::health)
        }),
        (read("/api/v1/websocket/online-users"), || {
            web::route().to(management::online_users)
        }),
        (write("/api/v1/websocket/broadcast"), || {
            web::route().to(management::broadcast)
        }),
        (write("/api/v1/websocket/users/disconnect"), || {
            web::route().to(management::disconnect)
        }),
        (write("/api/v1/websocket/notify"), || {
            web::route().to(management::notify)
        }),
        (write("/api/v1/websocket/ping/{user_id}"), || {
            web::route().to(management::ping)
        }),
    ]
}

/// One path served by one method behind its guard; any other method gets 405 naming the one
/// allowed.
fn endpoint(rule: RouteRule, route: Route) -> impl HttpServiceFactory {
    web::resource(rule.path)
        .wrap(from_fn(move |req, next| guard::admit(rule, req, next)))
        .route(route.method(rule.http_method()))
        .default_service(web::to(move |req: HttpRequest| async move {
            Err::<HttpResponse, _>(ApiError::MethodNotAllowed {
                method: req.method().to_string(),
                allowed: rule.method,
            })
        }))
}

/// Any path without an endpoint.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(input::shown(req.path())))
}
