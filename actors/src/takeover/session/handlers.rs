//! What a Session does with each request. Receives [`GetSession`], [`GetPage`],
//! [`CancelAnswer`], [`Escalate`], [`PostManualMessage`], [`Claim`], [`Release`], [`Subscribe`] and
//! [`Stopping`] (from the HTTP edge, agent desks and the handover board); builds the change
//! with the pure operations and commits it through the actor's one path, then answers. Also
//! unloads a quiet session.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use chrono::Utc;
use tokio::sync::mpsc;

use crate::kernel::clock;
use crate::kernel::handle::ConnHandle;
use crate::takeover::desk_events::DeskEvent;
use crate::takeover::draft::Draft;
use crate::takeover::escalation::Status;
use crate::takeover::history::SessionPage;
use crate::takeover::model::SessionState;
use crate::takeover::operations::{Refusal, Writer};
use crate::takeover::session::actor::{Atomic, Pending, Session, failed};
use crate::takeover::session::desk_link::{Announce, at_desk};
use crate::takeover::session_requests::{
    CancelAnswer, Claim, Escalate, GetPage, GetSession, PostManualMessage, Release, SessionError,
    Stopping, Subscribe, Subscription,
};

impl Session {
    /// Builds a draft from the existing session and commits it.
    pub(crate) fn change(
        &mut self,
        build: impl FnOnce(&SessionState) -> Result<Draft, Refusal>,
    ) -> Atomic<Arc<SessionState>> {
        AtomicResponse::new(self.change_at_desk(build, None, Announce::WhenNew))
    }

    /// Builds a draft from the existing session and commits it; when the request came from
    /// an agent's `desk`, the session is marked as held at a desk and follows that desk.
    fn change_at_desk(
        &mut self,
        build: impl FnOnce(&SessionState) -> Result<Draft, Refusal>,
        desk: Option<ConnHandle<DeskEvent>>,
        announce: Announce,
    ) -> Pending<Arc<SessionState>> {
        let draft = match self.existing() {
            Ok(state) => build(state).map(|draft| at_desk(draft, &desk)),
            Err(error) => return Box::pin(fut::err(error)),
        };
        self.commit(draft, move |act, state, ctx| {
            act.attach_desk(desk, &state, announce, ctx);
            state
        })
    }

    fn claim(&mut self, msg: Claim) -> Atomic<Arc<SessionState>> {
        let Claim { agent, desk } = msg;
        if desk.as_ref().is_some_and(|desk| !desk.is_connected()) {
            return failed(SessionError::DeskClosed);
        }
        let claim = |state: &SessionState| state.claim(&agent, Utc::now());
        AtomicResponse::new(self.change_at_desk(claim, desk, Announce::Always))
    }

    fn manual_message(&mut self, msg: PostManualMessage) -> Atomic<Arc<SessionState>> {
        let PostManualMessage {
            writer,
            content,
            desk,
        } = msg;
        let desk = desk.filter(|_| matches!(writer, Writer::Agent(_)));
        let write = |state: &SessionState| state.manual_message(writer, content, Utc::now());
        AtomicResponse::new(self.change_at_desk(write, desk, Announce::WhenNew))
    }

    fn subscribe(&mut self, msg: Subscribe) -> Result<Subscription, SessionError> {
        self.last_request = clock::now();
        let state = self.existing()?.clone();
        self.subscribers
            .retain(|subscriber| !subscriber.is_closed());
        let limit = self.config.sse_max_subscribers;
        if self.subscribers.len() >= limit {
            return Err(SessionError::TooManySubscribers(limit));
        }
        let (sender, live) = mpsc::channel(self.config.sse_subscriber_queue.max(1));
        self.subscribers.push(sender);
        let replay = msg
            .after
            .map(|after| state.events_after(after).to_vec())
            .unwrap_or_default();
        Ok(Subscription {
            replay,
            live,
            last_seq: state.last_seq(),
        })
    }

    /// Unloads a quiet `bot_active` session that nobody follows, and at once an actor that
    /// only answered "no such session".
    pub(crate) fn unload_if_idle(&mut self, ctx: &mut Context<Self>) {
        self.subscribers
            .retain(|subscriber| !subscriber.is_closed());
        let idle_timeout = match self.state {
            Some(_) => self.config.session_idle_timeout,
            None => Duration::ZERO,
        };
        let quiet = self.last_request.elapsed() >= idle_timeout && self.answering.is_none();
        let handed_over = matches!(
            self.status(),
            Some(Status::PendingManual | Status::ManualLive)
        );
        if quiet && self.subscribers.is_empty() && !handed_over {
            log::debug!(
                "session {} unloaded after {:?} idle",
                self.name,
                self.config.session_idle_timeout
            );
            ctx.stop();
        }
    }
}

impl Handler<GetSession> for Session {
    type Result = Result<Arc<SessionState>, SessionError>;

    fn handle(&mut self, _: GetSession, _: &mut Context<Self>) -> Self::Result {
        self.last_request = clock::now();
        self.existing().cloned()
    }
}

impl Handler<GetPage> for Session {
    type Result = Result<SessionPage, SessionError>;

    fn handle(&mut self, msg: GetPage, _: &mut Context<Self>) -> Self::Result {
        self.last_request = clock::now();
        self.existing().map(|state| state.page(msg.page))
    }
}

impl Handler<Escalate> for Session {
    type Result = Atomic<Arc<SessionState>>;

    fn handle(&mut self, msg: Escalate, ctx: &mut Context<Self>) -> Self::Result {
        let escalate = |state: &SessionState| state.escalate(msg.reason, msg.details, Utc::now());
        self.settled(ctx, |act, _| {
            act.change_at_desk(escalate, None, Announce::WhenNew)
        })
    }
}

impl Handler<CancelAnswer> for Session {
    type Result = Atomic<bool>;

    fn handle(&mut self, _: CancelAnswer, ctx: &mut Context<Self>) -> Self::Result {
        self.last_request = clock::now();
        if let Err(error) = self.existing() {
            return failed(error);
        }
        match self.interrupt(ctx) {
            None => AtomicResponse::new(Box::pin(fut::ok(false))),
            Some(finish) => {
                AtomicResponse::new(Box::pin(finish.map(|result, _, _| result.map(|()| true))))
            }
        }
    }
}

impl Handler<PostManualMessage> for Session {
    type Result = Atomic<Arc<SessionState>>;

    fn handle(&mut self, msg: PostManualMessage, _: &mut Context<Self>) -> Self::Result {
        self.manual_message(msg)
    }
}

impl Handler<Claim> for Session {
    type Result = Atomic<Arc<SessionState>>;

    fn handle(&mut self, msg: Claim, _: &mut Context<Self>) -> Self::Result {
        self.claim(msg)
    }
}

impl Handler<Release> for Session {
    type Result = Atomic<Arc<SessionState>>;

    fn handle(&mut self, msg: Release, _: &mut Context<Self>) -> Self::Result {
        let notice = self.config.release_notice.clone();
        self.change(|state| state.release(msg.by.as_ref(), &notice, "released", Utc::now()))
    }
}

impl Handler<Subscribe> for Session {
    type Result = Result<Subscription, SessionError>;

    fn handle(&mut self, msg: Subscribe, _: &mut Context<Self>) -> Self::Result {
        self.subscribe(msg)
    }
}

impl Handler<Stopping> for Session {
    type Result = ();

    fn handle(&mut self, _: Stopping, ctx: &mut Context<Self>) {
        self.subscribers.clear();
        self.hub_stopping = true;
        if let Some(finish) = self.interrupt(ctx) {
            ctx.wait(finish.map(|_, _, _| ()));
        }
    }
}
