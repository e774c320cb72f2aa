//! The socket endpoints, one handler each. Receives an upgrade request on a socket route and
//! sends back the upgrade: each handler builds its endpoint's dialect from the request and the
//! addresses that dialect uses, and hands it to [`serve`]. [`sockets`] is the table of routes
//! with who may open each, from which the router is built.

use actix::Addr;
use actix_web::{HttpRequest, HttpResponse, Route, web};
use switchboard_actors::admin::admin_config::AdminConfig;
use switchboard_actors::admin::feed::MonitorFeed;
use switchboard_actors::agent::AgentStatistics;
use switchboard_actors::bot::answer::Backend;
use switchboard_actors::calls::Matchmaker;
use switchboard_actors::interview::interviews::Interviews;
use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::{HandoverBoard, Sessions};

use crate::api_error::ApiError;
use crate::auth::identity::Caller;
use crate::auth::policy::{Access, RouteRule};
use crate::config::auth::AuthMode;
use crate::http::ownership;
use crate::input;
use crate::ws::chat_entry::{ChatQuery, ChatServices};
use crate::ws::dialect::agent::AgentDialect;
use crate::ws::dialect::call::CallDialect;
use crate::ws::dialect::desk::DeskDialect;
use crate::ws::dialect::interview::InterviewDialect;
use crate::ws::dialect::monitor::MonitorDialect;
use crate::ws::services::Sockets;
use crate::ws::upgrade::serve;

/// A socket route's handler, as the router takes it.
pub type Handler = fn() -> Route;

/// The WebSocket routes, their access and their handlers.
pub fn sockets() -> Vec<(RouteRule, Handler)> {
    vec![
        (
            RouteRule::stream("GET", "/ws/call/{call_id}", Access::Member),
            (|| web::get().to(call_socket)) as Handler,
        ),
        (RouteRule::stream("GET", "/ws/desk", Access::Agent), || {
            web::get().to(desk_socket)
        }),
        (
            RouteRule::stream("GET", "/ws/agent", Access::Member),
            || web::get().to(agent_socket),
        ),
        (RouteRule::stream("GET", "/ws/chat", Access::Member), || {
            web::get().to(chat_socket)
        }),
        (
            RouteRule::stream("GET", "/ws/chat/session/{session_id}", Access::Member),
            || web::get().to(bound_chat_socket),
        ),
        (
            RouteRule::stream("GET", "/api/v1/ws", Access::Member),
            || web::get().to(interview_socket),
        ),
        (
            RouteRule::stream("GET", "/api/v1/ws/{session_id}", Access::Member),
            || web::get().to(resumed_interview_socket),
        ),
        (
            RouteRule::stream("GET", "/ws/admin/monitor", Access::Admin),
            || web::get().to(monitor_socket),
        ),
    ]
}

/// `GET /ws/call/{call_id}`: one leg of a seed-000 call.
async fn call_socket(
    req: HttpRequest,
    stream: web::Payload,
    call_id: web::Path<String>,
    sockets: web::Data<Sockets>,
    matchmaker: web::Data<Addr<Matchmaker>>,
) -> actix_web::Result<HttpResponse> {
    let dialect = CallDialect::new(call_id.into_inner(), matchmaker.get_ref().clone());
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/desk`: an agent desk that takes escalated seed-001 sessions.
async fn desk_socket(
    req: HttpRequest,
    stream: web::Payload,
    caller: Caller,
    sockets: web::Data<Sockets>,
    sessions: web::Data<Sessions>,
    board: web::Data<Addr<HandoverBoard>>,
) -> actix_web::Result<HttpResponse> {
    let pinned_agent = match caller.mode {
        AuthMode::Strict => caller.identity.map(|identity| identity.user_id),
        AuthMode::Open => None,
    };
    let sessions = sessions.get_ref().clone();
    let dialect = DeskDialect::new(sessions, board.get_ref().clone(), pinned_agent);
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/agent`: seed 004's agent socket (queries, streamed answers, tools, cancel).
async fn agent_socket(
    req: HttpRequest,
    stream: web::Payload,
    sockets: web::Data<Sockets>,
    statistics: web::Data<Addr<AgentStatistics>>,
    backend: web::Data<Backend>,
) -> actix_web::Result<HttpResponse> {
    let dialect = AgentDialect::new(statistics.get_ref().clone(), backend.get_ref().clone());
    serve(dialect, &req, stream, &sockets)
}

/// `GET /api/v1/ws`: seed 002's interview socket on a new session (a UUID the hub makes).
async fn interview_socket(
    req: HttpRequest,
    stream: web::Payload,
    sockets: web::Data<Sockets>,
    interviews: web::Data<Interviews>,
) -> actix_web::Result<HttpResponse> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let dialect = InterviewDialect::new(session_id, &interviews);
    serve(dialect, &req, stream, &sockets)
}

/// `GET /api/v1/ws/{session_id}`: seed 002's interview socket on the session named in the
/// path, begun or resumed.
async fn resumed_interview_socket(
    req: HttpRequest,
    stream: web::Payload,
    session_id: web::Path<String>,
    sockets: web::Data<Sockets>,
    interviews: web::Data<Interviews>,
) -> actix_web::Result<HttpResponse> {
    let session_id = SessionName::parse(&session_id)
        .map_err(|error| ApiError::InvalidField(format!("session_id {error}")))?
        .as_str()
        .to_owned();
    let dialect = InterviewDialect::new(session_id, &interviews);
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/admin/monitor`: seed 003's admin monitor (the guard admits admin tokens only).
async fn monitor_socket(
    req: HttpRequest,
    stream: web::Payload,
    caller: Caller,
    sockets: web::Data<Sockets>,
    feed: web::Data<Addr<MonitorFeed>>,
    admin: web::Data<AdminConfig>,
) -> actix_web::Result<HttpResponse> {
    let admin_token = caller.is_admin();
    let Some(identity) = caller.identity.filter(|_| admin_token) else {
        return Err(ApiError::Forbidden("the monitor is for admins".into()).into());
    };
    let feed = feed.get_ref().clone();
    let interval = admin.stats_interval;
    let dialect = MonitorDialect::new(feed, identity.user_id, identity.name, interval);
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/chat[?user_id=…]`: seed 003's chat socket, many conversations on one socket.
async fn chat_socket(
    req: HttpRequest,
    stream: web::Payload,
    caller: Caller,
    query: web::Query<ChatQuery>,
    sockets: web::Data<Sockets>,
    chat: web::Data<ChatServices>,
) -> actix_web::Result<HttpResponse> {
    let dialect = chat.dialect(caller, &query, None)?;
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/chat/session/{session_id}[?since=…]`: seed 003's chat socket bound to one
/// conversation, refused with 403 before the upgrade when the caller may not read it.
async fn bound_chat_socket(
    req: HttpRequest,
    stream: web::Payload,
    caller: Caller,
    session_id: web::Path<String>,
    query: web::Query<ChatQuery>,
    sockets: web::Data<Sockets>,
    chat: web::Data<ChatServices>,
) -> actix_web::Result<HttpResponse> {
    let name = input::session_name("session_id", &session_id).map_err(ApiError::InvalidField)?;
    ownership::may_read(&caller, &chat.sessions, &name).await?;
    let dialect = chat.dialect(caller, &query, Some(name))?;
    serve(dialect, &req, stream, &sockets)
}
