//! The upgrade itself. Receives a socket request and the dialect its endpoint speaks; sends
//! back the `101 Switching Protocols` answer, starting a [`Connection`] actor that reads
//! through [`InboundFrames`] and writes into an [`Outbox`] whose other end is the response
//! body (and answers the `bearer` subprotocol a browser offered with its token).

use actix::{Actor, AsyncContext};
use actix_http::ws::handshake;
use actix_web::body::{BodyStream, MessageBody};
use actix_web::http::header::SEC_WEBSOCKET_PROTOCOL;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::guard::{BEARER_PROTOCOL, offers_bearer_protocol};
use crate::peer::PeerSocket;
use crate::ws::connection::Connection;
use crate::ws::dialect::seam::Dialect;
use crate::ws::inbound::InboundFrames;
use crate::ws::outbox::Outbox;
use crate::ws::services::Sockets;

/// Upgrades the request into a [`Connection`] speaking `dialect`: the connection runs as an
/// actor of its own on this worker, reading through [`InboundFrames`] and writing into an
/// [`Outbox`] whose other end is the response body.
pub fn serve<D: Dialect>(
    dialect: D,
    req: &HttpRequest,
    stream: web::Payload,
    sockets: &Sockets,
) -> actix_web::Result<HttpResponse> {
    let mut handshake = handshake(req.head())?;
    let peer = PeerSocket::of(req);
    if let Some(peer) = &peer {
        peer.limit_send_buffer(sockets.config.send_buffer);
    }
    let (outbox, body, watch) = Outbox::new(peer);
    let inbound = InboundFrames::new(stream, sockets.config.hard_frame_cap(), Some(watch));
    let sockets = sockets.clone();
    Connection::create(move |ctx| {
        ctx.add_stream(inbound);
        Connection::new(dialect, sockets, outbox)
    });
    if offers_bearer_protocol(req) {
        handshake.insert_header((SEC_WEBSOCKET_PROTOCOL, BEARER_PROTOCOL));
    }
    let response = handshake.message_body(BodyStream::new(body).boxed())?;
    Ok(response.into())
}
