//! SessionDirectory: the phone book of seed-001 sessions. Receives [`OpenSession`] (from the
//! HTTP edge and agent desks) and answers with the session's actor, starting it (it loads
//! itself from the store) when none is running; receives [`RestoreHandoffs`] once at start
//! and reopens every stored `pending_manual` session so that it queues for an agent again,
//! and every `manual_live` session held through a desk so that it waits for that desk again;
//! receives [`HubStopping`] at shutdown and passes it on to every running session.
//! It is on the control path only: callers keep the address for the rest of the request.

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;

use super::{Session, SessionSettings, Stopping};
use crate::escalation::Status;
use crate::ids::SessionName;
use crate::matchmaker::Matchmaker;
use crate::store::{ListSessions, Store};

/// How often entries of stopped sessions are dropped from the directory.
const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Most stored handovers reopened at start.
const RESTORE_LIMIT: usize = 100_000;

/// The actor of the session with this name (started if needed).
#[derive(Message)]
#[rtype(result = "Addr<Session>")]
pub struct OpenSession {
    /// Which session.
    pub name: SessionName,
}

/// Reopen the stored `pending_manual` sessions and the `manual_live` ones held through a desk
/// (once, at start).
#[derive(Message)]
#[rtype(result = "()")]
pub struct RestoreHandoffs;

/// The hub is shutting down: tell every running session (it ends its SSE streams and keeps
/// its handover as it is).
#[derive(Message)]
#[rtype(result = "()")]
pub struct HubStopping;

/// The directory actor.
pub struct SessionDirectory {
    /// Running sessions (entries whose actor stopped are replaced on the next open).
    sessions: HashMap<SessionName, Addr<Session>>,
    /// Handed to every session.
    store: Addr<Store>,
    /// Handed to every session.
    matchmaker: Addr<Matchmaker>,
    /// Handed to every session.
    settings: Arc<SessionSettings>,
}

impl SessionDirectory {
    /// An empty directory.
    pub fn new(
        store: Addr<Store>,
        matchmaker: Addr<Matchmaker>,
        settings: Arc<SessionSettings>,
    ) -> Self {
        SessionDirectory {
            sessions: HashMap::new(),
            store,
            matchmaker,
            settings,
        }
    }

    fn open(&mut self, name: SessionName) -> Addr<Session> {
        if let Some(session) = self.sessions.get(&name).filter(|s| s.connected()) {
            return session.clone();
        }
        let session = Session::new(
            name.clone(),
            self.store.clone(),
            self.matchmaker.clone(),
            self.settings.clone(),
        )
        .start();
        self.sessions.insert(name, session.clone());
        session
    }
}

impl Actor for SessionDirectory {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(SWEEP_INTERVAL, |act, _| {
            act.sessions.retain(|_, session| session.connected());
        });
    }
}

impl Handler<OpenSession> for SessionDirectory {
    type Result = Addr<Session>;

    fn handle(&mut self, msg: OpenSession, _: &mut Context<Self>) -> Self::Result {
        self.open(msg.name)
    }
}

impl Handler<RestoreHandoffs> for SessionDirectory {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: RestoreHandoffs, _: &mut Context<Self>) -> Self::Result {
        let list = |status| ListSessions {
            status: Some(status),
            limit: RESTORE_LIMIT,
        };
        let pending = self.store.send(list(Status::PendingManual));
        let live = self.store.send(list(Status::ManualLive));
        let both = async move { (pending.await, live.await) };
        Box::pin(both.into_actor(self).map(|(pending, live), act, _| {
            match pending {
                Ok(Ok(list)) => {
                    log::info!("{} sessions wait for an agent", list.total);
                    for summary in list.sessions {
                        act.open(summary.name);
                    }
                }
                Ok(Err(error)) => log::error!("cannot list waiting handovers: {error}"),
                Err(_) => log::error!("the store stopped before handovers were restored"),
            }
            match live {
                Ok(Ok(list)) => {
                    let at_desks: Vec<_> = list
                        .sessions
                        .into_iter()
                        .filter(|summary| summary.header.at_desk)
                        .collect();
                    log::info!("{} sessions wait for their agent's desk", at_desks.len());
                    for summary in at_desks {
                        act.open(summary.name);
                    }
                }
                Ok(Err(error)) => log::error!("cannot list held sessions: {error}"),
                Err(_) => log::error!("the store stopped before held sessions were restored"),
            }
        }))
    }
}

impl Handler<HubStopping> for SessionDirectory {
    type Result = ();

    fn handle(&mut self, _: HubStopping, _: &mut Context<Self>) {
        for session in self.sessions.values() {
            session.do_send(Stopping);
        }
    }
}
