//! Matchmaker: the call directory and the two FIFO queues of seed 000. Receives [`StartCall`]
//! and the lookups from HTTP handlers, [`AttachLeg`] / [`LeaveLeg`] / [`EndCall`] from call
//! sockets, and [`CallClosed`] from calls. Sends `QueuePosition`, `CallEnded` and `Refused`
//! events to waiting legs (and `CallEnded` to sockets of calls that already ended), starts
//! one [`Call`] per pair, which tells both legs they are matched, and records matched and
//! ended calls in the store, where it also looks up the legs it no longer knows (ended long
//! ago, or before a restart). Transcripts never pass through here.

use std::sync::Arc;

use actix::prelude::*;
use chrono::{DateTime, Utc};

use crate::calls::call::{Call, Leg};
use crate::calls::call_config::CallConfig;
use crate::calls::call_events::CallEvent;
use crate::calls::call_link::{EndCall, LeaveLeg, UnknownCall};
use crate::calls::call_metrics::CallMetrics;
use crate::calls::call_requests::{
    AttachLeg, CallClosed, CallStarted, CallView, ListCalls, LookupCall, Placement, QueueFull,
    StartCall,
};
use crate::calls::ending::EndReason;
use crate::calls::legs::{Entry, Legs, MatchedLeg, Waiter};
use crate::kernel::clock;
use crate::kernel::close::CloseCode;
use crate::kernel::deadlines::{DeadlineOwner, Deadlines, schedule};
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{CallId, PairId};
use crate::kernel::role::Role;
use crate::store::call_rows::{FindCall, RecordCall, RecordCallEnd, RecordedLeg};
use crate::store::database::Store;
use crate::store::store_error::StoreError;

/// The matchmaker actor.
pub struct Matchmaker {
    /// The queues and every issued leg.
    legs: Legs,
    /// Per role: a round of position updates is already scheduled.
    update_scheduled: [bool; 2],
    /// Legs that must open their socket by then, and ended legs to forget by then: one timer
    /// for all of them.
    deadlines: Deadlines<Expiry>,
    /// Timing and size settings, shared with every call.
    config: Arc<CallConfig>,
    /// The calls' counters.
    metrics: Arc<CallMetrics>,
    /// Where matched and ended calls are recorded.
    store: Addr<Store>,
}

impl Matchmaker {
    /// An empty matchmaker that records calls in `store`.
    pub fn new(config: CallConfig, metrics: Arc<CallMetrics>, store: Addr<Store>) -> Self {
        Matchmaker {
            legs: Legs::default(),
            update_scheduled: [false; 2],
            deadlines: Deadlines::default(),
            config: Arc::new(config),
            metrics,
            store,
        }
    }

    fn start_call(
        &mut self,
        role: Role,
        name: String,
        ctx: &mut Context<Self>,
    ) -> Result<CallStarted, QueueFull> {
        let partners_waiting = self.legs.queue(role.partner()).len() > 0;
        if !partners_waiting && self.legs.queue(role).len() >= self.config.queue_limit {
            return Err(QueueFull {
                limit: self.config.queue_limit,
            });
        }
        let call_id = self.legs.fresh_call_id();
        let name: Arc<str> = name.into();
        let created_at = Utc::now();
        let connect_by = clock::now() + self.config.connect_timeout;
        self.metrics.calls_started.bump();
        let placement = match self.legs.queue_mut(role.partner()).pop_front() {
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
                let queue = self.legs.queue_mut(role);
                let ticket = queue.push_back(Waiter::new(&call_id, name, created_at, connect_by));
                let position = queue.len();
                self.legs
                    .record(call_id.clone(), Entry::Waiting(role, ticket));
                let expiring = Expiry::Unconnected(call_id.clone());
                schedule(self, connect_by, expiring, ctx);
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
        let pair_id = PairId::generate();
        let arbiter = [&customer, &agent]
            .into_iter()
            .find_map(|leg| leg.conn.as_ref().map(|conn| conn.arbiter().clone()))
            .unwrap_or_else(Arbiter::current);
        let leg = |w: &Waiter| Leg::new(&w.call_id, &w.name, w.conn.clone(), w.connect_by);
        let legs = [leg(&customer), leg(&agent)];
        let closed = ctx.address().recipient();
        let (config, metrics) = (self.config.clone(), self.metrics.clone());
        let call = Call::start_in_arbiter(&arbiter, move |_| {
            Call::new(pair_id, legs, started_at, closed, config, metrics)
        });
        for (me, partner, role) in [
            (&customer, &agent, Role::Customer),
            (&agent, &customer, Role::Agent),
        ] {
            self.legs.record(
                me.call_id.clone(),
                Entry::Matched(MatchedLeg {
                    role,
                    name: me.name.clone(),
                    partner_call_id: partner.call_id.clone(),
                    partner_name: partner.name.clone(),
                    started_at,
                    pair_id,
                    call: call.clone(),
                }),
            );
        }
        self.metrics.calls_matched.bump();
        self.store.do_send(RecordCall {
            pair_id,
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
        ctx.run_later(self.config.queue_update_interval, move |act, ctx| {
            act.update_scheduled[role.index()] = false;
            act.announce_positions(role, ctx);
        });
    }

    /// Tells every connected waiter of `role` whose place changed its new place. A waiter whose
    /// socket cannot take the update (gone, or too slow) leaves the queue.
    fn announce_positions(&mut self, role: Role, ctx: &mut Context<Self>) {
        let mut unreachable = Vec::new();
        for (position, waiter) in self.legs.queue_mut(role).iter_mut() {
            let Some(conn) = &waiter.conn else {
                continue;
            };
            if waiter.announced == position {
                continue;
            }
            waiter.announced = position;
            let update = CallEvent::QueuePosition {
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
        m.waiting_customers
            .set(self.legs.queue(Role::Customer).len());
        m.available_agents.set(self.legs.queue(Role::Agent).len());
        m.active_calls.set(self.legs.active_calls());
    }

    /// Takes a waiting leg out of its queue; it is remembered as ended for `reason`.
    fn withdraw(
        &mut self,
        call_id: &CallId,
        reason: EndReason,
        ctx: &mut Context<Self>,
    ) -> Option<(Role, Waiter)> {
        let (role, ticket) = self.legs.waiting(call_id)?;
        self.remember_ended(call_id.clone(), role, reason, ctx);
        let waiter = self.legs.queue_mut(role).remove(ticket)?;
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
        self.legs
            .record(call_id.clone(), Entry::Ended(role, reason));
        let forget_at = clock::now() + self.config.connect_timeout;
        schedule(self, forget_at, Expiry::Forget(call_id), ctx);
    }

    fn attach_leg(&mut self, call_id: CallId, conn: ConnHandle<CallEvent>) {
        match self.legs.entry(&call_id) {
            Some(&Entry::Ended(_, reason)) => {
                conn.push(CallEvent::CallEnded { call_id, reason });
            }
            None => {
                conn.push(CallEvent::Refused {
                    error: "unknown_call",
                    detail: format!("call {call_id} is not waiting or in progress"),
                    close: CloseCode::UnknownCall,
                });
            }
            Some(Entry::Matched(leg)) => leg.call.do_send(AttachLeg { call_id, conn }),
            Some(&Entry::Waiting(role, ticket)) => {
                let queue = self.legs.queue_mut(role);
                let Some(position) = queue.position(ticket) else {
                    return;
                };
                let Some(waiter) = queue.get_mut(ticket) else {
                    return;
                };
                if waiter.conn.is_some() {
                    conn.push(CallEvent::already_connected(&call_id));
                    return;
                }
                waiter.announced = position;
                waiter.conn = Some(conn.clone());
                conn.push(CallEvent::QueuePosition {
                    call_id,
                    role,
                    position,
                });
            }
        }
    }

    fn leave_leg(&mut self, msg: LeaveLeg, ctx: &mut Context<Self>) {
        match self.legs.entry(&msg.call_id) {
            None => {}
            Some(Entry::Matched(leg)) => leg.call.do_send(msg),
            Some(&Entry::Waiting(role, ticket)) => {
                let current = self.legs.waiting_conn(role, ticket);
                if current.is_some_and(|c| c.id() == msg.conn_id) {
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
        let (role, ticket) = match self.legs.entry(&msg.call_id).ok_or(UnknownCall)? {
            Entry::Matched(leg) => {
                leg.call.do_send(msg);
                return Ok(());
            }
            Entry::Ended(..) => return Ok(()),
            Entry::Waiting(role, ticket) => (*role, *ticket),
        };
        let current = self.legs.waiting_conn(role, ticket).map(ConnHandle::id);
        let Some(reason) = msg.origin.reason(role, current) else {
            return Ok(());
        };
        let (_, waiter) = self
            .withdraw(&msg.call_id, reason, ctx)
            .ok_or(UnknownCall)?;
        if let Some(conn) = waiter.conn {
            conn.push(CallEvent::CallEnded {
                call_id: waiter.call_id,
                reason,
            });
        }
        Ok(())
    }

    fn expire_unconnected(&mut self, call_id: &CallId, ctx: &mut Context<Self>) {
        let Some((role, ticket)) = self.legs.waiting(call_id) else {
            return;
        };
        let unconnected = self
            .legs
            .queue(role)
            .get(ticket)
            .is_some_and(|waiter| waiter.conn.is_none());
        if unconnected {
            log::info!("{call_id} never opened its socket; dropped from the queue");
            self.withdraw(call_id, EndReason::ConnectTimeout, ctx);
        }
    }

    fn close_call(&mut self, msg: CallClosed, ctx: &mut Context<Self>) {
        self.store.do_send(RecordCallEnd {
            pair_id: msg.pair_id,
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

/// What the Matchmaker does when a deadline passes.
pub enum Expiry {
    /// Drops the leg if it is still waiting without a socket.
    Unconnected(CallId),
    /// Forgets the leg if it is still remembered as ended.
    Forget(CallId),
}

impl DeadlineOwner for Matchmaker {
    type Key = Expiry;

    fn deadlines(&mut self) -> &mut Deadlines<Expiry> {
        &mut self.deadlines
    }

    fn deadline_passed(&mut self, expiry: Expiry, ctx: &mut Context<Self>) {
        match expiry {
            Expiry::Unconnected(call_id) => self.expire_unconnected(&call_id, ctx),
            Expiry::Forget(call_id) => self.legs.forget_if_ended(&call_id),
        }
    }
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
    type Result = ResponseFuture<Option<CallView>>;

    fn handle(&mut self, msg: LookupCall, _: &mut Context<Self>) -> Self::Result {
        if let Some(view) = self.legs.lookup(&msg.call_id) {
            return Box::pin(std::future::ready(Some(view)));
        }
        let recorded = self.store.send(FindCall {
            call_id: msg.call_id,
        });
        Box::pin(async move { recorded_view(recorded.await) })
    }
}

/// How a leg the Matchmaker no longer knows stands, from what the store recorded of its call:
/// ended, for the recorded reason; a call recorded without an end was cut short by a stop that
/// could not record it, and reads `server_shutdown`. `None` when nothing was recorded.
fn recorded_view(
    found: Result<Result<Option<RecordedLeg>, StoreError>, MailboxError>,
) -> Option<CallView> {
    let leg = match found {
        Ok(Ok(leg)) => leg?,
        Ok(Err(error)) => {
            log::warn!("cannot look a call leg up in the store: {error}");
            return None;
        }
        Err(_) => return None,
    };
    let reason = leg.end_reason.as_deref().and_then(EndReason::from_wire);
    Some(CallView::Ended {
        role: leg.role,
        reason: reason.unwrap_or(EndReason::ServerShutdown),
    })
}

impl Handler<ListCalls> for Matchmaker {
    type Result = MessageResult<ListCalls>;

    fn handle(&mut self, _: ListCalls, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.legs.snapshot())
    }
}

impl Handler<CallClosed> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: CallClosed, ctx: &mut Context<Self>) {
        self.close_call(msg, ctx);
    }
}
