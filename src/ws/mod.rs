//! The WebSocket edge: upgrades HTTP requests into [`Connection`] actors, each speaking the
//! dialect of its endpoint and handed only the addresses that dialect uses. The only module
//! that imports actix-web-actors. A new protocol adds its dialect under [`dialect`] and one
//! route here.

mod connection;
pub mod dialect;
mod fragments;
mod transport;

use std::sync::Arc;

use actix::Addr;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web_actors::ws;
use switchboard_actors::calls::Matchmaker;
use switchboard_actors::kernel::metrics::ConnectionMetrics;
use switchboard_actors::registry::ConnectionRegistry;
use switchboard_actors::takeover::{HandoverBoard, Sessions};

use crate::config::sockets::SocketConfig;
use connection::Connection;
use dialect::call::CallDialect;
use dialect::desk::DeskDialect;
use dialect::seam::Dialect;

/// What every socket needs, whatever its dialect: its limits, where it registers, and the
/// counters it bumps.
#[derive(Clone)]
pub struct Sockets {
    /// Heartbeat, size and queue limits.
    pub config: Arc<SocketConfig>,
    /// Where sockets are admitted.
    pub registry: Addr<ConnectionRegistry>,
    /// The socket layer's counters.
    pub metrics: Arc<ConnectionMetrics>,
}

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
    sockets: web::Data<Sockets>,
    sessions: web::Data<Sessions>,
    board: web::Data<Addr<HandoverBoard>>,
) -> actix_web::Result<HttpResponse> {
    let dialect = DeskDialect::new(sessions.get_ref().clone(), board.get_ref().clone());
    serve(dialect, &req, stream, &sockets)
}

/// Upgrades the request into a [`Connection`] speaking `dialect`.
fn serve<D: Dialect>(
    dialect: D,
    req: &HttpRequest,
    stream: web::Payload,
    sockets: &Sockets,
) -> actix_web::Result<HttpResponse> {
    let connection = Connection::new(
        dialect,
        sockets.registry.clone(),
        sockets.config.clone(),
        sockets.metrics.clone(),
    );
    ws::WsResponseBuilder::new(connection, req, stream)
        .frame_size(sockets.config.hard_frame_cap())
        .start()
}
