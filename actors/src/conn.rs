//! The socket side of the actor map: the two messages every connection actor accepts
//! ([`Deliver`] an event, [`Disconnect`] with a close code) and the [`ConnHandle`] other actors
//! keep to reach it. Pushing through a handle never blocks and never queues without bound: a
//! connection whose mailbox is full is told to disconnect as a slow consumer.

use actix::prelude::*;

use crate::close::CloseCode;
use crate::event::Event;
use crate::ids::ConnId;

/// An event for the connection to encode in its wire format and send.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Deliver {
    /// What happened.
    pub event: Event,
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

/// How actors reach one connection. Cheap to clone.
#[derive(Clone)]
pub struct ConnHandle {
    /// The connection this handle reaches.
    pub id: ConnId,
    /// Its bounded event mailbox.
    deliver: Recipient<Deliver>,
    /// Its control mailbox (close requests bypass the bound: they must always arrive).
    disconnect: Recipient<Disconnect>,
    /// The thread the connection runs on; a conversation started for it runs there too, so
    /// that its messages need not cross threads.
    arbiter: ArbiterHandle,
}

impl std::fmt::Debug for ConnHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnHandle").field("id", &self.id).finish()
    }
}

impl ConnHandle {
    /// A handle from the connection actor's own recipients. Must be called on the
    /// connection's own arbiter (from inside the actor).
    pub fn new(id: ConnId, deliver: Recipient<Deliver>, disconnect: Recipient<Disconnect>) -> Self {
        ConnHandle {
            id,
            deliver,
            disconnect,
            arbiter: Arbiter::current(),
        }
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
    pub fn push(&self, event: Event) -> bool {
        match self.deliver.try_send(Deliver { event }) {
            Ok(()) => true,
            Err(SendError::Full(_)) => {
                log::warn!("connection {} cannot keep up; disconnecting it", self.id);
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
        self.disconnect.do_send(Disconnect {
            code,
            reason: reason.to_owned(),
        });
    }
}
