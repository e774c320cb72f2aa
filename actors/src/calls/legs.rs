//! The Matchmaker's book of issued legs, pure: the two ranked FIFO queues and what is known of
//! every leg that is waiting, matched or recently ended. Receives and sends no messages; the
//! Matchmaker owns it and asks it where a leg stands, for its place in a queue, and for the
//! views that `GET /api/calls` and `GET /api/calls/match/{call_id}` show.

use std::collections::HashMap;
use std::sync::Arc;

use actix::Addr;
use chrono::{DateTime, Utc};

use crate::calls::call::Call;
use crate::calls::call_events::CallEvent;
use crate::calls::call_requests::{ActiveCall, CallView, CallsSnapshot, WaitingLeg};
use crate::calls::ending::EndReason;
use crate::calls::queue::{RankedQueue, Ticket};
use crate::kernel::clock::Instant;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{CallId, PairId};
use crate::kernel::role::Role;

/// A leg in a queue.
pub(crate) struct Waiter {
    /// The leg.
    pub(crate) call_id: CallId,
    /// Its display name.
    pub(crate) name: Arc<str>,
    /// When it joined the queue.
    pub(crate) since: DateTime<Utc>,
    /// By when its socket must be open.
    pub(crate) connect_by: Instant,
    /// Its socket, once open.
    pub(crate) conn: Option<ConnHandle<CallEvent>>,
    /// The place it was last told.
    pub(crate) announced: usize,
}

impl Waiter {
    /// A leg that has just joined, without a socket yet.
    pub(crate) fn new(
        call_id: &CallId,
        name: Arc<str>,
        since: DateTime<Utc>,
        connect_by: Instant,
    ) -> Self {
        Waiter {
            call_id: call_id.clone(),
            name,
            since,
            connect_by,
            conn: None,
            announced: 0,
        }
    }
}

/// What the book knows of an issued leg.
pub(crate) enum Entry {
    /// Queued on its side, under this ticket.
    Waiting(Role, Ticket),
    /// Paired.
    Matched(MatchedLeg),
    /// Over, for this reason; forgotten after the connect timeout.
    Ended(Role, EndReason),
}

/// A paired leg.
pub(crate) struct MatchedLeg {
    /// Its side.
    pub(crate) role: Role,
    /// Its display name.
    pub(crate) name: Arc<str>,
    /// The partner's leg.
    pub(crate) partner_call_id: CallId,
    /// The partner's display name.
    pub(crate) partner_name: Arc<str>,
    /// When the pair was made.
    pub(crate) started_at: DateTime<Utc>,
    /// The pair.
    pub(crate) pair_id: PairId,
    /// The call actor.
    pub(crate) call: Addr<Call>,
}

/// Every issued leg that is waiting, in a call, or recently ended, and the two queues.
#[derive(Default)]
pub(crate) struct Legs {
    /// Waiting legs per role (index [`Role::index`]), head first.
    queues: [RankedQueue<Waiter>; 2],
    /// Every issued leg by id.
    entries: HashMap<CallId, Entry>,
    /// How many entries are matched legs.
    matched: usize,
}

impl Legs {
    /// A call id not yet issued.
    pub(crate) fn fresh_call_id(&self) -> CallId {
        loop {
            let id = CallId::generate();
            if !self.entries.contains_key(&id) {
                return id;
            }
        }
    }

    /// The queue of `role`.
    pub(crate) fn queue(&self, role: Role) -> &RankedQueue<Waiter> {
        &self.queues[role.index()]
    }

    /// The queue of `role`, mutably.
    pub(crate) fn queue_mut(&mut self, role: Role) -> &mut RankedQueue<Waiter> {
        &mut self.queues[role.index()]
    }

    /// What is known of `call_id`.
    pub(crate) fn entry(&self, call_id: &CallId) -> Option<&Entry> {
        self.entries.get(call_id)
    }

    /// Records what is now known of `call_id`.
    pub(crate) fn record(&mut self, call_id: CallId, entry: Entry) {
        let now_matched = matches!(entry, Entry::Matched(_));
        let was_matched = matches!(self.entries.insert(call_id, entry), Some(Entry::Matched(_)));
        match (was_matched, now_matched) {
            (false, true) => self.matched += 1,
            (true, false) => self.matched -= 1,
            _ => {}
        }
    }

    /// Forgets `call_id` if it is an ended leg.
    pub(crate) fn forget_if_ended(&mut self, call_id: &CallId) {
        if matches!(self.entries.get(call_id), Some(Entry::Ended(..))) {
            self.entries.remove(call_id);
        }
    }

    /// The queue entry of a waiting leg.
    pub(crate) fn waiting(&self, call_id: &CallId) -> Option<(Role, Ticket)> {
        match self.entries.get(call_id)? {
            Entry::Waiting(role, ticket) => Some((*role, *ticket)),
            Entry::Matched(_) | Entry::Ended(..) => None,
        }
    }

    /// The socket of a waiting leg, if open.
    pub(crate) fn waiting_conn(
        &self,
        role: Role,
        ticket: Ticket,
    ) -> Option<&ConnHandle<CallEvent>> {
        self.queue(role)
            .get(ticket)
            .and_then(|waiter| waiter.conn.as_ref())
    }

    /// Matched calls in progress.
    pub(crate) fn active_calls(&self) -> usize {
        self.matched / 2
    }

    /// Where `call_id` stands, as `GET /api/calls/match/{call_id}` shows it.
    pub(crate) fn lookup(&self, call_id: &CallId) -> Option<CallView> {
        match self.entries.get(call_id)? {
            &Entry::Waiting(role, ticket) => {
                let queue = self.queue(role);
                let position = queue.position(ticket)?;
                let waiter = queue.get(ticket)?;
                Some(CallView::Waiting {
                    role,
                    name: waiter.name.clone(),
                    position,
                    since: waiter.since,
                })
            }
            Entry::Matched(leg) => Some(CallView::Matched {
                role: leg.role,
                name: leg.name.clone(),
                partner_call_id: leg.partner_call_id.clone(),
                partner_name: leg.partner_name.clone(),
                started_at: leg.started_at,
                pair_id: leg.pair_id,
            }),
            &Entry::Ended(role, reason) => Some(CallView::Ended { role, reason }),
        }
    }

    /// Calls in progress (oldest first) and both queues (head first).
    pub(crate) fn snapshot(&self) -> CallsSnapshot {
        let mut active_calls: Vec<ActiveCall> = self
            .entries
            .iter()
            .filter_map(|(call_id, entry)| match entry {
                Entry::Matched(leg) if leg.role == Role::Customer => Some(ActiveCall {
                    pair_id: leg.pair_id,
                    customer_call_id: call_id.clone(),
                    agent_call_id: leg.partner_call_id.clone(),
                    customer_name: leg.name.clone(),
                    agent_name: leg.partner_name.clone(),
                    started_at: leg.started_at,
                }),
                _ => None,
            })
            .collect();
        active_calls.sort_by_key(|call| call.started_at);
        let queue = |role: Role| {
            self.queue(role)
                .iter()
                .map(|(position, w)| WaitingLeg {
                    call_id: w.call_id.clone(),
                    name: w.name.clone(),
                    since: w.since,
                    position,
                    connected: w.conn.is_some(),
                })
                .collect()
        };
        CallsSnapshot {
            active_calls,
            waiting_customers: queue(Role::Customer),
            available_agents: queue(Role::Agent),
        }
    }
}
