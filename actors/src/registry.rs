//! ConnectionRegistry: the phone book of live sockets, named for what it does today: it admits
//! a socket under the connection limit ([`Register`]), forgets it ([`Deregister`]), counts the
//! open ones ([`CountConnections`]) and closes them all at shutdown ([`CloseAll`]), sending
//! [`Disconnect`](crate::kernel::handle::Disconnect) through each socket's
//! [`ConnControl`]. Receives those from connections and the server. It is on the control path
//! only: no ordinary message passes through it. Routing to a user's connections and presence
//! (seed 003) are its next duties: they are per-connection facts, so they belong here.

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;

use crate::kernel::close::CloseCode;
use crate::kernel::handle::ConnControl;
use crate::kernel::ids::ConnId;
use crate::kernel::metrics::ConnectionMetrics;

/// A new socket asks to be admitted.
#[derive(Message)]
#[rtype(result = "Result<(), AdmissionRefused>")]
pub struct Register {
    /// How to reach (and close) the new connection.
    pub conn: ConnControl,
}

/// The connection limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionRefused {
    /// The configured maximum number of sockets.
    pub limit: usize,
}

/// A socket has closed. Idempotent.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Deregister {
    /// The connection that closed.
    pub conn_id: ConnId,
}

/// Close every registered socket (the hub is going away). Answers how many were told.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CloseAll {
    /// Close code to send.
    pub code: CloseCode,
    /// Reason for the close frame.
    pub reason: String,
}

/// How many sockets are registered right now.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CountConnections;

/// The registry actor.
pub struct ConnectionRegistry {
    /// Every admitted connection.
    conns: HashMap<ConnId, ConnControl>,
    /// Most sockets allowed at once.
    max_connections: usize,
    /// The socket layer's counters.
    metrics: Arc<ConnectionMetrics>,
}

impl ConnectionRegistry {
    /// An empty registry admitting at most `max_connections` sockets.
    pub fn new(max_connections: usize, metrics: Arc<ConnectionMetrics>) -> Self {
        ConnectionRegistry {
            conns: HashMap::new(),
            max_connections,
            metrics,
        }
    }

    fn register(&mut self, conn: ConnControl) -> Result<(), AdmissionRefused> {
        if self.conns.len() >= self.max_connections {
            self.metrics.connections_refused.bump();
            return Err(AdmissionRefused {
                limit: self.max_connections,
            });
        }
        self.conns.insert(conn.id(), conn);
        self.metrics.connections_total.bump();
        self.metrics.connections_open.set(self.conns.len());
        Ok(())
    }

    fn deregister(&mut self, conn_id: ConnId) {
        if self.conns.remove(&conn_id).is_some() {
            self.metrics.connections_open.set(self.conns.len());
        }
    }

    fn close_all(&mut self, code: CloseCode, reason: &str) -> usize {
        for conn in self.conns.values() {
            conn.close(code, reason);
        }
        self.conns.len()
    }
}

impl Actor for ConnectionRegistry {
    type Context = Context<Self>;
}

impl Handler<Register> for ConnectionRegistry {
    type Result = Result<(), AdmissionRefused>;

    fn handle(&mut self, msg: Register, _: &mut Context<Self>) -> Self::Result {
        self.register(msg.conn)
    }
}

impl Handler<Deregister> for ConnectionRegistry {
    type Result = ();

    fn handle(&mut self, msg: Deregister, _: &mut Context<Self>) {
        self.deregister(msg.conn_id);
    }
}

impl Handler<CountConnections> for ConnectionRegistry {
    type Result = usize;

    fn handle(&mut self, _: CountConnections, _: &mut Context<Self>) -> usize {
        self.conns.len()
    }
}

impl Handler<CloseAll> for ConnectionRegistry {
    type Result = usize;

    fn handle(&mut self, msg: CloseAll, _: &mut Context<Self>) -> usize {
        self.close_all(msg.code, &msg.reason)
    }
}
