//! The events of seed 000's calls, pushed to call-leg sockets. Sent by the Matchmaker and the
//! Call inside [`Deliver`](crate::kernel::handle::Deliver); received by the call dialect of a
//! `/ws/call/{call_id}` socket, which encodes them as frames.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::calls::call_link::CallLink;
use crate::calls::ending::EndReason;
use crate::kernel::close::CloseCode;
use crate::kernel::ids::CallId;
use crate::kernel::role::Role;

/// Something that happened to a call leg.
#[derive(Debug, Clone)]
pub enum CallEvent {
    /// A waiting leg's place in its queue changed (or was first assigned).
    QueuePosition {
        /// The waiting leg.
        call_id: CallId,
        /// Its side.
        role: Role,
        /// 1 means next to be matched.
        position: usize,
    },
    /// The leg has a partner. From now on its transcripts go to `call`.
    CallMatched {
        /// The leg being told.
        call_id: CallId,
        /// Its side.
        role: Role,
        /// The partner's leg.
        partner_call_id: CallId,
        /// The partner's display name.
        partner_name: Arc<str>,
        /// When the two legs were paired.
        started_at: DateTime<Utc>,
        /// How the leg's socket reaches the Call that relays this call's transcripts.
        call: CallLink,
    },
    /// A line spoken by the other side of the call.
    Transcript {
        /// The role of the leg that sent it (decided by the hub, never by the client).
        speaker: Role,
        /// What was said.
        text: Arc<str>,
        /// Position of the line in the call, from 1, counting both sides.
        seq: u64,
        /// When the hub accepted it.
        timestamp: DateTime<Utc>,
    },
    /// The call is over (for a waiting leg: it left the queue).
    CallEnded {
        /// The leg being told.
        call_id: CallId,
        /// Why it ended.
        reason: EndReason,
    },
    /// The socket may not serve this leg; it should send an error and close.
    Refused {
        /// Machine-readable error code for the error frame.
        error: &'static str,
        /// Human-readable explanation.
        detail: String,
        /// How to close the socket afterwards.
        close: CloseCode,
    },
    /// A line from this leg was refused; the socket stays open.
    Error {
        /// Machine-readable error code.
        error: &'static str,
        /// Human-readable explanation.
        detail: String,
    },
}

impl CallEvent {
    /// The refusal for a second socket on a leg that already has one.
    pub fn already_connected(call_id: &CallId) -> CallEvent {
        CallEvent::Refused {
            error: "already_connected",
            detail: format!("another socket is already connected to {call_id}"),
            close: CloseCode::AlreadyConnected,
        }
    }
}
