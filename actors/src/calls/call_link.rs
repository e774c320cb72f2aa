//! What a leg's socket sends to its call once matched, and the narrow [`CallLink`] it sends it
//! through. Receives nothing itself: [`RelayTranscript`], [`EndCall`] and [`LeaveLeg`] are
//! handled by the Call (and the last two by the Matchmaker while a leg waits).

use actix::prelude::*;

use crate::calls::ending::EndOrigin;
use crate::kernel::ids::{CallId, ConnId};

/// A line said on one leg, to be relayed to the other.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RelayTranscript {
    /// The leg that said it.
    pub call_id: CallId,
    /// What was said.
    pub text: String,
}

/// End a call (or withdraw a waiting leg). Handled by the Matchmaker and the Call.
#[derive(Message, Clone)]
#[rtype(result = "Result<(), UnknownCall>")]
pub struct EndCall {
    /// The leg asking, or named in the REST path.
    pub call_id: CallId,
    /// Who asked.
    pub origin: EndOrigin,
}

/// No call leg has that id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownCall;

/// A leg's socket closed. Handled by the Matchmaker (waiting legs leave the queue) and by the
/// Call (the call ends). Ignored when `conn_id` is not the leg's current socket.
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct LeaveLeg {
    /// The leg.
    pub call_id: CallId,
    /// The socket that closed.
    pub conn_id: ConnId,
    /// The hub closed it because it is shutting down (the partner's socket is being closed
    /// too, so it is not told).
    pub shutdown: bool,
}

/// How a matched leg's socket reaches its Call: the three things it may send, nothing else.
#[derive(Clone)]
pub struct CallLink {
    /// Relays a line to the partner (bounded: a full call mailbox refuses the line).
    pub relay: Recipient<RelayTranscript>,
    /// Hangs up.
    pub end: Recipient<EndCall>,
    /// The socket went away.
    pub leave: Recipient<LeaveLeg>,
}

impl std::fmt::Debug for CallLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallLink")
    }
}
