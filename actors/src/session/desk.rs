//! The desk side of a held session: how a Session follows the desk socket of the agent
//! holding it. Receives [`DeskLost`] from the Matchmaker and `ReleaseOrphan` from itself;
//! sends `HandoffTaken`, `HandoffFreed` and `AwaitDesk` to the Matchmaker and
//! `SessionAssigned` to a desk that starts following the session. A session whose desk went
//! away waits for another desk of its agent and goes back to the bot after the grace.

use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;
use chrono::Utc;

use super::messages::SessionError;
use super::state::{Draft, SessionState};
use super::{Atomic, Session};
use crate::conn::ConnHandle;
use crate::escalation::Status;
use crate::event::Event;
use crate::handoff::{AwaitDesk, HandoffFreed, HandoffTaken};
use crate::ids::ConnId;

/// The desk socket of the session's agent closed.
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct DeskLost {
    /// The desk that closed.
    pub conn_id: ConnId,
}

/// Go back to the bot if the agent's desk is still gone (sent to itself after the grace).
#[derive(Message)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
struct ReleaseOrphan;

/// How a session held by an agent reaches the agent's desk.
pub(super) enum DeskLink {
    /// No desk involved (the bot answers, nobody took it yet, or the agent works over REST).
    None,
    /// Events go to this desk.
    Attached(ConnHandle),
    /// The agent's desk went away at `since` (`last`; unknown after a restart).
    Lost {
        /// When it was noticed.
        since: Instant,
        /// The desk that went away.
        last: Option<ConnId>,
    },
}

/// The draft, marked as a session held through a desk when `desk` is given.
pub(super) fn at_desk(mut draft: Draft, desk: &Option<ConnHandle>) -> Draft {
    if desk.is_some() {
        draft.header.at_desk = true;
    }
    draft
}

/// When a desk that takes a session hears `session_assigned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Announce {
    /// Every time (an explicit claim is always answered).
    Always,
    /// Only when the desk did not follow the session yet.
    WhenNew,
}

impl Session {
    /// The desk `conn_id` went away: if it was this session's, wait for the agent's next
    /// desk, and go back to the bot if none comes within the grace.
    pub(super) fn desk_lost(&mut self, conn_id: ConnId, ctx: &mut Context<Self>) {
        if !matches!(&self.desk, DeskLink::Attached(desk) if desk.id == conn_id) {
            return;
        }
        self.desk = DeskLink::Lost {
            since: Instant::now(),
            last: Some(conn_id),
        };
        log::info!(
            "session {}: the agent's desk closed; back to the bot in {:?} unless it returns",
            self.name,
            self.settings.desk_grace
        );
        self.await_desk(ctx);
        let session = ctx.address();
        ctx.run_later(self.settings.desk_grace, move |_, _| {
            session.do_send(ReleaseOrphan);
        });
    }

    /// Asks the Matchmaker for a desk of the holding agent.
    pub(super) fn await_desk(&self, ctx: &mut Context<Self>) {
        let holder = self
            .state
            .as_ref()
            .and_then(|state| state.header.assigned_agent.as_ref());
        if let Some(holder) = holder {
            self.matchmaker.do_send(AwaitDesk {
                agent_id: holder.agent.agent_id.clone(),
                name: self.name.clone(),
                session: ctx.address(),
            });
        }
    }

    /// Checks the desk link: a desk that closed unnoticed counts as lost; a lost desk that did
    /// not come back in time sends the session back to the bot; while waiting, asks again.
    pub(super) fn watch_desk(&mut self, ctx: &mut Context<Self>) {
        if self.status() != Some(Status::ManualLive) {
            return;
        }
        match &self.desk {
            DeskLink::Attached(desk) if !desk.is_connected() => {
                let conn_id = desk.id;
                self.desk_lost(conn_id, ctx);
            }
            DeskLink::Lost { since, .. } if since.elapsed() >= self.settings.desk_grace => {
                ctx.address().do_send(ReleaseOrphan);
            }
            DeskLink::Lost { .. } => self.await_desk(ctx),
            DeskLink::Attached(_) | DeskLink::None => {}
        }
    }

    pub(super) fn release_orphan(&mut self) -> Atomic<Arc<SessionState>> {
        let overdue = matches!(
            self.desk,
            DeskLink::Lost { since, .. } if since.elapsed() >= self.settings.desk_grace
        );
        if !overdue || self.hub_stopping {
            return AtomicResponse::new(Box::pin(fut::ready(self.existing().cloned())));
        }
        let notice = self.settings.notices.agent_lost.clone();
        self.change(|state| state.release(None, &notice, "agent_disconnected", Utc::now()))
    }

    /// From now on the session's events also go to `desk` (the holder's desk socket), which
    /// first hears the whole session.
    pub(super) fn attach_desk(
        &mut self,
        desk: Option<ConnHandle>,
        state: &Arc<SessionState>,
        announce: Announce,
        ctx: &mut Context<Self>,
    ) {
        let Some(desk) = desk else {
            return;
        };
        let attached = matches!(&self.desk, DeskLink::Attached(held) if held.id == desk.id);
        if !attached || announce == Announce::Always {
            desk.push(Event::SessionAssigned {
                session: state.clone(),
            });
        }
        if attached {
            return;
        }
        let previous = match std::mem::replace(&mut self.desk, DeskLink::Attached(desk.clone())) {
            DeskLink::Attached(previous) => Some(previous.id),
            DeskLink::Lost { last, .. } => last,
            DeskLink::None => None,
        };
        if let Some(conn_id) = previous {
            self.matchmaker.do_send(HandoffFreed {
                conn_id: Some(conn_id),
                name: self.name.clone(),
            });
        }
        self.matchmaker.do_send(HandoffTaken {
            conn_id: desk.id,
            name: self.name.clone(),
            session: ctx.address(),
        });
    }
}

impl Handler<ReleaseOrphan> for Session {
    type Result = Atomic<Arc<SessionState>>;

    fn handle(&mut self, _: ReleaseOrphan, _: &mut Context<Self>) -> Self::Result {
        self.release_orphan()
    }
}

impl Handler<DeskLost> for Session {
    type Result = ();

    fn handle(&mut self, msg: DeskLost, ctx: &mut Context<Self>) {
        self.desk_lost(msg.conn_id, ctx);
    }
}
