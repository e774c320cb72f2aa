//! The application state handed to every handler: the actor addresses and the socket and
//! stream limits. Holds no domain state of its own. Also the one way handlers reach a seed-001
//! session: [`AppState::ask_session`] looks it up in the directory and asks it, once more if
//! the actor unloaded itself in between.

use std::sync::Arc;
use std::time::Duration;

use actix::dev::ToEnvelope;
use actix::{Addr, Handler, MailboxError, Message};
use switchboard_actors::session::{OpenSession, Session, SessionDirectory};
use switchboard_actors::store::Store;
use switchboard_actors::{Matchmaker, Metrics, Monitor, SessionName, SessionRegistry};

use crate::ws::SocketLimits;

/// Times a request is retried when its session actor stopped between lookup and request.
const SESSION_ATTEMPTS: usize = 3;

/// Addresses and limits shared by the HTTP and WebSocket handlers.
#[derive(Clone)]
pub struct AppState {
    /// The call directory, call queues and handover queue.
    pub matchmaker: Addr<Matchmaker>,
    /// The connection registry.
    pub registry: Addr<SessionRegistry>,
    /// The statistics actor.
    pub monitor: Addr<Monitor>,
    /// The seed-001 session directory.
    pub sessions: Addr<SessionDirectory>,
    /// The database.
    pub store: Addr<Store>,
    /// The shared counters, bumped by connections.
    pub metrics: Arc<Metrics>,
    /// Limits applied to every socket.
    pub socket_limits: SocketLimits,
    /// Keep-alive comment interval on SSE streams.
    pub sse_keepalive: Duration,
}

impl AppState {
    /// Sends `msg` to the session `name` (starting its actor if needed) and waits for the
    /// answer.
    pub async fn ask_session<M>(
        &self,
        name: &SessionName,
        msg: M,
    ) -> Result<M::Result, MailboxError>
    where
        M: Message + Clone + Send + 'static,
        M::Result: Send,
        Session: Handler<M>,
        <Session as actix::Actor>::Context: ToEnvelope<Session, M>,
    {
        let mut last = MailboxError::Closed;
        for _ in 0..SESSION_ATTEMPTS {
            let session = self
                .sessions
                .send(OpenSession { name: name.clone() })
                .await?;
            match session.send(msg.clone()).await {
                Err(MailboxError::Closed) => last = MailboxError::Closed,
                answer => return answer,
            }
        }
        Err(last)
    }
}
