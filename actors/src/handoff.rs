//! Handover queue: escalated sessions waiting for a human, and the agent desks that can take
//! them. Kept by the Matchmaker. Receives [`QueueHandoff`] and [`WithdrawHandoff`] from
//! sessions, [`DeskReady`], [`DeskPaused`] and [`DeskGone`] from desk sockets, and
//! [`HandoffFreed`] when a desk's session goes back to the bot. Whenever a session waits and a
//! desk has room, it offers the longest-waiting session to the least-loaded desk by sending the
//! session a [`Claim`]; the session decides (it may have been claimed meanwhile), and a refused
//! offer gives the desk its room back.

use std::collections::VecDeque;

use actix::prelude::*;

use crate::conn::ConnHandle;
use crate::ids::{ConnId, SessionName};
use crate::matchmaker::Matchmaker;
use crate::session::{AgentInfo, Claim, Session};

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

/// A session handed to this desk went back to the bot: the desk has room for one more.
#[derive(Message)]
#[rtype(result = "()")]
pub struct HandoffFreed {
    /// The desk's socket.
    pub conn_id: ConnId,
}

/// A desk that takes handovers.
struct Desk {
    /// Its socket.
    conn: ConnHandle,
    /// Its agent.
    agent: AgentInfo,
    /// Most sessions at once.
    capacity: usize,
    /// Sessions offered to it and not yet freed.
    load: usize,
    /// Takes new sessions.
    ready: bool,
}

/// One offer: this session to this desk.
pub(crate) struct Offer {
    /// The session's actor.
    pub session: Addr<Session>,
    /// The desk's socket.
    pub conn: ConnHandle,
    /// The desk's agent.
    pub agent: AgentInfo,
}

/// Waiting sessions and desks.
#[derive(Default)]
pub(crate) struct HandoffBoard {
    /// Sessions waiting, longest first.
    waiting: VecDeque<(SessionName, Addr<Session>)>,
    /// Desks, in the order they arrived.
    desks: Vec<Desk>,
}

impl HandoffBoard {
    fn desk(&mut self, conn_id: ConnId) -> Option<&mut Desk> {
        self.desks.iter_mut().find(|desk| desk.conn.id == conn_id)
    }

    fn queue(&mut self, name: SessionName, session: Addr<Session>) {
        if !self.waiting.iter().any(|(waiting, _)| *waiting == name) {
            self.waiting.push_back((name, session));
        }
    }

    fn withdraw(&mut self, name: &SessionName) {
        self.waiting.retain(|(waiting, _)| waiting != name);
    }

    fn ready(&mut self, conn: ConnHandle, agent: AgentInfo, capacity: usize) {
        match self.desk(conn.id) {
            Some(desk) => {
                desk.agent = agent;
                desk.capacity = capacity;
                desk.ready = true;
            }
            None => self.desks.push(Desk {
                conn,
                agent,
                capacity,
                load: 0,
                ready: true,
            }),
        }
    }

    fn pause(&mut self, conn_id: ConnId) {
        if let Some(desk) = self.desk(conn_id) {
            desk.ready = false;
        }
    }

    fn gone(&mut self, conn_id: ConnId) {
        self.desks.retain(|desk| desk.conn.id != conn_id);
    }

    fn freed(&mut self, conn_id: ConnId) {
        if let Some(desk) = self.desk(conn_id) {
            desk.load = desk.load.saturating_sub(1);
        }
    }

    /// The next offer, if a session waits and a ready desk has room: the longest-waiting
    /// session to the desk with the lowest load (the earliest desk among equals).
    fn next_offer(&mut self) -> Option<Offer> {
        if self.waiting.is_empty() {
            return None;
        }
        let desk = self
            .desks
            .iter_mut()
            .filter(|desk| desk.ready && desk.load < desk.capacity)
            .min_by_key(|desk| desk.load)?;
        let (_, session) = self.waiting.pop_front()?;
        desk.load += 1;
        Some(Offer {
            session,
            conn: desk.conn.clone(),
            agent: desk.agent.clone(),
        })
    }
}

impl Matchmaker {
    /// Makes every offer the board allows.
    fn dispatch_handoffs(&mut self, ctx: &mut Context<Self>) {
        while let Some(offer) = self.handoffs.next_offer() {
            let conn_id = offer.conn.id;
            let claim = Claim {
                agent: offer.agent,
                desk: Some(offer.conn),
            };
            offer
                .session
                .send(claim)
                .into_actor(self)
                .map(move |answer, act, ctx| {
                    if !matches!(answer, Ok(Ok(_))) {
                        act.handoffs.freed(conn_id);
                        act.dispatch_handoffs(ctx);
                    }
                })
                .spawn(ctx);
        }
    }
}

impl Handler<QueueHandoff> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: QueueHandoff, ctx: &mut Context<Self>) {
        self.handoffs.queue(msg.name, msg.session);
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
        self.handoffs.ready(msg.conn, msg.agent, msg.capacity);
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
        self.handoffs.gone(msg.conn_id);
    }
}

impl Handler<HandoffFreed> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: HandoffFreed, ctx: &mut Context<Self>) {
        self.handoffs.freed(msg.conn_id);
        self.dispatch_handoffs(ctx);
    }
}
