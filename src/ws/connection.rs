//! Connection: the actor that owns one WebSocket. Receives frames from the socket, and
//! [`Deliver`] / [`Disconnect`] from other actors; sends frames to the socket. It keeps the
//! heartbeat, enforces the frame-size limit and the bounded mailbox, registers with the
//! [`SessionRegistry`] on start (closing with 1013 when the hub is full) and deregisters when it
//! stops. What the frames mean is its [`Dialect`]'s business.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_http::ws::Item;
use actix_web_actors::ws;
use switchboard_actors::{
    CloseCode, ConnHandle, ConnId, Deliver, Deregister, Disconnect, Metrics, Register,
    SessionRegistry,
};

use super::dialect::{Dialect, Reply};

/// Per-socket limits, from the config.
#[derive(Debug, Clone, Copy)]
pub struct SocketLimits {
    /// How often to ping.
    pub heartbeat_interval: Duration,
    /// Close after this long without any inbound frame.
    pub connection_timeout: Duration,
    /// Largest inbound message accepted; larger ones get an error frame.
    pub max_frame_bytes: usize,
    /// Events queued for the socket before it is a slow consumer.
    pub outbound_queue: usize,
}

impl SocketLimits {
    /// The codec's hard cap: messages above it break the connection (1009) instead of getting
    /// an error frame, so that a client cannot make the hub buffer without bound.
    pub fn hard_frame_cap(&self) -> usize {
        self.max_frame_bytes.saturating_mul(16).max(1 << 20)
    }
}

/// A message being received in several WebSocket frames.
enum Fragments {
    /// Text collected so far.
    Text(Vec<u8>),
    /// Text that already passed the size limit; the rest is dropped.
    Oversized,
    /// A binary message; refused when it completes.
    Binary,
}

/// The socket actor, generic over its wire protocol.
pub struct Connection<D: Dialect> {
    /// This socket's id.
    id: ConnId,
    /// The wire protocol and its state.
    dialect: D,
    /// Where to register and deregister.
    registry: Addr<SessionRegistry>,
    /// Heartbeat, size and queue limits.
    limits: SocketLimits,
    /// Shared counters.
    metrics: Arc<Metrics>,
    /// When the client was last heard from.
    last_heard: Instant,
    /// A fragmented message in progress.
    fragments: Option<Fragments>,
    /// Admitted and not yet deregistered.
    registered: bool,
    /// A close frame has been sent; nothing more goes out.
    closing: bool,
    /// The hub closed the socket because it is shutting down.
    shutting_down: bool,
}

impl<D: Dialect> Connection<D> {
    /// A connection speaking `dialect`.
    pub fn new(
        dialect: D,
        registry: Addr<SessionRegistry>,
        limits: SocketLimits,
        metrics: Arc<Metrics>,
    ) -> Self {
        Connection {
            id: ConnId::generate(),
            dialect,
            registry,
            limits,
            metrics,
            last_heard: Instant::now(),
            fragments: None,
            registered: false,
            closing: false,
            shutting_down: false,
        }
    }

    fn conn_handle(&self, ctx: &mut ws::WebsocketContext<Self>) -> ConnHandle {
        let addr = ctx.address();
        ConnHandle::new(self.id, addr.clone().recipient(), addr.recipient())
    }

    fn admitted(&mut self, conn: ConnHandle, ctx: &mut ws::WebsocketContext<Self>) {
        self.registered = true;
        ctx.run_interval(self.limits.heartbeat_interval, |act, ctx| act.beat(ctx));
        let reply = self.dialect.opened(&conn);
        self.apply(reply, ctx);
    }

    fn beat(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        if self.last_heard.elapsed() > self.limits.connection_timeout {
            log::info!("connection {} timed out", self.id);
            self.close(CloseCode::HeartbeatTimeout, "heartbeat timeout", ctx);
        } else {
            ctx.ping(b"");
        }
    }

    fn refuse(&mut self, error: &str, detail: &str, ctx: &mut ws::WebsocketContext<Self>) {
        let frame = self.dialect.error_frame(error, detail);
        self.apply(Reply::reject(frame), ctx);
    }

    fn apply(&mut self, reply: Reply, ctx: &mut ws::WebsocketContext<Self>) {
        if self.closing {
            return;
        }
        for frame in reply.frames {
            ctx.text(frame);
        }
        if reply.rejected {
            Metrics::bump(&self.metrics.frames_rejected);
        }
        if let Some((code, reason)) = reply.close {
            self.close(code, &reason, ctx);
        }
    }

    fn close(&mut self, code: CloseCode, reason: &str, ctx: &mut ws::WebsocketContext<Self>) {
        if std::mem::replace(&mut self.closing, true) {
            return;
        }
        self.shutting_down = code == CloseCode::GoingAway;
        ctx.close(Some(ws::CloseReason {
            code: ws::CloseCode::from(code.code()),
            description: Some(reason.to_owned()),
        }));
        ctx.stop();
    }

    fn text(&mut self, bytes: &[u8], ctx: &mut ws::WebsocketContext<Self>) {
        if bytes.len() > self.limits.max_frame_bytes {
            let detail = format!(
                "message of {} bytes is over the {} byte limit",
                bytes.len(),
                self.limits.max_frame_bytes
            );
            return self.refuse("message_too_large", &detail, ctx);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                let reply = self.dialect.received(text);
                self.apply(reply, ctx);
            }
            Err(_) => self.refuse("invalid_utf8", "text message is not valid UTF-8", ctx),
        }
    }

    fn continuation(&mut self, item: Item, ctx: &mut ws::WebsocketContext<Self>) {
        let limit = self.limits.max_frame_bytes;
        let append = |fragments: Fragments, more: &[u8]| match fragments {
            Fragments::Text(mut buf) if buf.len() + more.len() <= limit => {
                buf.extend_from_slice(more);
                Fragments::Text(buf)
            }
            Fragments::Text(_) | Fragments::Oversized => Fragments::Oversized,
            Fragments::Binary => Fragments::Binary,
        };
        match item {
            Item::FirstText(bytes) => {
                self.fragments = Some(append(Fragments::Text(Vec::new()), &bytes));
            }
            Item::FirstBinary(_) => self.fragments = Some(Fragments::Binary),
            Item::Continue(bytes) => {
                self.fragments = self.fragments.take().map(|f| append(f, &bytes));
            }
            Item::Last(bytes) => match self.fragments.take().map(|f| append(f, &bytes)) {
                Some(Fragments::Text(buf)) => self.text(&buf, ctx),
                Some(Fragments::Oversized) => {
                    let detail = format!("message is over the {limit} byte limit");
                    self.refuse("message_too_large", &detail, ctx);
                }
                Some(Fragments::Binary) => self.binary(ctx),
                None => self.refuse("invalid_frame", "continuation without a first frame", ctx),
            },
        }
    }

    fn binary(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        self.refuse(
            "binary_not_supported",
            "this socket speaks JSON text messages only",
            ctx,
        );
    }
}

impl<D: Dialect> Actor for Connection<D> {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.limits.outbound_queue);
        let conn = self.conn_handle(ctx);
        self.registry
            .send(Register { conn: conn.clone() })
            .into_actor(self)
            .map(move |admission, act, ctx| match admission {
                Ok(Ok(())) => act.admitted(conn, ctx),
                Ok(Err(refused)) => {
                    let detail = format!("the hub holds its limit of {} sockets", refused.limit);
                    act.refuse("too_many_connections", &detail, ctx);
                    act.close(CloseCode::TryAgainLater, "connection limit reached", ctx);
                }
                Err(_) => act.close(CloseCode::GoingAway, "server shutting down", ctx),
            })
            .wait(ctx);
    }

    fn stopping(&mut self, _: &mut Self::Context) -> Running {
        if std::mem::take(&mut self.registered) {
            self.registry.do_send(Deregister { conn_id: self.id });
            self.dialect.closed(self.id, self.shutting_down);
        }
        Running::Stop
    }
}

impl<D: Dialect> StreamHandler<Result<ws::Message, ws::ProtocolError>> for Connection<D> {
    fn handle(&mut self, msg: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        self.last_heard = Instant::now();
        match msg {
            Ok(ws::Message::Text(text)) => self.text(text.as_bytes(), ctx),
            Ok(ws::Message::Binary(_)) => self.binary(ctx),
            Ok(ws::Message::Continuation(item)) => self.continuation(item, ctx),
            Ok(ws::Message::Ping(payload)) => ctx.pong(&payload),
            Ok(ws::Message::Pong(_)) | Ok(ws::Message::Nop) => {}
            Ok(ws::Message::Close(reason)) => {
                if !std::mem::replace(&mut self.closing, true) {
                    ctx.close(reason);
                }
                ctx.stop();
            }
            Err(ws::ProtocolError::Overflow) => {
                self.close(CloseCode::TooBig, "message over the hard size cap", ctx);
            }
            Err(error) => {
                log::debug!("connection {}: protocol error {error}", self.id);
                self.close(CloseCode::ProtocolError, "websocket protocol error", ctx);
            }
        }
    }
}

impl<D: Dialect> Handler<Deliver> for Connection<D> {
    type Result = ();

    fn handle(&mut self, msg: Deliver, ctx: &mut Self::Context) {
        let reply = self.dialect.deliver(msg.event);
        self.apply(reply, ctx);
    }
}

impl<D: Dialect> Handler<Disconnect> for Connection<D> {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, ctx: &mut Self::Context) {
        self.close(msg.code, &msg.reason, ctx);
    }
}
