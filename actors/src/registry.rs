//! SessionRegistry: the phone book of live connections. Receives [`Register`] (admission under
//! the connection limit), [`Deregister`], [`CountConnections`] and [`CloseAll`] (shutdown) from
//! connections and the server; sends [`crate::conn::Disconnect`] to connections. It is on the control path only:
//! no ordinary message passes through it.

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;

use crate::close::CloseCode;
use crate::conn::ConnHandle;
use crate::ids::ConnId;
use crate::monitor::Metrics;

/// A new socket asks to be admitted.
#[derive(Message)]
#[rtype(result = "Result<(), AdmissionRefused>")]
pub struct Register {
    /// How to reach the new connection.
    pub conn: ConnHandle,
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
pub struct SessionRegistry {
    /// Every admitted connection.
    conns: HashMap<ConnId, ConnHandle>,
    /// Most sockets allowed at once.
    max_connections: usize,
    /// Shared counters.
    metrics: Arc<Metrics>,
}

impl SessionRegistry {
    /// An empty registry admitting at most `max_connections` sockets.
    pub fn new(max_connections: usize, metrics: Arc<Metrics>) -> Self {
        SessionRegistry {
            conns: HashMap::new(),
            max_connections,
            metrics,
        }
    }

    fn register(&mut self, conn: ConnHandle) -> Result<(), AdmissionRefused> {
        if self.conns.len() >= self.max_connections {
            Metrics::bump(&self.metrics.connections_refused);
            return Err(AdmissionRefused {
                limit: self.max_connections,
            });
        }
        self.conns.insert(conn.id, conn);
        Metrics::bump(&self.metrics.connections_total);
        Metrics::set(&self.metrics.connections_open, self.conns.len());
        Ok(())
    }

    fn deregister(&mut self, conn_id: ConnId) {
        if self.conns.remove(&conn_id).is_some() {
            Metrics::set(&self.metrics.connections_open, self.conns.len());
        }
    }

    fn close_all(&mut self, code: CloseCode, reason: &str) -> usize {
        for conn in self.conns.values() {
            conn.close(code, reason);
        }
        self.conns.len()
    }
}

impl Actor for SessionRegistry {
    type Context = Context<Self>;
}

impl Handler<Register> for SessionRegistry {
    type Result = Result<(), AdmissionRefused>;

    fn handle(&mut self, msg: Register, _: &mut Context<Self>) -> Self::Result {
        self.register(msg.conn)
    }
}

impl Handler<Deregister> for SessionRegistry {
    type Result = ();

    fn handle(&mut self, msg: Deregister, _: &mut Context<Self>) {
        self.deregister(msg.conn_id);
    }
}

impl Handler<CountConnections> for SessionRegistry {
    type Result = usize;

    fn handle(&mut self, _: CountConnections, _: &mut Context<Self>) -> usize {
        self.conns.len()
    }
}

impl Handler<CloseAll> for SessionRegistry {
    type Result = usize;

    fn handle(&mut self, msg: CloseAll, _: &mut Context<Self>) -> usize {
        self.close_all(msg.code, &msg.reason)
    }
}
