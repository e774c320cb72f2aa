//! Connection: the actor that owns one WebSocket. Receives the client's messages (through the
//! [`transport`](crate::ws::transport) seam), [`Deliver`] of its dialect's event family and
//! [`Disconnect`] from other actors, and the results of work its dialect started; sends frames
//! to the socket. It keeps the heartbeat, enforces the size limits and the bounded mailbox,
//! reassembles fragmented messages, registers with the
//! [`ConnectionRegistry`] on start (closing with 1013 when the hub is full) and deregisters
//! when it stops. It counts its endpoint's series (open, ended by close code, messages each
//! way, refusals) in [`EndpointMetrics`](crate::ws::endpoint_metrics::EndpointMetrics). What the messages mean is its [`Dialect`]'s business: the dialect sees the
//! connection only through the [`Socket`] it lends it.

use std::collections::HashMap;

use actix::prelude::*;
use switchboard_actors::kernel::clock::{self, Instant};
use switchboard_actors::kernel::close::CloseCode;
use switchboard_actors::kernel::handle::{ConnHandle, Deliver, Disconnect};
use switchboard_actors::kernel::ids::ConnId;
use switchboard_actors::registry::{Deregister, Register};

use crate::refusals::Refusal as EdgeRefusal;
use crate::ws::dialect::seam::{
    Busy, Dialect, Flow, Frame, Link, MAX_TASKS, Refusal, Socket, TaskId, Work,
};
use crate::ws::endpoint_metrics::{NO_CLOSE_FRAME, NO_CODE, code_label};
use crate::ws::fragments::{Assembled, Reassembly};
use crate::ws::outbox::{CLOSE_LINGER, FAILED_LINGER, Outbox};
use crate::ws::services::Sockets;
use crate::ws::transport::Received;

/// The socket actor, generic over its protocol.
pub struct Connection<D: Dialect> {
    /// The protocol and its state.
    dialect: D,
    /// Everything else.
    state: State,
}

/// A connection's own state, apart from its dialect.
struct State {
    /// This socket's id.
    id: ConnId,
    /// Its dialect's endpoint, the `endpoint` label of its series.
    endpoint: &'static str,
    /// The `code` label it ends with: the close code sent or received, else no close frame.
    close_code: &'static str,
    /// Its limits, where it registers, its counters and where it reports refusals.
    sockets: Sockets,
    /// Where frames go out.
    outbox: Outbox,
    /// When the client was last heard from.
    last_heard: Instant,
    /// Fragmented messages in progress.
    reassembly: Reassembly,
    /// Admitted and not yet deregistered.
    registered: bool,
    /// A close frame has been sent; nothing more goes out.
    closing: bool,
    /// The hub closed the socket because it is shutting down.
    shutting_down: bool,
    /// The hub failed the socket for breaking the protocol: what follows is not read, and the
    /// connection is cut as soon as the close frame has gone.
    failed: bool,
    /// Work the dialect started that is still running.
    tasks: HashMap<TaskId, SpawnHandle>,
    /// The id of the next piece of work.
    next_task: u64,
}

impl<D: Dialect> Connection<D> {
    /// A connection speaking `dialect`.
    pub fn new(dialect: D, sockets: Sockets, outbox: Outbox) -> Self {
        Connection {
            dialect,
            state: State {
                id: ConnId::generate(),
                endpoint: D::ENDPOINT,
                close_code: NO_CLOSE_FRAME,
                outbox,
                reassembly: Reassembly::new(sockets.config.max_frame_bytes),
                sockets,
                last_heard: clock::now(),
                registered: false,
                closing: false,
                shutting_down: false,
                failed: false,
                tasks: HashMap::new(),
                next_task: 0,
            },
        }
    }

    /// Lends the dialect a [`Socket`] for `f`.
    fn with_socket(&mut self, ctx: &mut Context<Self>, f: impl FnOnce(&mut D, &mut Socket<'_, D>)) {
        let mut link = ConnLink {
            state: &mut self.state,
            ctx,
        };
        f(&mut self.dialect, &mut Socket::new(&mut link));
    }

    fn admitted(&mut self, ctx: &mut Context<Self>) {
        self.state.registered = true;
        let endpoint = self.state.endpoint;
        self.state.sockets.per_endpoint.connected(endpoint);
        ctx.run_interval(self.state.sockets.config.heartbeat_interval, |act, ctx| {
            act.beat(ctx)
        });
        self.with_socket(ctx, |dialect, socket| dialect.opened(socket));
    }

    fn beat(&mut self, ctx: &mut Context<Self>) {
        let config = &self.state.sockets.config;
        if self.state.closing {
            return;
        }
        if !self.state.outbox.body_alive() {
            ctx.stop();
        } else if self.state.outbox.stalled_for() > config.write_timeout {
            let why = format!("took nothing for {:?}", config.write_timeout);
            cut(&mut self.state, ctx, &why);
        } else if self.state.last_heard.elapsed() > config.connection_timeout {
            log::info!("connection {} timed out", self.state.id);
            close(
                &mut self.state,
                ctx,
                CloseCode::HeartbeatTimeout,
                "heartbeat timeout",
            );
        } else {
            self.state.outbox.ping();
        }
    }

    fn refuse(&mut self, refusal: Refusal, ctx: &mut Context<Self>) {
        self.with_socket(ctx, |_, socket| socket.refuse(&refusal));
    }

    /// A whole message: decoded by the dialect, then handled, or refused.
    fn message(&mut self, frame: Frame<'_>, ctx: &mut Context<Self>) {
        self.state
            .sockets
            .per_endpoint
            .received(self.state.endpoint);
        match self.dialect.decode(frame) {
            Ok(inbound) => self.with_socket(ctx, |dialect, socket| dialect.handle(inbound, socket)),
            Err(refusal) => self.refuse(refusal, ctx),
        }
    }

    fn text(&mut self, bytes: &[u8], ctx: &mut Context<Self>) {
        if let Some(refusal) = self.oversized(bytes.len()) {
            return self.refuse(refusal, ctx);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => self.message(Frame::Text(text), ctx),
            Err(_) => close(
                &mut self.state,
                ctx,
                CloseCode::InvalidPayload,
                "text message is not valid UTF-8",
            ),
        }
    }

    fn binary(&mut self, bytes: &[u8], ctx: &mut Context<Self>) {
        match self.oversized(bytes.len()) {
            Some(refusal) => self.refuse(refusal, ctx),
            None => self.message(Frame::Binary(bytes), ctx),
        }
    }

    /// The refusal of a message of `len` bytes, if it is over the limit.
    fn oversized(&self, len: usize) -> Option<Refusal> {
        let limit = self.state.sockets.config.max_frame_bytes;
        (len > limit).then(|| {
            Refusal::new(
                "message_too_large",
                format!("message of {len} bytes is over the {limit} byte limit"),
            )
        })
    }

    fn received(&mut self, received: Received, ctx: &mut Context<Self>) {
        match received {
            Received::Text(bytes) => self.text(&bytes, ctx),
            Received::Binary(bytes) => self.binary(&bytes, ctx),
            Received::Piece(piece) => match self.state.reassembly.push(piece) {
                Assembled::Pending => {}
                Assembled::Text(bytes) => self.text(&bytes, ctx),
                Assembled::Binary(bytes) => self.binary(&bytes, ctx),
                Assembled::TooLarge => {
                    let limit = self.state.sockets.config.max_frame_bytes;
                    let detail = format!("message is over the {limit} byte limit");
                    self.refuse(Refusal::new("message_too_large", detail), ctx);
                }
                Assembled::Orphan => self.refuse(
                    Refusal::new("invalid_frame", "continuation without a first frame"),
                    ctx,
                ),
            },
            Received::Ping(payload) => self.state.outbox.pong(&payload),
            Received::Alive => {}
            Received::Close(reason) => {
                self.state.close_code = reason
                    .as_ref()
                    .map_or(NO_CODE, |(code, _)| code_label(*code));
                if !std::mem::replace(&mut self.state.closing, true) {
                    self.state.outbox.close(reason);
                }
                ctx.stop();
            }
            Received::TooBig => close(
                &mut self.state,
                ctx,
                CloseCode::TooBig,
                "message over the hard size cap",
            ),
            Received::Broken(error) => {
                log::debug!("connection {}: protocol error {error}", self.state.id);
                close(
                    &mut self.state,
                    ctx,
                    CloseCode::ProtocolError,
                    "websocket protocol error",
                );
            }
        }
    }
}

/// Sends a close frame with `code` (once) and stops the connection.
fn close<A: Actor<Context = Context<A>>>(
    state: &mut State,
    ctx: &mut Context<A>,
    code: CloseCode,
    reason: &str,
) {
    if std::mem::replace(&mut state.closing, true) {
        return;
    }
    state.shutting_down = code == CloseCode::GoingAway;
    state.close_code = code_label(code.code());
    state.failed = matches!(
        code,
        CloseCode::ProtocolError | CloseCode::InvalidPayload | CloseCode::TooBig
    );
    state
        .outbox
        .close(Some((code.code(), Some(reason.to_owned()))));
    ctx.stop();
}

/// Cuts the TCP connection of a client that stopped reading (a close frame would wait behind
/// what it has not read) and stops the connection, which then takes the lost-connection path.
fn cut<A: Actor<Context = Context<A>>>(state: &mut State, ctx: &mut Context<A>, why: &str) {
    log::debug!("connection {}: the client {why}; cutting it", state.id);
    state.sockets.refusals.record(EdgeRefusal::SocketStalled);
    state.close_code = code_label(CloseCode::SlowConsumer.code());
    state.closing = true;
    state.outbox.cut();
    ctx.stop();
}

/// The connection as lent to its dialect.
struct ConnLink<'a, D: Dialect> {
    /// The connection's own state.
    state: &'a mut State,
    /// Its actor context.
    ctx: &'a mut Context<Connection<D>>,
}

impl<D: Dialect> ConnLink<'_, D> {
    /// Registers a running piece of work, refusing it when too many are in flight.
    fn admit(
        &mut self,
        spawn: impl FnOnce(TaskId, &mut Context<Connection<D>>) -> SpawnHandle,
    ) -> Result<TaskId, Busy> {
        if self.state.tasks.len() >= MAX_TASKS {
            return Err(Busy);
        }
        let task = TaskId(self.state.next_task);
        self.state.next_task += 1;
        let handle = spawn(task, self.ctx);
        self.state.tasks.insert(task, handle);
        Ok(task)
    }
}

impl<D: Dialect> Link<D> for ConnLink<'_, D> {
    fn id(&self) -> ConnId {
        self.state.id
    }

    fn handle(&self) -> ConnHandle<D::Event> {
        ConnHandle::new(self.state.id, &self.ctx.address())
    }

    fn send(&mut self, frame: String) {
        if self.state.closing {
            return;
        }
        self.state.outbox.text(frame);
        self.state.sockets.per_endpoint.sent(self.state.endpoint);
        let limit = self.state.sockets.config.outbound_queue;
        if self.state.outbox.frames_waiting() > limit {
            let why = format!("left more than {limit} frames untaken");
            cut(self.state, self.ctx, &why);
        }
    }

    fn count_refusal(&mut self, reason: &'static str) {
        self.state.sockets.metrics.frames_rejected.bump();
        let endpoint = self.state.endpoint;
        self.state.sockets.per_endpoint.rejected(endpoint, reason);
    }

    fn close(&mut self, code: CloseCode, reason: &str) {
        close(self.state, self.ctx, code, reason);
    }

    fn spawn(&mut self, work: Work<D>) -> Result<TaskId, Busy> {
        self.admit(|task, ctx| {
            let resumed =
                actix::fut::wrap_future::<_, Connection<D>>(work).map(move |resume, act, ctx| {
                    if act.state.tasks.remove(&task).is_some() {
                        act.with_socket(ctx, resume);
                    }
                });
            ctx.spawn(resumed)
        })
    }

    fn spawn_flow(&mut self, flow: Flow<D>) -> Result<TaskId, Busy> {
        self.admit(|task, ctx| {
            let resumed = actix::fut::wrap_stream::<_, Connection<D>>(flow)
                .map(move |resume, act, ctx| {
                    if act.state.tasks.contains_key(&task) {
                        act.with_socket(ctx, resume);
                    }
                })
                .finish()
                .map(move |(), act: &mut Connection<D>, _| {
                    act.state.tasks.remove(&task);
                });
            ctx.spawn(resumed)
        })
    }

    fn cancel(&mut self, task: TaskId) -> bool {
        match self.state.tasks.remove(&task) {
            Some(handle) => {
                self.ctx.cancel_future(handle);
                true
            }
            None => false,
        }
    }

    fn in_flight(&self) -> usize {
        self.state.tasks.len()
    }
}

impl<D: Dialect> Actor for Connection<D> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Frames wait in the outbox, not here: the mailbox fills only when this worker falls
        // behind, so it holds several outbound queues' worth before that counts as slow.
        ctx.set_mailbox_capacity(self.state.sockets.config.outbound_queue.saturating_mul(4));
        let conn = ConnHandle::<D::Event>::new(self.state.id, &ctx.address()).control();
        self.state
            .sockets
            .registry
            .send(Register { conn })
            .into_actor(self)
            .map(move |admission, act, ctx| match admission {
                Ok(Ok(())) => act.admitted(ctx),
                Ok(Err(refused)) => {
                    let detail = format!("the hub holds its limit of {} sockets", refused.limit);
                    act.refuse(Refusal::new("too_many_connections", detail), ctx);
                    close(
                        &mut act.state,
                        ctx,
                        CloseCode::TryAgainLater,
                        "connection limit reached",
                    );
                }
                Err(_) => close(
                    &mut act.state,
                    ctx,
                    CloseCode::GoingAway,
                    "server shutting down",
                ),
            })
            .wait(ctx);
    }

    fn stopping(&mut self, _: &mut Self::Context) -> Running {
        self.state.outbox.finish();
        let linger = match self.state.failed {
            true => FAILED_LINGER,
            false => CLOSE_LINGER,
        };
        self.state.outbox.cut_later(linger);
        if std::mem::take(&mut self.state.registered) {
            let conn_id = self.state.id;
            let (endpoint, code) = (self.state.endpoint, self.state.close_code);
            self.state.sockets.per_endpoint.disconnected(endpoint, code);
            self.state.sockets.registry.do_send(Deregister { conn_id });
            self.dialect.closed(conn_id, self.state.shutting_down);
        }
        Running::Stop
    }
}

impl<D: Dialect> StreamHandler<Received> for Connection<D> {
    fn handle(&mut self, received: Received, ctx: &mut Self::Context) {
        self.state.last_heard = clock::now();
        self.received(received, ctx);
    }
}

impl<D: Dialect> Handler<Deliver<D::Event>> for Connection<D> {
    type Result = ();

    fn handle(&mut self, msg: Deliver<D::Event>, ctx: &mut Self::Context) {
        self.with_socket(ctx, |dialect, socket| dialect.deliver(msg.event, socket));
    }
}

impl<D: Dialect> Handler<Disconnect> for Connection<D> {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, ctx: &mut Self::Context) {
        if msg.code == CloseCode::SlowConsumer {
            self.state
                .sockets
                .refusals
                .record(EdgeRefusal::SocketStalled);
        }
        close(&mut self.state, ctx, msg.code, &msg.reason);
    }
}
