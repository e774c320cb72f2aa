//! Handover queue: escalated sessions waiting for a human, and the agent desks that can take
//! them. Kept by the Matchmaker. Receives [`QueueHandoff`] and [`WithdrawHandoff`] from
//! sessions, [`DeskReady`], [`DeskPaused`] and [`DeskGone`] from desk sockets, and
//! [`HandoffTaken`] / [`HandoffFreed`] from sessions when a desk starts or stops holding one.
//!
//! Whenever a session waits and a ready desk has room, the longest-waiting session is offered
//! to the least-loaded desk by sending the session a [`Claim`]; the session decides (it may have
//! been claimed meanwhile). A desk's load is the set of sessions it holds, however it got them
//! (offered, claimed, or written to), so releasing frees exactly what was taken. When a desk's
//! socket goes, its sessions are told ([`DeskLost`]) and remembered for its agent: a new desk
//! of the same agent that says it is available is handed them back.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use actix::prelude::*;

use crate::conn::ConnHandle;
use crate::ids::{ConnId, SessionName};
use crate::matchmaker::Matchmaker;
use crate::session::{AgentInfo, Claim, DeskLost, Session, SessionError};

/// How long a session whose offer failed on a store error waits before it is offered again.
const RETRY_AFTER_STORE_ERROR: Duration = Duration::from_secs(1);

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
    /// The desk's socket.
    pub conn_id: ConnId,
    /// The session.
    pub name: SessionName,
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
    /// The sessions it holds (or is being offered).
    held: HashMap<SessionName, Addr<Session>>,
}

/// One offer: this session to this desk.
pub(crate) struct Offer {
    /// The session.
    pub name: SessionName,
    /// The session's actor.
    pub session: Addr<Session>,
    /// The desk's socket.
    pub conn: ConnHandle,
    /// The desk's agent.
    pub agent: AgentInfo,
}

/// Where the sessions of a desk that went away go.
#[derive(Default)]
struct Rehome {
    /// The sessions the desk held.
    sessions: Vec<Addr<Session>>,
    /// Another open desk of the same agent, which takes them.
    successor: Option<(ConnHandle, AgentInfo)>,
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
    /// Per agent id: sessions still held by an agent whose desk socket closed.
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

    /// Registers or updates a desk; returns the sessions its agent held on a desk that went.
    fn ready(
        &mut self,
        conn: ConnHandle,
        agent: AgentInfo,
        capacity: usize,
    ) -> HashMap<SessionName, Addr<Session>> {
        let orphans = self.orphans.remove(&agent.agent_id).unwrap_or_default();
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
                ready: true,
                held: HashMap::new(),
            }),
        }
        orphans
    }

    fn pause(&mut self, conn_id: ConnId) {
        if let Some(desk) = self.desk(conn_id) {
            desk.ready = false;
        }
    }

    /// Forgets a desk. Its sessions go to another open desk of the same agent when there is
    /// one (an agent whose new socket said `available` before the old one was noticed gone);
    /// otherwise they are kept for the agent.
    fn gone(&mut self, conn_id: ConnId) -> Rehome {
        let Some(index) = self.desks.iter().position(|desk| desk.conn.id == conn_id) else {
            return Rehome::default();
        };
        let desk = self.desks.remove(index);
        let sessions: Vec<Addr<Session>> = desk.held.values().cloned().collect();
        let successor = self
            .desks
            .iter()
            .find(|other| other.agent.agent_id == desk.agent.agent_id)
            .map(|other| (other.conn.clone(), other.agent.clone()));
        if successor.is_none() && !desk.held.is_empty() {
            self.orphans
                .entry(desk.agent.agent_id)
                .or_default()
                .extend(desk.held);
        }
        Rehome {
            sessions,
            successor,
        }
    }

    fn taken(&mut self, conn_id: ConnId, name: SessionName, session: Addr<Session>) {
        for held in self.orphans.values_mut() {
            held.remove(&name);
        }
        self.orphans.retain(|_, held| !held.is_empty());
        if let Some(desk) = self.desk(conn_id) {
            desk.held.insert(name, session);
        }
    }

    fn freed(&mut self, conn_id: ConnId, name: &SessionName) {
        if let Some(desk) = self.desk(conn_id) {
            desk.held.remove(name);
        }
        for held in self.orphans.values_mut() {
            held.remove(name);
        }
        self.orphans.retain(|_, held| !held.is_empty());
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
            .filter(|desk| desk.ready && desk.held.len() < desk.capacity)
            .min_by_key(|desk| desk.held.len())?;
        let (name, session) = self.waiting.pop_front()?;
        self.queued.remove(&name);
        desk.held.insert(name.clone(), session.clone());
        Some(Offer {
            name,
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
                    act.offer_answered(answer, conn_id, name, session, ctx)
                })
                .spawn(ctx);
        }
    }

    /// What to do when a session answered an offer: nothing when it accepted; otherwise give
    /// the desk its room back and, unless the session had been claimed meanwhile, queue the
    /// session again.
    fn offer_answered<T>(
        &mut self,
        answer: Result<Result<T, SessionError>, MailboxError>,
        conn_id: ConnId,
        name: SessionName,
        session: Addr<Session>,
        ctx: &mut Context<Self>,
    ) {
        let error = match answer {
            Ok(Ok(_)) => return,
            Ok(Err(error)) => error,
            Err(_) => {
                self.handoffs.freed(conn_id, &name);
                return self.dispatch_handoffs(ctx);
            }
        };
        self.handoffs.freed(conn_id, &name);
        match error {
            SessionError::DeskClosed => {
                self.handoffs.pause(conn_id);
                self.handoffs.queue(name, session, true);
            }
            SessionError::Store(_) => {
                ctx.run_later(RETRY_AFTER_STORE_ERROR, move |act, ctx| {
                    act.handoffs.queue(name, session, true);
                    act.dispatch_handoffs(ctx);
                });
            }
            SessionError::NotFound(_)
            | SessionError::Refused(_)
            | SessionError::TooManySubscribers(_) => {}
        }
        self.dispatch_handoffs(ctx);
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
        let DeskReady {
            conn,
            agent,
            capacity,
        } = msg;
        let orphans = self.handoffs.ready(conn.clone(), agent.clone(), capacity);
        for session in orphans.into_values() {
            session.do_send(Claim {
                agent: agent.clone(),
                desk: Some(conn.clone()),
            });
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
        let Rehome {
            sessions,
            successor,
        } = self.handoffs.gone(msg.conn_id);
        for session in sessions {
            match &successor {
                Some((conn, agent)) => session.do_send(Claim {
                    agent: agent.clone(),
                    desk: Some(conn.clone()),
                }),
                None => session.do_send(DeskLost {
                    conn_id: msg.conn_id,
                }),
            }
        }
    }
}

impl Handler<HandoffTaken> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: HandoffTaken, _: &mut Context<Self>) {
        self.handoffs.taken(msg.conn_id, msg.name, msg.session);
    }
}

impl Handler<HandoffFreed> for Matchmaker {
    type Result = ();

    fn handle(&mut self, msg: HandoffFreed, ctx: &mut Context<Self>) {
        self.handoffs.freed(msg.conn_id, &msg.name);
        self.dispatch_handoffs(ctx);
    }
}
