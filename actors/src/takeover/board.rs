//! HandoverBoard: escalated sessions waiting for a human, and the agent desks that can take
//! them. An actor of its own, on the control path only. Receives [`QueueHandoff`] and [`WithdrawHandoff`] from
//! sessions, [`DeskReady`], [`DeskPaused`] and [`DeskGone`] from desk sockets, and
//! [`HandoffTaken`], [`HandoffFreed`] and [`AwaitDesk`] from sessions as desks start holding
//! them, stop, or go away.
//!
//! Whenever a session waits and a ready desk has room, the longest-waiting session is offered
//! to the desk holding the fewest by sending the session a [`Claim`] through its
//! [`SessionLink`]; the session decides (it
//! may have been claimed meanwhile). A desk's load is what it is being offered plus what it
//! holds, however it got it, so a release frees exactly what was taken. An offer that was not
//! taken frees its room, and its session is queued again if it still waits.
//!
//! When a desk's socket goes, each session it held is told ([`DeskLost`]) and asks for a desk
//! of the same agent ([`AwaitDesk`]): another open one takes it at once, otherwise it waits
//! for one that says it is available. The session itself keeps the clock: it goes back to the
//! bot if no desk comes back in time, and it keeps asking while it waits, so a claim lost in a
//! race is asked for again.

use std::time::Duration;

use actix::prelude::*;

use crate::kernel::clock;
use crate::kernel::deadlines::{DeadlineOwner, Deadlines, schedule};
use crate::kernel::ids::{ConnId, SessionName};
use crate::takeover::desks::{Handovers, Offer};
use crate::takeover::escalation::Status;
use crate::takeover::handover::{
    AwaitDesk, DeskGone, DeskPaused, DeskReady, HandoffFreed, HandoffTaken, QueueHandoff,
    WithdrawHandoff,
};
use crate::takeover::session_requests::{Claim, DeskLost, GetSession, SessionLink};

/// How long a queued session whose offer failed (a closed desk, a store error) waits before
/// it is queued again.
const RETRY_DECLINED_OFFER: Duration = Duration::from_millis(200);

/// The board actor.
#[derive(Default)]
pub struct HandoverBoard {
    /// Waiting sessions, desks, and sessions waiting for their agent's desk.
    books: Handovers,
    /// Sessions whose offer failed, to ask again then: one timer for all of them.
    retries: Deadlines<(SessionName, SessionLink)>,
}

impl Actor for HandoverBoard {
    type Context = Context<Self>;
}

impl DeadlineOwner for HandoverBoard {
    type Key = (SessionName, SessionLink);

    fn deadlines(&mut self) -> &mut Deadlines<Self::Key> {
        &mut self.retries
    }

    fn deadline_passed(&mut self, (name, session): Self::Key, ctx: &mut Context<Self>) {
        self.requeue_if_pending(name, session, ctx);
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

impl HandoverBoard {
    /// Makes every offer the queue allows.
    fn dispatch_handoffs(&mut self, ctx: &mut Context<Self>) {
        while let Some(offer) = self.books.next_offer() {
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
        let conn_id = conn.id();
        let claim = Claim {
            agent,
            desk: Some(conn),
        };
        session
            .claim
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
        session: SessionLink,
        kind: OfferKind,
        ctx: &mut Context<Self>,
    ) {
        self.books.declined(conn_id, &name);
        if kind == OfferKind::Queued && mailbox.is_none() {
            self.books.pause_if_closed(conn_id);
            let retry_at = clock::now() + RETRY_DECLINED_OFFER;
            schedule(self, retry_at, (name, session), ctx);
        }
        self.dispatch_handoffs(ctx);
    }

    /// Asks the session whether it still waits for an agent, and queues it again if so.
    fn requeue_if_pending(
        &mut self,
        name: SessionName,
        session: SessionLink,
        ctx: &mut Context<Self>,
    ) {
        session
            .get
            .send(GetSession)
            .into_actor(self)
            .map(move |answer, act, ctx| {
                let pending = matches!(
                    &answer,
                    Ok(Ok(state)) if state.header.status == Status::PendingManual
                );
                if pending {
                    act.books.queue(name, session, true);
                    act.dispatch_handoffs(ctx);
                }
            })
            .spawn(ctx);
    }
}

impl Handler<QueueHandoff> for HandoverBoard {
    type Result = ();

    fn handle(&mut self, msg: QueueHandoff, ctx: &mut Context<Self>) {
        self.books.queue(msg.name, msg.session, false);
        self.dispatch_handoffs(ctx);
    }
}

impl Handler<WithdrawHandoff> for HandoverBoard {
    type Result = ();

    fn handle(&mut self, msg: WithdrawHandoff, _: &mut Context<Self>) {
        self.books.withdraw(&msg.name);
    }
}

impl Handler<DeskReady> for HandoverBoard {
    type Result = ();

    fn handle(&mut self, msg: DeskReady, ctx: &mut Context<Self>) {
        for offer in self.books.ready(msg.conn, msg.agent, msg.capacity) {
            self.offer(offer, OfferKind::Rehomed, ctx);
        }
        self.dispatch_handoffs(ctx);
    }
}

impl Handler<DeskPaused> for HandoverBoard {
    type Result = ();

    fn handle(&mut self, msg: DeskPaused, _: &mut Context<Self>) {
        self.books.pause(msg.conn_id);
    }
}

impl Handler<DeskGone> for HandoverBoard {
    type Result = ();

    fn handle(&mut self, msg: DeskGone, _: &mut Context<Self>) {
        for session in self.books.gone(msg.conn_id) {
            session.desk_lost.do_send(DeskLost {
                conn_id: msg.conn_id,
            });
        }
    }
}

impl Handler<AwaitDesk> for HandoverBoard {
    type Result = ();

    fn handle(&mut self, msg: AwaitDesk, ctx: &mut Context<Self>) {
        if let Some(offer) = self.books.await_desk(msg.agent_id, msg.name, msg.session) {
            self.offer(offer, OfferKind::Rehomed, ctx);
        }
    }
}

impl Handler<HandoffTaken> for HandoverBoard {
    type Result = ();

    fn handle(&mut self, msg: HandoffTaken, _: &mut Context<Self>) {
        if !self.books.taken(msg.conn_id, msg.name, msg.session.clone()) {
            msg.session.desk_lost.do_send(DeskLost {
                conn_id: msg.conn_id,
            });
        }
    }
}

impl Handler<HandoffFreed> for HandoverBoard {
    type Result = ();

    fn handle(&mut self, msg: HandoffFreed, ctx: &mut Context<Self>) {
        self.books.freed(msg.conn_id, &msg.name);
        self.dispatch_handoffs(ctx);
    }
}
