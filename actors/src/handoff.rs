//! Handover queue: escalated sessions waiting for a human, and the agent desks that can take
//! them. Kept by the Matchmaker. Receives [`QueueHandoff`] and [`WithdrawHandoff`] from
//! sessions, [`DeskReady`], [`DeskPaused`] and [`DeskGone`] from desk sockets, and
//! [`HandoffTaken`], [`HandoffFreed`] and [`AwaitDesk`] from sessions as desks start holding
//! them, stop, or go away.
//!
//! Whenever a session waits and a ready desk has room, the longest-waiting session is offered
//! to the desk holding the fewest by sending the session a [`Claim`]; the session decides (it
//! may have been claimed meanwhile). A desk's load is what it is being offered plus what it
//! holds, however it got it, so a release frees exactly what was taken. An offer that was not
//! taken frees its room, and its session is queued again if it still waits.
//!
//! When a desk's socket goes, each session it held is told ([`DeskLost`]) and asks for a desk
//! of the same agent ([`AwaitDesk`]): another open one takes it at once, otherwise it waits
//! for one that says it is available. The session itself keeps the clock: it goes back to the
//! bot if no desk comes back in time, and it keeps asking while it waits, so a claim lost in a
//! race is asked for again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use actix::prelude::*;

use crate::conn::ConnHandle;
use crate::escalation::Status;
use crate::ids::{ConnId, SessionName};
use crate::matchmaker::Matchmaker;
use crate::session::{AgentInfo, Claim, DeskLost, GetSession, Session};

/// How long a queued session whose offer failed (a closed desk, a store error) waits before
/// it is queued again.
const RETRY_DECLINED_OFFER: Duration = Duration::from_millis(200);

/// An escalated session waits for an agent.
#[derive(Message)]
#[rtype(result = "()")]
pub struct QueueHandoff {
    /// The session.
    pub name: SessionName,
    /// Its actor, to send the offer to.
    pub session: Addr<Session>,
}

/// A session no longer waits (claimed, or back to the bot).
#[derive(Message)]
#[rtype(result = "()")]
pub struct WithdrawHandoff {
    /// The session.
    pub name: SessionName,
}

/// An agent desk takes sessions, up to `capacity` at once. Sent again to change the capacity.
#[derive(Message)]
#[rtype(result = "()")]
pub struct DeskReady {
    /// The desk's socket.
    pub conn: ConnHandle,
    /// The agent at the desk.
    pub agent: AgentInfo,
    /// Sessions the agent handles at once.
    pub capacity: usize,
}

/// A desk takes no new sessions for now (it keeps the ones it has).
#[derive(Message)]
#[rtype(result = "()")]
pub struct DeskPaused {
    /// The desk's socket.
    pub conn_id: ConnId,
}

/// A desk's socket closed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct DeskGone {
    /// The desk's socket.
    pub conn_id: ConnId,
}

/// A desk now holds this session (it follows the session's events).
#[derive(Message)]
#[rtype(result = "()")]
pub struct HandoffTaken {
    /// The desk's socket.
    pub conn_id: ConnId,
    /// The session.
    pub name: SessionName,
    /// Its actor, to tell it if the desk goes.
    pub session: Addr<Session>,
}

/// A desk no longer holds this session (released, or another desk took it).
#[derive(Message)]
#[rtype(result = "()")]
pub struct HandoffFreed {
    /// The desk's socket, if the session had one.
    pub conn_id: Option<ConnId>,
    /// The session.
    pub name: SessionName,
}

/// A session held by `agent_id` lost its desk: hand it to another desk of that agent, now or
/// when one says it is available. Sent again while it waits; repeating it is harmless.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AwaitDesk {
    /// The agent holding the session.
    pub agent_id: String,
    /// The session.
    pub name: SessionName,
    /// Its actor, to send the claim to.
    pub session: Addr<Session>,
}

/// A desk that takes handovers.
struct Desk {
    /// Its socket.
    conn: ConnHandle,
    /// Its agent.
    agent: AgentInfo,
    /// Most sessions at once.
    capacity: usize,
    /// Takes new sessions.
    ready: bool,
    /// Sessions offered to it whose answer is still on its way.
    offered: HashMap<SessionName, Addr<Session>>,
    /// Sessions it holds.
    held: HashMap<SessionName, Addr<Session>>,
}

impl Desk {
    /// Sessions counted against the capacity.
    fn load(&self) -> usize {
        self.offered.len() + self.held.len()
    }

    /// Offers the session to this desk, counting it against the desk until it is answered.
    fn offer(&mut self, name: SessionName, session: Addr<Session>) -> Offer {
        self.offered.insert(name.clone(), session.clone());
        Offer {
            name,
            session,
            conn: self.conn.clone(),
            agent: self.agent.clone(),
        }
    }
}

/// One offer: this session to this desk.
struct Offer {
    /// The session.
    name: SessionName,
    /// The session's actor.
    session: Addr<Session>,
    /// The desk's socket.
    conn: ConnHandle,
    /// The desk's agent.
    agent: AgentInfo,
}

/// Waiting sessions, desks, and the sessions of agents whose desk went away.
#[derive(Default)]
pub(crate) struct HandoffBoard {
    /// Sessions waiting, longest first.
    waiting: VecDeque<(SessionName, Addr<Session>)>,
    /// The names in `waiting`.
    queued: HashSet<SessionName>,
    /// Desks, in the order they arrived.
    desks: Vec<Desk>,
    /// Per agent id: sessions waiting for a desk of that agent to come back.
    orphans: HashMap<String, HashMap<SessionName, Addr<Session>>>,
}

impl HandoffBoard {
    fn desk(&mut self, conn_id: ConnId) -> Option<&mut Desk> {
        self.desks.iter_mut().find(|desk| desk.conn.id == conn_id)
    }

    fn queue(&mut self, name: SessionName, session: Addr<Session>, front: bool) {
        if self.queued.insert(name.clone()) {
            match front {
                true => self.waiting.push_front((name, session)),
                false => self.waiting.push_back((name, session)),
            }
        }
    }

    fn withdraw(&mut self, name: &SessionName) {
        if self.queued.remove(name) {
            self.waiting.retain(|(waiting, _)| waiting != name);
        }
    }

    fn forget_orphan(&mut self, name: &SessionName) {
        for waiting in self.orphans.values_mut() {
            waiting.remove(name);
        }
        self.orphans.retain(|_, waiting| !waiting.is_empty());
    }

    /// Registers or updates a desk; returns offers of the sessions its agent held on desks
    /// that went away (counted against this desk at once).
    fn ready(&mut self, conn: ConnHandle, agent: AgentInfo, capacity: usize) -> Vec<Offer> {
        let orphans = self.orphans.remove(&agent.agent_id).unwrap_or_default();
        let desk = match self.desks.iter().position(|desk| desk.conn.id == conn.id) {
            Some(index) => {
                let desk = &mut self.desks[index];
                desk.agent = agent;
                desk.capacity = capacity;
                desk.ready = true;
                desk
            }
            None => {
                self.desks.push(Desk {
                    conn,
                    agent,
                    capacity,
                    ready: true,
                    offered: HashMap::new(),
                    held: HashMap::new(),
                });
                let last = self.desks.len() - 1;
                &mut self.desks[last]
            }
        };
        orphans
            .into_iter()
            .map(|(name, session)| desk.offer(name, session))
            .collect()
    }

    fn pause(&mut self, conn_id: ConnId) {
        if let Some(desk) = self.desk(conn_id) {
            desk.ready = false;
        }
    }

    /// Stops offering to a desk whose socket has closed (its `DeskGone` is on its way).
    fn pause_if_closed(&mut self, conn_id: ConnId) {
        if let Some(desk) = self.desk(conn_id).filter(|desk| !desk.conn.is_connected()) {
            desk.ready = false;
        }
    }

    /// Forgets a desk; returns every session it held or was being offered.
    fn gone(&mut self, conn_id: ConnId) -> Vec<Addr<Session>> {
        let Some(index) = self.desks.iter().position(|desk| desk.conn.id == conn_id) else {
            return Vec::new();
        };
        let desk = self.desks.remove(index);
        desk.held
            .into_values()
            .chain(desk.offered.into_values())
            .collect()
    }

    /// Where a session that lost its desk goes: an offer to another desk of the same agent
    /// (the least loaded; capacity does not apply to the agent's own sessions), or the
    /// agent's orphans until one says it is available.
    fn await_desk(
        &mut self,
        agent_id: String,
        name: SessionName,
        session: Addr<Session>,
    ) -> Option<Offer> {
        let desk = self
            .desks
            .iter_mut()
            .filter(|desk| desk.agent.agent_id == agent_id && desk.conn.is_connected())
            .min_by_key(|desk| desk.load());
        match desk {
            Some(desk) => {
                if desk.held.contains_key(&name) || desk.offered.contains_key(&name) {
                    return None;
                }
                Some(desk.offer(name, session))
            }
            None => {
                self.orphans
                    .entry(agent_id)
                    .or_default()
                    .insert(name, session);
                None
            }
        }
    }

    /// The desk now holds the session; false when the desk is already gone.
    fn taken(&mut self, conn_id: ConnId, name: SessionName, session: Addr<Session>) -> bool {
        self.forget_orphan(&name);
        match self.desk(conn_id) {
            Some(desk) => {
                desk.offered.remove(&name);
                desk.held.insert(name, session);
                true
            }
            None => false,
        }
    }

    fn freed(&mut self, conn_id: Option<ConnId>, name: &SessionName) {
        self.forget_orphan(name);
        if let Some(desk) = conn_id.and_then(|id| self.desk(id)) {
            desk.held.remove(name);
            desk.offered.remove(name);
        }
    }

    /// An offer was not taken: it no longer counts against the desk.
    fn declined(&mut self, conn_id: ConnId, name: &SessionName) {
        if let Some(desk) = self.desk(conn_id) {
            desk.offered.remove(name);
        }
    }

    /// The next offer, if a session waits and a ready desk has room: the longest-waiting
    /// session to the desk holding the fewest (the earliest desk among equals).
    fn next_offer(&mut self) -> Option<Offer> {
        if self.waiting.is_empty() {
            return None;
        }
        let desk = self
            .desks
            .iter_mut()
            .filter(|desk| desk.ready && desk.load() < desk.capacity)
            .min_by_key(|desk| desk.load())?;
        let (name, session) = self.waiting.pop_front()?;
        self.queued.remove(&name);
        Some(desk.offer(name, session))
    }
}

/// Where an offer came from, which decides what a refusal means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OfferKind {
    /// From the queue: a session that could not take it goes back to the queue.
    Queued,
    /// A held session going to its agent's other desk: a session that could not take it asks
    /// again by itself.
    Rehomed,
}

impl Matchmaker {
    /// Makes every offer the queue allows.
    fn dispatch_handoffs(&mut self, ctx: &mut Context<Self>) {
        while let Some(offer) = self.handoffs.next_offer() {
            self.offer(offer, OfferKind::Queued, ctx);
        }
    }

    /// Sends the session the claim of the offer and handles its answer.
    fn offer(&mut self, offer: Offer, kind: OfferKind, ctx: &mut Context<Self>) {
        let Offer {
            name,
            session,
            conn,
            agent,
        } = offer;
        let conn_id = conn.id;
        let claim = Claim {
            agent,
            desk: Some(conn),
        };
        session
            .send(claim)
            .into_actor(self)
            .map(move |answer, act, ctx| {
                if !matches!(answer, Ok(Ok(_))) {
                    act.offer_declined(answer.err(), conn_id, name, session, kind, ctx);
                }
            })
            .spawn(ctx);
    }

    /// An offer was not taken: the desk gets its room back and, for a queued session that
    /// could not answer (a closed desk, a store error), the session is queued again.
    fn offer_declined(
        &mut self,
        mailbox: Option<MailboxError>,
        conn_id: ConnId,
        name: SessionName,
        session: Addr<Session>,
        kind: OfferKind,
        ctx: &mut Context<Self>,
    ) {
        self.handoffs.declined(conn_id, &name);
        if kind == OfferKind::Queued && mailbox.is_none() {
            self.handoffs.pause_if_closed(conn_id);
            ctx.run_later(RETRY_DECLINED_OFFER, move |act, ctx| {
                act.requeue_if_pending(name, session, ctx);
            });
        }
        self.dispatch_handoffs(ctx);
    }

    /// Asks the session whether it still waits for an agent, and queues it again if so.
    fn requeue_if_pending(
        &mut self,
        name: SessionName,
        session: Addr<Session>,
        ctx: &mut Context<Self>,
    ) {
        session
            .send(GetSession)
            .into_actor(self)
            .map(move |answer, act, ctx| {
                let pending = matches!(
                    &answer,
                    Ok(Ok(state)) if state.header.status == Status::PendingManual
                );
                if pending {
                    act.handoffs.queue(name, session, true);
                    act.dispatch_handoffs(ctx);
                }
            })
            .spawn(ctx);
    }
}

impl Handler<QueueHandoff> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: QueueHandoff, ctx: &mut Context<Self>) {
        self.handoffs.queue(msg.name, msg.session, false);
        self.dispatch_handoffs(ctx);
    }
}

impl Handler<WithdrawHandoff> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: WithdrawHandoff, _: &mut Context<Self>) {
        self.handoffs.withdraw(&msg.name);
    }
}

impl Handler<DeskReady> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: DeskReady, ctx: &mut Context<Self>) {
        for offer in self.handoffs.ready(msg.conn, msg.agent, msg.capacity) {
            self.offer(offer, OfferKind::Rehomed, ctx);
        }
        self.dispatch_handoffs(ctx);
    }
}

impl Handler<DeskPaused> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: DeskPaused, _: &mut Context<Self>) {
        self.handoffs.pause(msg.conn_id);
    }
}

impl Handler<DeskGone> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: DeskGone, _: &mut Context<Self>) {
        for session in self.handoffs.gone(msg.conn_id) {
            session.do_send(DeskLost {
                conn_id: msg.conn_id,
            });
        }
    }
}

impl Handler<AwaitDesk> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: AwaitDesk, ctx: &mut Context<Self>) {
        if let Some(offer) = self
            .handoffs
            .await_desk(msg.agent_id, msg.name, msg.session)
        {
            self.offer(offer, OfferKind::Rehomed, ctx);
        }
    }
}

impl Handler<HandoffTaken> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: HandoffTaken, _: &mut Context<Self>) {
        if !self
            .handoffs
            .taken(msg.conn_id, msg.name, msg.session.clone())
        {
            msg.session.do_send(DeskLost {
                conn_id: msg.conn_id,
            });
        }
    }
}

impl Handler<HandoffFreed> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: HandoffFreed, ctx: &mut Context<Self>) {
        self.handoffs.freed(msg.conn_id, &msg.name);
        self.dispatch_handoffs(ctx);
    }
}
