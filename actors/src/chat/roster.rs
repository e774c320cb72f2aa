//! The ChatHub's books, pure: every chat socket with its user and the conversations it joined,
//! the sockets of each user and of each conversation. Receives and sends nothing; the hub asks
//! it who is where and which handles to push to.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::chat::chat_events::ChatEvent;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{ConnId, SessionName};

/// One chat socket.
#[derive(Debug)]
pub struct Member {
    /// Its user.
    pub user_id: String,
    /// The user's role.
    pub role: &'static str,
    /// The conversation it is bound to, for a bound socket.
    pub bound: Option<SessionName>,
    /// How to reach it.
    pub handle: ConnHandle<ChatEvent>,
    /// When it opened.
    pub connected_at: DateTime<Utc>,
    /// The conversations it joined.
    pub conversations: BTreeSet<SessionName>,
    /// When an admin last pinged its user by name.
    pub last_ping: Option<DateTime<Utc>>,
}

/// What changed for a user when a socket left a conversation or closed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Departure {
    /// The user has no socket left at all.
    pub offline: bool,
    /// The conversations the user has no socket left in.
    pub left: Vec<SessionName>,
}

/// Every chat socket, by id, by user and by conversation.
#[derive(Debug, Default)]
pub struct Roster {
    /// The sockets.
    members: HashMap<ConnId, Member>,
    /// The sockets of each user.
    users: HashMap<String, HashSet<ConnId>>,
    /// The sockets in each conversation.
    conversations: HashMap<SessionName, HashSet<ConnId>>,
}

impl Roster {
    /// Adds a socket unless its user already has `limit` open; true when it is the user's
    /// first.
    pub fn admit(&mut self, member: Member, limit: usize) -> Result<bool, usize> {
        let open = self.users.get(&member.user_id).map_or(0, |conns| {
            conns.iter().filter(|id| self.is_alive(id)).count()
        });
        if open >= limit {
            return Err(limit);
        }
        let id = member.handle.id();
        self.users
            .entry(member.user_id.clone())
            .or_default()
            .insert(id);
        self.members.insert(id, member);
        Ok(open == 0)
    }

    /// Whether socket `id` is known and still runs.
    fn is_alive(&self, id: &ConnId) -> bool {
        self.members
            .get(id)
            .is_some_and(|member| member.handle.is_connected())
    }

    /// Removes a socket; what the user left.
    pub fn remove(&mut self, id: ConnId) -> Option<(String, Departure)> {
        let member = self.members.remove(&id)?;
        let mut departure = Departure::default();
        for session in &member.conversations {
            if self.drop_from_conversation(id, session, &member.user_id) {
                departure.left.push(session.clone());
            }
        }
        if let Some(conns) = self.users.get_mut(&member.user_id) {
            conns.remove(&id);
            if conns.is_empty() {
                self.users.remove(&member.user_id);
                departure.offline = true;
            }
        }
        Some((member.user_id, departure))
    }

    /// Takes socket `id` out of `session`; true when its user has no other socket there.
    fn drop_from_conversation(&mut self, id: ConnId, session: &SessionName, user: &str) -> bool {
        let Some(conns) = self.conversations.get_mut(session) else {
            return false;
        };
        conns.remove(&id);
        let others = conns.iter().filter_map(|other| self.members.get(other));
        let still_there = others.into_iter().any(|other| other.user_id == user);
        if conns.is_empty() {
            self.conversations.remove(session);
        }
        !still_there
    }

    /// Puts socket `id` into `session`: its user and whether the user was not there before;
    /// `None` for an unknown socket.
    pub fn join(&mut self, id: ConnId, session: &SessionName) -> Option<(String, bool)> {
        let user = self.members.get(&id)?.user_id.clone();
        let first = !self.users_in(session).contains(&user);
        let member = self.members.get_mut(&id)?;
        member.conversations.insert(session.clone());
        self.conversations
            .entry(session.clone())
            .or_default()
            .insert(id);
        Some((user, first))
    }

    /// Takes socket `id` out of `session`: its user and whether the user has no other socket
    /// there; `None` when it was not in it.
    pub fn leave(&mut self, id: ConnId, session: &SessionName) -> Option<(String, bool)> {
        let member = self.members.get_mut(&id)?;
        if !member.conversations.remove(session) {
            return None;
        }
        let user = member.user_id.clone();
        let gone = self.drop_from_conversation(id, session, &user);
        Some((user, gone))
    }

    /// The users with a socket in `session`, each once, in order.
    pub fn users_in(&self, session: &SessionName) -> Vec<String> {
        let users: BTreeSet<&str> = self
            .in_conversation(session)
            .map(|member| member.user_id.as_str())
            .collect();
        users.into_iter().map(str::to_owned).collect()
    }

    /// The sockets in `session`.
    pub fn in_conversation(&self, session: &SessionName) -> impl Iterator<Item = &Member> {
        let conns = self.conversations.get(session).into_iter().flatten();
        conns.filter_map(|id| self.members.get(id))
    }

    /// The sockets of `user`.
    pub fn of_user(&self, user: &str) -> impl Iterator<Item = &Member> {
        let conns = self.users.get(user).into_iter().flatten();
        conns.filter_map(|id| self.members.get(id))
    }

    /// Every socket.
    pub fn all(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    /// The socket `id`, if known.
    pub fn member(&self, id: ConnId) -> Option<&Member> {
        self.members.get(&id)
    }

    /// Pings every socket of `user` (an admin asked, at `at`); answers how many were pinged.
    pub fn pinged(&mut self, user: &str, at: DateTime<Utc>) -> usize {
        let conns = self.users.get(user).into_iter().flatten();
        let mut pinged = 0;
        for id in conns {
            if let Some(member) = self.members.get_mut(id)
                && member.handle.push(ChatEvent::Ping)
            {
                member.last_ping = Some(at);
                pinged += 1;
            }
        }
        pinged
    }
}
