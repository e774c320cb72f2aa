//! The desk side of a held session: how a Session follows the desk socket of the agent
//! holding it. Receives [`DeskLost`] from the handover board and `ReleaseOrphan` from itself;
//! sends `HandoffTaken`, `HandoffFreed` and `AwaitDesk` to the board and `SessionAssigned` to
//! a desk that starts following the session. A session whose desk went away waits for another
//! desk of its agent and goes back to the bot after the grace.

use std::sync::Arc;

use actix::prelude::*;
use chrono::Utc;

use crate::kernel::clock;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::ConnId;
use crate::takeover::desk_events::DeskEvent;
use crate::takeover::escalation::Status;
use crate::takeover::handover::{AwaitDesk, HandoffFreed, HandoffTaken};
use crate::takeover::model::SessionState;
use crate::takeover::session::actor::{Atomic, Session};
use crate::takeover::session::desk_link::{Announce, DeskLink};
use crate::takeover::session_requests::{DeskLost, SessionError};

/// Go back to the bot if the agent's desk is still gone (sent to itself after the grace).
#[derive(Message)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
struct ReleaseOrphan;

impl Session {
    /// The desk `conn_id` went away: if it was this session's, wait for the agent's next
    /// desk, and go back to the bot if none comes within the grace.
    pub(crate) fn desk_lost(&mut self, conn_id: ConnId, ctx: &mut Context<Self>) {
        if !matches!(&self.desk, DeskLink::Attached(desk) if desk.id() == conn_id) {
            return;
        }
        self.desk = DeskLink::Lost {
            since: clock::now(),
            last: Some(conn_id),
        };
        log::info!(
            "session {}: the agent's desk closed; back to the bot in {:?} unless it returns",
            self.name,
            self.config.desk_reconnect_grace
        );
        self.await_desk(ctx);
        let session = ctx.address();
        ctx.run_later(self.config.desk_reconnect_grace, move |_, _| {
            session.do_send(ReleaseOrphan);
        });
    }

    /// Asks the handover board for a desk of the holding agent.
    pub(crate) fn await_desk(&self, ctx: &mut Context<Self>) {
        let holder = self
            .state
            .as_ref()
            .and_then(|state| state.header.assigned_agent.as_ref());
        if let Some(holder) = holder {
            self.board.do_send(AwaitDesk {
                agent_id: holder.agent.agent_id.clone(),
                name: self.name.clone(),
                session: Session::link(ctx),
            });
        }
    }

    /// Checks the desk link: a desk that closed unnoticed counts as lost; a lost desk that did
    /// not come back in time sends the session back to the bot; while waiting, asks again.
    pub(crate) fn watch_desk(&mut self, ctx: &mut Context<Self>) {
        if self.status() != Some(Status::ManualLive) {
            return;
        }
        match &self.desk {
            DeskLink::Attached(desk) if !desk.is_connected() => {
                let conn_id = desk.id();
                self.desk_lost(conn_id, ctx);
            }
            DeskLink::Lost { since, .. } if since.elapsed() >= self.config.desk_reconnect_grace => {
                ctx.address().do_send(ReleaseOrphan);
            }
            DeskLink::Lost { .. } => self.await_desk(ctx),
            DeskLink::Attached(_) | DeskLink::None => {}
        }
    }

    pub(crate) fn release_orphan(&mut self) -> Atomic<Arc<SessionState>> {
        let overdue = matches!(
            self.desk,
            DeskLink::Lost { since, .. } if since.elapsed() >= self.config.desk_reconnect_grace
        );
        if !overdue || self.hub_stopping {
            return AtomicResponse::new(Box::pin(fut::ready(self.existing().cloned())));
        }
        let notice = self.config.agent_lost_notice.clone();
        self.change(|state| state.release(None, &notice, "agent_disconnected", Utc::now()))
    }

    /// From now on the session's events also go to `desk` (the holder's desk socket), which
    /// first hears the whole session.
    pub(crate) fn attach_desk(
        &mut self,
        desk: Option<ConnHandle<DeskEvent>>,
        state: &Arc<SessionState>,
        announce: Announce,
        ctx: &mut Context<Self>,
    ) {
        let Some(desk) = desk else {
            return;
        };
        let attached = matches!(&self.desk, DeskLink::Attached(held) if held.id() == desk.id());
        if !attached || announce == Announce::Always {
            desk.push(DeskEvent::SessionAssigned {
                session: state.clone(),
            });
        }
        if attached {
            return;
        }
        let previous = std::mem::replace(&mut self.desk, DeskLink::Attached(desk.clone()));
        if let Some(conn_id) = previous.last_desk().flatten() {
            self.board.do_send(HandoffFreed {
                conn_id: Some(conn_id),
                name: self.name.clone(),
            });
        }
        self.board.do_send(HandoffTaken {
            conn_id: desk.id(),
            name: self.name.clone(),
            session: Session::link(ctx),
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
