//! What the call directory receives, and the answers it sends. [`StartCall`], [`LookupCall`]
//! and [`ListCalls`] come from the HTTP edge, [`AttachLeg`] from a leg's socket (handled by the
//! Matchmaker, and by the Call once the leg is matched), [`CallClosed`] from a Call that ended.

use std::sync::Arc;

use actix::prelude::*;
use chrono::{DateTime, Utc};

use crate::calls::call_events::CallEvent;
use crate::calls::ending::EndReason;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{CallId, PairId};
use crate::kernel::role::Role;

/// Ask for a new call leg: queue it, or pair it at once with the longest-waiting partner.
#[derive(Message)]
#[rtype(result = "Result<CallStarted, QueueFull>")]
pub struct StartCall {
    /// Which side is calling.
    pub role: Role,
    /// Display name shown to the partner.
    pub name: String,
}

/// The answer to [`StartCall`].
#[derive(Debug, Clone)]
pub struct CallStarted {
    /// The new leg's id.
    pub call_id: CallId,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// Where it stands now.
    pub placement: Placement,
}

/// Where a new leg stands.
#[derive(Debug, Clone)]
pub enum Placement {
    /// Queued; 1 means next.
    Waiting {
        /// Place in the queue.
        position: usize,
    },
    /// Paired at once.
    Matched {
        /// The partner's leg.
        partner_call_id: CallId,
        /// The partner's display name.
        partner_name: Arc<str>,
    },
}

/// The queue of that side is full; try again later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull {
    /// The configured limit.
    pub limit: usize,
}

/// A socket opened for a call leg. The answer arrives as events on `conn`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AttachLeg {
    /// The leg named in the socket's path.
    pub call_id: CallId,
    /// The socket.
    pub conn: ConnHandle<CallEvent>,
}

/// Where does this leg stand?
#[derive(Message)]
#[rtype(result = "Option<CallView>")]
pub struct LookupCall {
    /// The leg.
    pub call_id: CallId,
}

/// One leg as seen by `GET /api/calls/match/{call_id}`.
#[derive(Debug, Clone)]
pub enum CallView {
    /// Still queued.
    Waiting {
        /// Its side.
        role: Role,
        /// Its display name.
        name: Arc<str>,
        /// Place in the queue; 1 means next.
        position: usize,
        /// When it joined the queue.
        since: DateTime<Utc>,
    },
    /// Paired.
    Matched {
        /// Its side.
        role: Role,
        /// Its display name.
        name: Arc<str>,
        /// The partner's leg.
        partner_call_id: CallId,
        /// The partner's display name.
        partner_name: Arc<str>,
        /// When the pair was made.
        started_at: DateTime<Utc>,
        /// The pair.
        pair_id: PairId,
    },
    /// The call is over (kept for a while after it ends).
    Ended {
        /// Its side.
        role: Role,
        /// Why it ended.
        reason: EndReason,
    },
}

/// Everything the Matchmaker holds, for `GET /api/calls`.
#[derive(Message)]
#[rtype(result = "CallsSnapshot")]
pub struct ListCalls;

/// The answer to [`ListCalls`].
#[derive(Debug, Clone, Default)]
pub struct CallsSnapshot {
    /// Calls in progress, oldest first.
    pub active_calls: Vec<ActiveCall>,
    /// The customer queue, head first.
    pub waiting_customers: Vec<WaitingLeg>,
    /// The agent queue, head first.
    pub available_agents: Vec<WaitingLeg>,
}

/// One call in progress.
#[derive(Debug, Clone)]
pub struct ActiveCall {
    /// The pair.
    pub pair_id: PairId,
    /// The customer's leg.
    pub customer_call_id: CallId,
    /// The agent's leg.
    pub agent_call_id: CallId,
    /// The customer's display name.
    pub customer_name: Arc<str>,
    /// The agent's display name.
    pub agent_name: Arc<str>,
    /// When the pair was made.
    pub started_at: DateTime<Utc>,
}

/// One queued leg.
#[derive(Debug, Clone)]
pub struct WaitingLeg {
    /// The leg.
    pub call_id: CallId,
    /// Its display name.
    pub name: Arc<str>,
    /// When it joined the queue.
    pub since: DateTime<Utc>,
    /// Place in the queue; 1 means next.
    pub position: usize,
    /// Whether its socket is open.
    pub connected: bool,
}

/// A call has ended: its legs are remembered as ended for a while, then forgotten. Sent by
/// the Call to the Matchmaker.
#[derive(Message)]
#[rtype(result = "()")]
pub struct CallClosed {
    /// The pair.
    pub pair_id: PairId,
    /// Both legs of the ended call, customer first.
    pub call_ids: [CallId; 2],
    /// Why it ended.
    pub reason: EndReason,
}
