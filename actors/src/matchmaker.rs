//! Matchmaker: the call directory and the two FIFO queues of seed 000. Receives [`StartCall`]
//! and the lookups from HTTP handlers, [`AttachLeg`] / [`LeaveLeg`] / [`EndCall`] from call
//! sockets, and [`CallClosed`] from calls. Sends `QueuePosition`, `CallEnded` and `Refused`
//! events to waiting legs (and `CallEnded` to sockets of calls that already ended), and starts
//! one [`Call`] per pair, which tells both legs they are matched. Transcripts never pass
//! through here.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::{DateTime, Utc};

use crate::call::{Call, Leg};
use crate::close::CloseCode;
use crate::conn::ConnHandle;
use crate::event::{EndReason, Event};
use crate::handoff::HandoffBoard;
use crate::ids::{CallId, ConnId, SessionId};
use crate::monitor::Metrics;
use crate::queue::{RankedQueue, Ticket};
use crate::role::Role;
use crate::store::{RecordCall, RecordCallEnd, Store};

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

/// A socket opened for a call leg. The answer arrives as events on `conn`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AttachLeg {
    /// The leg named in the socket's path.
    pub call_id: CallId,
    /// The socket.
    pub conn: ConnHandle,
}

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

/// End a call (or withdraw a waiting leg). Handled by the Matchmaker and the Call.
#[derive(Message, Clone)]
#[rtype(result = "Result<(), UnknownCall>")]
pub struct EndCall {
    /// The leg asking, or named in the REST path.
    pub call_id: CallId,
    /// Who asked.
    pub origin: EndOrigin,
}

/// Who asked for a call to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOrigin {
    /// The leg's socket sent `call_ended`; ignored unless it is the leg's current socket.
    Hangup(ConnId),
    /// `POST /api/calls/{call_id}/end`.
    Api,
}

impl EndOrigin {
    /// Why the call ends when this origin asks on behalf of a `role` leg whose current socket is
    /// `current`; `None` when a hang-up comes from a socket that is not the leg's own.
    pub(crate) fn reason(self, role: Role, current: Option<&ConnHandle>) -> Option<EndReason> {
        match self {
            EndOrigin::Hangup(conn_id) => current
                .is_some_and(|conn| conn.id == conn_id)
                .then_some(EndReason::HungUp(role)),
            EndOrigin::Api => Some(EndReason::EndedViaApi),
        }
    }
}

/// No call leg has that id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownCall;

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
        /// The conversation.
        session_id: SessionId,
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
    /// The conversation.
    pub session_id: SessionId,
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

/// A call has ended: its legs are remembered as ended for a while, then forgotten.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct CallClosed {
    /// The call.
    pub session_id: SessionId,
    /// Both legs of the ended call, customer first.
    pub call_ids: [CallId; 2],
    /// Why it ended.
    pub reason: EndReason,
}

/// The queue of that side is full; try again later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull {
    /// The configured limit.
    pub limit: usize,
}

/// Timing and size settings shared by the Matchmaker and its calls.
#[derive(Debug, Clone, Copy)]
pub struct CallSettings {
    /// How long an issued leg may go without opening its socket before it is dropped.
    pub connect_timeout: Duration,
    /// How many transcripts a call holds for a partner whose socket is not open yet.
    pub transcript_backlog: usize,
    /// Shortest gap between two rounds of queue-position updates: when many legs wait, one
    /// round tells each of them its new place at most this often.
    pub queue_update_interval: Duration,
    /// Most legs waiting on one side; the next `StartCall` is refused.
    pub queue_limit: usize,
}

/// A leg in a queue.
struct Waiter {
    /// The leg.
    call_id: CallId,
    /// Its display name.
    name: Arc<str>,
    /// When it joined the queue.
    since: DateTime<Utc>,
    /// By when its socket must be open.
    connect_by: Instant,
    /// Its socket, once open.
    conn: Option<ConnHandle>,
    /// The place it was last told.
    announced: usize,
}

impl Waiter {
    fn new(call_id: &CallId, name: Arc<str>, since: DateTime<Utc>, connect_by: Instant) -> Self {
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

/// What the directory knows of an issued leg.
enum Entry {
    /// Queued on its side, under this ticket.
    Waiting(Role, Ticket),
    /// Paired.
    Matched(MatchedLeg),
    /// Over, for this reason; forgotten after the connect timeout.
    Ended(Role, EndReason),
}

/// A paired leg.
struct MatchedLeg {
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
    /// The conversation.
    session_id: SessionId,
    /// The conversation actor.
    call: Addr<Call>,
}

/// The matchmaker actor.
pub struct Matchmaker {
    /// Waiting legs per role (index [`Role::index`]), head first.
    queues: [RankedQueue<Waiter>; 2],
    /// Per role: a round of position updates is already scheduled.
    update_scheduled: [bool; 2],
    /// Every issued leg that is waiting, in a call, or recently ended.
    calls: HashMap<CallId, Entry>,
    /// How many entries of `calls` are matched legs.
    matched_legs: usize,
    /// Timing and size settings.
    settings: CallSettings,
    /// Shared counters.
    metrics: Arc<Metrics>,
    /// Escalated sessions waiting for an agent desk, and the desks.
    pub(crate) handoffs: HandoffBoard,
    /// Where matched and ended calls are recorded.
    store: Addr<Store>,
}

impl Matchmaker {
    /// An empty matchmaker that records calls in `store`.
    pub fn new(settings: CallSettings, metrics: Arc<Metrics>, store: Addr<Store>) -> Self {
        Matchmaker {
            queues: [RankedQueue::default(), RankedQueue::default()],
            update_scheduled: [false; 2],
            calls: HashMap::new(),
            matched_legs: 0,
            settings,
            metrics,
            handoffs: HandoffBoard::default(),
            store,
        }
    }

    fn fresh_call_id(&self) -> CallId {
        loop {
            let id = CallId::generate();
            if !self.calls.contains_key(&id) {
                return id;
            }
        }
    }

    fn start_call(
        &mut self,
        role: Role,
        name: String,
        ctx: &mut Context<Self>,
    ) -> Result<CallStarted, QueueFull> {
        let partners_waiting = self.queues[role.partner().index()].len() > 0;
        if !partners_waiting && self.queues[role.index()].len() >= self.settings.queue_limit {
            return Err(QueueFull {
                limit: self.settings.queue_limit,
            });
        }
        let call_id = self.fresh_call_id();
        let name: Arc<str> = name.into();
        let created_at = Utc::now();
        let connect_by = Instant::now() + self.settings.connect_timeout;
        Metrics::bump(&self.metrics.calls_started);
        let placement = match self.queues[role.partner().index()].pop_front() {
            Some((_, partner)) => {
                self.schedule_positions(role.partner(), ctx);
                let placement = Placement::Matched {
                    partner_call_id: partner.call_id.clone(),
                    partner_name: partner.name.clone(),
                };
                let mine = Waiter::new(&call_id, name, created_at, connect_by);
                let (customer, agent) = match role {
                    Role::Customer => (mine, partner),
                    Role::Agent => (partner, mine),
                };
                self.pair(customer, agent, created_at, ctx);
                placement
            }
            None => {
                let queue = &mut self.queues[role.index()];
                let ticket = queue.push_back(Waiter::new(&call_id, name, created_at, connect_by));
                let position = queue.len();
                self.calls
                    .insert(call_id.clone(), Entry::Waiting(role, ticket));
                let expiring = call_id.clone();
                ctx.run_later(self.settings.connect_timeout, move |act, ctx| {
                    act.expire_unconnected(&expiring, ctx)
                });
                Placement::Waiting { position }
            }
        };
        self.publish_gauges();
        Ok(CallStarted {
            call_id,
            created_at,
            placement,
        })
    }

    fn pair(
        &mut self,
        customer: Waiter,
        agent: Waiter,
        started_at: DateTime<Utc>,
        ctx: &mut Context<Self>,
    ) {
        let session_id = SessionId::generate();
        let arbiter = [&customer, &agent]
            .into_iter()
            .find_map(|leg| leg.conn.as_ref().map(|conn| conn.arbiter().clone()))
            .unwrap_or_else(Arbiter::current);
        let leg = |w: &Waiter| Leg::new(&w.call_id, &w.name, w.conn.clone(), w.connect_by);
        let legs = [leg(&customer), leg(&agent)];
        let (matchmaker, settings, metrics) = (ctx.address(), self.settings, self.metrics.clone());
        let call = Call::start_in_arbiter(&arbiter, move |_| {
            Call::new(session_id, legs, started_at, matchmaker, settings, metrics)
        });
        for (me, partner, role) in [
            (&customer, &agent, Role::Customer),
            (&agent, &customer, Role::Agent),
        ] {
            self.calls.insert(
                me.call_id.clone(),
                Entry::Matched(MatchedLeg {
                    role,
                    name: me.name.clone(),
                    partner_call_id: partner.call_id.clone(),
                    partner_name: partner.name.clone(),
                    started_at,
                    session_id,
                    call: call.clone(),
                }),
            );
        }
        self.matched_legs += 2;
        Metrics::bump(&self.metrics.calls_matched);
        self.store.do_send(RecordCall {
            session_id,
            customer_call_id: customer.call_id.clone(),
            agent_call_id: agent.call_id.clone(),
            customer_name: customer.name.to_string(),
            agent_name: agent.name.to_string(),
            started_at,
        });
    }

    /// Arranges for the waiters of `role` to hear their new places, in one round no sooner
    /// than the update interval, however many legs leave meanwhile.
    fn schedule_positions(&mut self, role: Role, ctx: &mut Context<Self>) {
        if std::mem::replace(&mut self.update_scheduled[role.index()], true) {
            return;
        }
        ctx.run_later(self.settings.queue_update_interval, move |act, ctx| {
            act.update_scheduled[role.index()] = false;
            act.announce_positions(role, ctx);
        });
    }

    /// Tells every connected waiter of `role` whose place changed its new place. A waiter whose
    /// socket cannot take the update (gone, or too slow) leaves the queue.
    fn announce_positions(&mut self, role: Role, ctx: &mut Context<Self>) {
        let mut unreachable = Vec::new();
        for (position, waiter) in self.queues[role.index()].iter_mut() {
            let Some(conn) = &waiter.conn else {
                continue;
            };
            if waiter.announced == position {
                continue;
            }
            waiter.announced = position;
            let update = Event::QueuePosition {
                call_id: waiter.call_id.clone(),
                role,
                position,
            };
            if !conn.push(update) {
                unreachable.push(waiter.call_id.clone());
            }
        }
        for call_id in unreachable {
            log::info!("{call_id} cannot be reached; dropped from the queue");
            self.withdraw(&call_id, EndReason::Disconnected(role), ctx);
        }
    }

    fn publish_gauges(&self) {
        let m = &self.metrics;
        Metrics::set(
            &m.waiting_customers,
            self.queues[Role::Customer.index()].len(),
        );
        Metrics::set(&m.available_agents, self.queues[Role::Agent.index()].len());
        Metrics::set(&m.active_calls, self.matched_legs / 2);
    }

    /// The queue entry of a waiting leg.
    fn waiting(&self, call_id: &CallId) -> Option<(Role, Ticket)> {
        match self.calls.get(call_id)? {
            Entry::Waiting(role, ticket) => Some((*role, *ticket)),
            Entry::Matched(_) | Entry::Ended(..) => None,
        }
    }

    /// Takes a waiting leg out of its queue; it is remembered as ended for `reason`.
    fn withdraw(
        &mut self,
        call_id: &CallId,
        reason: EndReason,
        ctx: &mut Context<Self>,
    ) -> Option<(Role, Waiter)> {
        let (role, ticket) = self.waiting(call_id)?;
        self.remember_ended(call_id.clone(), role, reason, ctx);
        let waiter = self.queues[role.index()].remove(ticket)?;
        self.schedule_positions(role, ctx);
        self.publish_gauges();
        Some((role, waiter))
    }

    /// Keeps an ended leg's reason for the connect timeout, so that a socket opened late is told
    /// why instead of hearing of an unknown call.
    fn remember_ended(
        &mut self,
        call_id: CallId,
        role: Role,
        reason: EndReason,
        ctx: &mut Context<Self>,
    ) {
        let previous = self
            .calls
            .insert(call_id.clone(), Entry::Ended(role, reason));
        if matches!(previous, Some(Entry::Matched(_))) {
            self.matched_legs -= 1;
        }
        ctx.run_later(self.settings.connect_timeout, move |act, _| {
            if matches!(act.calls.get(&call_id), Some(Entry::Ended(..))) {
                act.calls.remove(&call_id);
            }
        });
    }

    fn attach_leg(&mut self, call_id: CallId, conn: ConnHandle) {
        match self.calls.get(&call_id) {
            Some(&Entry::Ended(_, reason)) => {
                conn.push(Event::CallEnded { call_id, reason });
            }
            None => {
                conn.push(Event::Refused {
                    error: "unknown_call",
                    detail: format!("call {call_id} is not waiting or in progress"),
                    close: CloseCode::UnknownCall,
                });
            }
            Some(Entry::Matched(leg)) => leg.call.do_send(AttachLeg { call_id, conn }),
            Some(&Entry::Waiting(role, ticket)) => {
                let queue = &mut self.queues[role.index()];
                let Some(position) = queue.position(ticket) else {
                    return;
                };
                let Some(waiter) = queue.get_mut(ticket) else {
                    return;
                };
                if waiter.conn.is_some() {
                    conn.push(Event::already_connected(&call_id));
                    return;
                }
                waiter.announced = position;
                waiter.conn = Some(conn.clone());
                conn.push(Event::QueuePosition {
                    call_id,
                    role,
                    position,
                });
            }
        }
    }

    fn leave_leg(&mut self, msg: LeaveLeg, ctx: &mut Context<Self>) {
        match self.calls.get(&msg.call_id) {
            None => {}
            Some(Entry::Matched(leg)) => leg.call.do_send(msg),
            Some(&Entry::Waiting(role, ticket)) => {
                let current = self.queues[role.index()]
                    .get(ticket)
                    .and_then(|waiter| waiter.conn.as_ref());
                if current.is_some_and(|c| c.id == msg.conn_id) {
                    log::info!("{} left the {} queue", msg.call_id, role.as_str());
                    let reason = match msg.shutdown {
                        true => EndReason::ServerShutdown,
                        false => EndReason::Disconnected(role),
                    };
                    self.withdraw(&msg.call_id, reason, ctx);
                }
            }
            Some(Entry::Ended(..)) => {}
        }
    }

    fn end_call(&mut self, msg: EndCall, ctx: &mut Context<Self>) -> Result<(), UnknownCall> {
        let (role, ticket) = match self.calls.get(&msg.call_id).ok_or(UnknownCall)? {
            Entry::Matched(leg) => {
                leg.call.do_send(msg);
                return Ok(());
            }
            Entry::Ended(..) => return Ok(()),
            Entry::Waiting(role, ticket) => (*role, *ticket),
        };
        let current = self.queues[role.index()]
            .get(ticket)
            .and_then(|waiter| waiter.conn.as_ref());
        let Some(reason) = msg.origin.reason(role, current) else {
            return Ok(());
        };
        let (_, waiter) = self
            .withdraw(&msg.call_id, reason, ctx)
            .ok_or(UnknownCall)?;
        if let Some(conn) = waiter.conn {
            conn.push(Event::CallEnded {
                call_id: waiter.call_id,
                reason,
            });
        }
        Ok(())
    }

    fn expire_unconnected(&mut self, call_id: &CallId, ctx: &mut Context<Self>) {
        let Some((role, ticket)) = self.waiting(call_id) else {
            return;
        };
        let unconnected = self.queues[role.index()]
            .get(ticket)
            .is_some_and(|waiter| waiter.conn.is_none());
        if unconnected {
            log::info!("{call_id} never opened its socket; dropped from the queue");
            self.withdraw(call_id, EndReason::ConnectTimeout, ctx);
        }
    }

    fn lookup(&self, call_id: &CallId) -> Option<CallView> {
        match self.calls.get(call_id)? {
            &Entry::Waiting(role, ticket) => {
                let queue = &self.queues[role.index()];
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
                session_id: leg.session_id,
            }),
            &Entry::Ended(role, reason) => Some(CallView::Ended { role, reason }),
        }
    }

    fn snapshot(&self) -> CallsSnapshot {
        let mut active_calls: Vec<ActiveCall> = self
            .calls
            .iter()
            .filter_map(|(call_id, entry)| match entry {
                Entry::Matched(leg) if leg.role == Role::Customer => Some(ActiveCall {
                    session_id: leg.session_id,
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
            self.queues[role.index()]
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

    fn close_call(&mut self, msg: CallClosed, ctx: &mut Context<Self>) {
        self.store.do_send(RecordCallEnd {
            session_id: msg.session_id,
            ended_at: Utc::now(),
            reason: msg.reason.as_str(),
        });
        for (call_id, role) in msg.call_ids.into_iter().zip([Role::Customer, Role::Agent]) {
            self.remember_ended(call_id, role, msg.reason, ctx);
        }
        self.publish_gauges();
    }
}

impl Actor for Matchmaker {
    type Context = Context<Self>;
}

impl Handler<StartCall> for Matchmaker {
    type Result = Result<CallStarted, QueueFull>;

    fn handle(&mut self, msg: StartCall, ctx: &mut Context<Self>) -> Self::Result {
        self.start_call(msg.role, msg.name, ctx)
    }
}

impl Handler<AttachLeg> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: AttachLeg, _: &mut Context<Self>) {
        self.attach_leg(msg.call_id, msg.conn);
    }
}

impl Handler<LeaveLeg> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: LeaveLeg, ctx: &mut Context<Self>) {
        self.leave_leg(msg, ctx);
    }
}

impl Handler<EndCall> for Matchmaker {
    type Result = Result<(), UnknownCall>;

    fn handle(&mut self, msg: EndCall, ctx: &mut Context<Self>) -> Self::Result {
        self.end_call(msg, ctx)
    }
}

impl Handler<LookupCall> for Matchmaker {
    type Result = Option<CallView>;

    fn handle(&mut self, msg: LookupCall, _: &mut Context<Self>) -> Self::Result {
        self.lookup(&msg.call_id)
    }
}

impl Handler<ListCalls> for Matchmaker {
    type Result = MessageResult<ListCalls>;

    fn handle(&mut self, _: ListCalls, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.snapshot())
    }
}

impl Handler<CallClosed> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: CallClosed, ctx: &mut Context<Self>) {
        self.close_call(msg, ctx);
    }
}
