//! How actors reach a socket. Receives nothing itself: it defines the two messages every
//! connection actor accepts ([`Deliver`] an event of the family its protocol speaks,
//! [`Disconnect`] with a close code) and the handles other actors keep to send them:
//! [`ConnHandle`] for one event family, [`ConnControl`] for closing only. Pushing through a
//! handle never blocks and never queues without bound: a connection whose mailbox is full is
//! told to disconnect as a slow consumer.

use actix::dev::ToEnvelope;
use actix::prelude::*;

use crate::kernel::close::CloseCode;
use crate::kernel::ids::ConnId;

/// An event for the connection to encode in its wire format and send. `E` is an event family
/// defined by the room that emits it (a call's events, a desk's events, ...).
pub struct Deliver<E> {
    /// What happened.
    pub event: E,
}

impl<E: 'static> Message for Deliver<E> {
    type Result = ();
}

/// A request that the connection closes its socket and stops.
#[derive(Message, Clone, Debug)]
#[rtype(result = "()")]
pub struct Disconnect {
    /// The close code to send.
    pub code: CloseCode,
    /// A short human-readable reason for the close frame.
    pub reason: String,
}

/// How the connection registry reaches a connection: enough to count it and close it.
#[derive(Clone)]
pub struct ConnControl {
    /// The connection.
    id: ConnId,
    /// Its control mailbox (close requests bypass the bound: they must always arrive).
    disconnect: Recipient<Disconnect>,
}

impl std::fmt::Debug for ConnControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnControl").field("id", &self.id).finish()
    }
}

impl ConnControl {
    /// The connection this reaches.
    pub fn id(&self) -> ConnId {
        self.id
    }

    /// Asks the connection to close its socket with `code`.
    pub fn close(&self, code: CloseCode, reason: &str) {
        self.disconnect.do_send(Disconnect {
            code,
            reason: reason.to_owned(),
        });
    }
}

/// How actors reach one connection that hears events of family `E`. Cheap to clone.
pub struct ConnHandle<E: Send + 'static> {
    /// Its id and close mailbox.
    control: ConnControl,
    /// Its bounded event mailbox.
    deliver: Recipient<Deliver<E>>,
    /// The thread the connection runs on; an actor started for it runs there too, so that
    /// their messages need not cross threads.
    arbiter: ArbiterHandle,
}

impl<E: Send + 'static> Clone for ConnHandle<E> {
    fn clone(&self) -> Self {
        ConnHandle {
            control: self.control.clone(),
            deliver: self.deliver.clone(),
            arbiter: self.arbiter.clone(),
        }
    }
}

impl<E: Send + 'static> std::fmt::Debug for ConnHandle<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnHandle")
            .field("id", &self.control.id)
            .finish()
    }
}

impl<E: Send + 'static> ConnHandle<E> {
    /// A handle to the connection actor `addr`, known as `id`. Must be called on the
    /// connection's own arbiter (from inside the actor).
    pub fn new<A>(id: ConnId, addr: &Addr<A>) -> Self
    where
        A: Actor + Handler<Deliver<E>> + Handler<Disconnect>,
        A::Context: ToEnvelope<A, Deliver<E>> + ToEnvelope<A, Disconnect>,
    {
        ConnHandle {
            control: ConnControl {
                id,
                disconnect: addr.clone().recipient(),
            },
            deliver: addr.clone().recipient(),
            arbiter: Arbiter::current(),
        }
    }

    /// The connection this handle reaches.
    pub fn id(&self) -> ConnId {
        self.control.id
    }

    /// The closing half of the handle, for the connection registry.
    pub fn control(&self) -> ConnControl {
        self.control.clone()
    }

    /// Whether the connection is still running.
    pub fn is_connected(&self) -> bool {
        self.deliver.connected()
    }

    /// The arbiter (thread) the connection runs on.
    pub fn arbiter(&self) -> &ArbiterHandle {
        &self.arbiter
    }

    /// Queues `event` for the connection. Returns false when it was not queued: the connection
    /// is gone, or its mailbox is full, in which case it is told to close as a slow consumer.
    pub fn push(&self, event: E) -> bool {
        match self.deliver.try_send(Deliver { event }) {
            Ok(()) => true,
            Err(SendError::Full(_)) => {
                log::debug!(
                    "connection {} cannot keep up; disconnecting it",
                    self.control.id
                );
                self.close(
                    CloseCode::SlowConsumer,
                    "outbound queue full: the client is not reading",
                );
                false
            }
            Err(SendError::Closed(_)) => false,
        }
    }

    /// Asks the connection to close its socket with `code`.
    pub fn close(&self, code: CloseCode, reason: &str) {
        self.control.close(code, reason);
    }
}
