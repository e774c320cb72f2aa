//! The handover board's books, pure: escalated sessions waiting for a human (longest first),
//! the agent desks with their capacity and load, and the sessions of agents whose desk went
//! away. Receives and sends no messages; the [`HandoverBoard`](crate::takeover::board) actor
//! owns it and asks it for the next offer.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{ConnId, SessionName};
use crate::takeover::desk_events::DeskEvent;
use crate::takeover::model::AgentInfo;
use crate::takeover::session_requests::SessionLink;

/// A desk that takes handovers.
struct Desk {
    /// Its socket.
    conn: ConnHandle<DeskEvent>,
    /// Its agent.
    agent: AgentInfo,
    /// Most sessions at once.
    capacity: usize,
    /// Takes new sessions.
    ready: bool,
    /// Sessions offered to it whose answer is still on its way.
    offered: HashMap<SessionName, SessionLink>,
    /// Sessions it holds.
    held: HashMap<SessionName, SessionLink>,
}

impl Desk {
    /// Sessions counted against the capacity.
    fn load(&self) -> usize {
        self.offered.len() + self.held.len()
    }

    /// Offers the session to this desk, counting it against the desk until it is answered.
    fn offer(&mut self, name: SessionName, session: SessionLink) -> Offer {
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
pub(crate) struct Offer {
    /// The session.
    pub(crate) name: SessionName,
    /// How to reach the session.
    pub(crate) session: SessionLink,
    /// The desk's socket.
    pub(crate) conn: ConnHandle<DeskEvent>,
    /// The desk's agent.
    pub(crate) agent: AgentInfo,
}

/// Waiting sessions, desks, and the sessions of agents whose desk went away.
#[derive(Default)]
pub(crate) struct Handovers {
    /// Sessions waiting, longest first.
    waiting: VecDeque<(SessionName, SessionLink)>,
    /// The names in `waiting`.
    queued: HashSet<SessionName>,
    /// Desks, in the order they arrived.
    desks: Vec<Desk>,
    /// Per agent id: sessions waiting for a desk of that agent to come back.
    orphans: HashMap<String, HashMap<SessionName, SessionLink>>,
}

impl Handovers {
    fn desk(&mut self, conn_id: ConnId) -> Option<&mut Desk> {
        self.desks.iter_mut().find(|desk| desk.conn.id() == conn_id)
    }

    pub(crate) fn queue(&mut self, name: SessionName, session: SessionLink, front: bool) {
        if self.queued.insert(name.clone()) {
            match front {
                true => self.waiting.push_front((name, session)),
                false => self.waiting.push_back((name, session)),
            }
        }
    }

    pub(crate) fn withdraw(&mut self, name: &SessionName) {
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
    pub(crate) fn ready(
        &mut self,
        conn: ConnHandle<DeskEvent>,
        agent: AgentInfo,
        capacity: usize,
    ) -> Vec<Offer> {
        let orphans = self.orphans.remove(&agent.agent_id).unwrap_or_default();
        let desk = match self
            .desks
            .iter()
            .position(|desk| desk.conn.id() == conn.id())
        {
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

    pub(crate) fn pause(&mut self, conn_id: ConnId) {
        if let Some(desk) = self.desk(conn_id) {
            desk.ready = false;
        }
    }

    /// Stops offering to a desk whose socket has closed (its `DeskGone` is on its way).
    pub(crate) fn pause_if_closed(&mut self, conn_id: ConnId) {
        if let Some(desk) = self.desk(conn_id).filter(|desk| !desk.conn.is_connected()) {
            desk.ready = false;
        }
    }

    /// Forgets a desk; returns every session it held or was being offered.
    pub(crate) fn gone(&mut self, conn_id: ConnId) -> Vec<SessionLink> {
        let Some(index) = self.desks.iter().position(|desk| desk.conn.id() == conn_id) else {
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
    pub(crate) fn await_desk(
        &mut self,
        agent_id: String,
        name: SessionName,
        session: SessionLink,
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
    pub(crate) fn taken(
        &mut self,
        conn_id: ConnId,
        name: SessionName,
        session: SessionLink,
    ) -> bool {
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

    pub(crate) fn freed(&mut self, conn_id: Option<ConnId>, name: &SessionName) {
        self.forget_orphan(name);
        if let Some(desk) = conn_id.and_then(|id| self.desk(id)) {
            desk.held.remove(name);
            desk.offered.remove(name);
        }
    }

    /// An offer was not taken: it no longer counts against the desk.
    pub(crate) fn declined(&mut self, conn_id: ConnId, name: &SessionName) {
        if let Some(desk) = self.desk(conn_id) {
            desk.offered.remove(name);
        }
    }

    /// The next offer, if a session waits and a ready desk has room: the longest-waiting
    /// session to the desk holding the fewest (the earliest desk among equals).
    pub(crate) fn next_offer(&mut self) -> Option<Offer> {
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
