//! The WebSocket edge: upgrades HTTP requests into [`connection::Connection`] actors, each with
//! the dialect of its endpoint. The only module that imports actix-web-actors.

mod connection;
mod dialect;

use actix_web::{HttpRequest, HttpResponse, web};
use actix_web_actors::ws;

use connection::Connection;
pub use connection::SocketLimits;
use dialect::Dialect;
use dialect::call::CallDialect;
use dialect::desk::DeskDialect;

use crate::state::AppState;

/// Registers the WebSocket endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/ws/call/{call_id}", web::get().to(call_socket))
        .route("/ws/desk", web::get().to(desk_socket));
}

/// `GET /ws/call/{call_id}`: one leg of a seed-000 call.
async fn call_socket(
    req: HttpRequest,
    stream: web::Payload,
    call_id: web::Path<String>,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let dialect = CallDialect::new(call_id.into_inner(), state.matchmaker.clone());
    serve(dialect, &req, stream, &state)
}

/// `GET /ws/desk`: an agent desk that takes escalated seed-001 sessions.
async fn desk_socket(
    req: HttpRequest,
    stream: web::Payload,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let dialect = DeskDialect::new(state.get_ref().clone());
    serve(dialect, &req, stream, &state)
}

/// Upgrades the request into a [`Connection`] speaking `dialect`.
fn serve<D: Dialect>(
    dialect: D,
    req: &HttpRequest,
    stream: web::Payload,
    state: &AppState,
) -> actix_web::Result<HttpResponse> {
    let connection = Connection::new(
        dialect,
        state.registry.clone(),
        state.socket_limits,
        state.metrics.clone(),
    );
    ws::WsResponseBuilder::new(connection, req, stream)
        .frame_size(state.socket_limits.hard_frame_cap())
        .start()
}
