//! The typed events that actors push to connections, one enum. Sent by the Matchmaker, the
//! Call and the Session inside [`crate::conn::Deliver`]; received by a connection, whose
//! dialect encodes the ones it speaks and skips the rest.

use std::sync::Arc;

use actix::Addr;
use chrono::{DateTime, Utc};

use crate::call::Call;
use crate::close::CloseCode;
use crate::ids::{CallId, SessionName};
use crate::role::Role;
use crate::session::{SessionEvent, SessionState};

/// Something that happened that a connection should hear about.
#[derive(Debug, Clone)]
pub enum Event {
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
        /// The conversation actor that relays this call's transcripts.
        call: Addr<Call>,
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
    /// The connection may not serve this leg; it should send an error and close.
    Refused {
        /// Machine-readable error code for the error frame.
        error: &'static str,
        /// Human-readable explanation.
        detail: String,
        /// How to close the socket afterwards.
        close: CloseCode,
    },
    /// A session was handed to this agent desk (by the handover queue or its own claim).
    SessionAssigned {
        /// The session as it is now, history included.
        session: Arc<SessionState>,
    },
    /// Something happened in a session this agent desk holds.
    SessionUpdate {
        /// The session.
        session_name: SessionName,
        /// What happened.
        event: SessionEvent,
    },
    /// A request from this connection was refused; the connection stays open.
    Error {
        /// Machine-readable error code.
        error: &'static str,
        /// Human-readable explanation.
        detail: String,
    },
}

impl Event {
    /// The refusal for a second socket on a leg that already has one.
    pub fn already_connected(call_id: &CallId) -> Event {
        Event::Refused {
            error: "already_connected",
            detail: format!("another socket is already connected to {call_id}"),
            close: CloseCode::AlreadyConnected,
        }
    }
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// That side sent `call_ended`.
    HungUp(Role),
    /// That side's socket went away.
    Disconnected(Role),
    /// `POST /api/calls/{call_id}/end`.
    EndedViaApi,
    /// A leg was issued a call id but never connected its socket in time.
    ConnectTimeout,
    /// The hub shut down while the call was in progress.
    ServerShutdown,
}

impl EndReason {
    /// The wire form, e.g. `customer_hung_up`, `agent_disconnected`, `ended_via_api`.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::HungUp(Role::Customer) => "customer_hung_up",
            EndReason::HungUp(Role::Agent) => "agent_hung_up",
            EndReason::Disconnected(Role::Customer) => "customer_disconnected",
            EndReason::Disconnected(Role::Agent) => "agent_disconnected",
            EndReason::EndedViaApi => "ended_via_api",
            EndReason::ConnectTimeout => "connect_timeout",
            EndReason::ServerShutdown => "server_shutdown",
        }
    }
}
