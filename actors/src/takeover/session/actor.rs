//! Session: one seed-001 conversation, the only writer of its status, history, escalation and
//! agent. This file holds the actor and the one path every change takes: a [`Draft`] is
//! committed by the store ([`SaveSession`]) before anything else happens; only then does the
//! session apply it, write the audit lines, push the new events to its SSE subscribers and its
//! agent desk, and tell the handover board about handovers (`QueueHandoff`,
//! `WithdrawHandoff`, `HandoffFreed`). The requests it receives are handled in
//! [`handlers`](super::handlers), the desk it follows in [`desk_follow`](super::desk_follow).
//! Requests are handled one at a time, store round trip included, so two agents claiming at
//! once cannot both win.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use tokio::sync::mpsc;

use crate::bot::answer::Backend;
use crate::kernel::clock::{self, Instant};
use crate::kernel::ids::SessionName;
use crate::store::database::Store;
use crate::store::session_rows::{LoadSession, SaveSession};
use crate::store::store_error::StoreError;
use crate::takeover::board::HandoverBoard;
use crate::takeover::desk_events::DeskEvent;
use crate::takeover::draft::Draft;
use crate::takeover::escalation::Status;
use crate::takeover::handover::{HandoffFreed, QueueHandoff, WithdrawHandoff};
use crate::takeover::model::{SessionEvent, SessionState};
use crate::takeover::operations::Refusal;
use crate::takeover::persist;
use crate::takeover::regulator::Regulator;
use crate::takeover::session::answer_in_flight::{Answering, QueuedLine};
use crate::takeover::session::desk_link::DeskLink;
use crate::takeover::session_requests::{Claim, DeskLost, GetSession, SessionError, SessionLink};
use crate::takeover::takeover_config::TakeoverConfig;

/// Shortest gap between two ticks (the idle check and the desk watch).
const TICK_MIN: Duration = Duration::from_millis(10);

/// Longest gap between two ticks (an actor for a name that does not exist lives at most this
/// long).
const TICK_MAX: Duration = Duration::from_secs(1);

/// The session actor.
pub struct Session {
    /// Its name.
    pub(crate) name: SessionName,
    /// Its state; `None` until a user turn creates it.
    pub(crate) state: Option<Arc<SessionState>>,
    /// Where changes are committed.
    store: Addr<Store>,
    /// Where handovers queue.
    pub(crate) board: Addr<HandoverBoard>,
    /// Notices, grace periods and limits.
    pub(crate) config: Arc<TakeoverConfig>,
    /// The automatic escalation rules.
    pub(crate) regulator: Arc<Regulator>,
    /// SSE subscribers.
    pub(crate) subscribers: Vec<mpsc::Sender<SessionEvent>>,
    /// How the session reaches the desk of the agent holding it.
    pub(crate) desk: DeskLink,
    /// The hub is shutting down: no session goes back to the bot for a lost desk.
    pub(crate) hub_stopping: bool,
    /// When a request last arrived.
    pub(crate) last_request: Instant,
    /// Answers the user's lines while the bot holds the session.
    pub(crate) backend: Backend,
    /// The bot's answer in flight, if any.
    pub(crate) answering: Option<Answering>,
    /// User lines waiting for the answer in flight, oldest first.
    pub(crate) lines: VecDeque<QueuedLine>,
    /// A user line is being committed.
    pub(crate) line_in_progress: bool,
    /// How many answers the bot has begun (numbers each one).
    pub(crate) answers_begun: u64,
}

/// What a handler answers with: the reply is computed after the store has committed, and no
/// other request is handled meanwhile.
pub(crate) type Atomic<T> = AtomicResponse<Session, Result<T, SessionError>>;

/// A change on its way to the store, to be answered by a handler (as an [`Atomic`]) or to be
/// followed by another one.
pub(crate) type Pending<T> = ResponseActFuture<Session, Result<T, SessionError>>;

impl Session {
    /// A session actor for `name`; it loads its state from the store when it starts.
    pub fn new(
        name: SessionName,
        store: Addr<Store>,
        board: Addr<HandoverBoard>,
        config: Arc<TakeoverConfig>,
        regulator: Arc<Regulator>,
        backend: Backend,
    ) -> Self {
        Session {
            name,
            state: None,
            store,
            board,
            config,
            regulator,
            subscribers: Vec::new(),
            desk: DeskLink::None,
            hub_stopping: false,
            last_request: clock::now(),
            backend,
            answering: None,
            lines: VecDeque::new(),
            line_in_progress: false,
            answers_begun: 0,
        }
    }

    /// How the handover board reaches this session.
    pub(crate) fn link(ctx: &Context<Self>) -> SessionLink {
        let session = ctx.address();
        SessionLink {
            claim: session.clone().recipient::<Claim>(),
            get: session.clone().recipient::<GetSession>(),
            desk_lost: session.recipient::<DeskLost>(),
        }
    }

    fn loaded(&mut self, state: Option<SessionState>, ctx: &mut Context<Self>) {
        self.state = state.map(Arc::new);
        match self.state.as_deref().map(|state| &state.header) {
            Some(header) if header.status == Status::PendingManual => self.queue_handoff(ctx),
            Some(header) if header.status == Status::ManualLive && header.at_desk => {
                self.desk = DeskLink::Lost {
                    since: clock::now(),
                    last: None,
                };
                self.await_desk(ctx);
            }
            _ => {}
        }
    }

    /// The session's status, once it exists.
    pub(crate) fn status(&self) -> Option<Status> {
        self.state.as_ref().map(|state| state.header.status)
    }

    /// The session's state, or `NotFound` when no user turn created it.
    pub(crate) fn existing(&self) -> Result<&Arc<SessionState>, SessionError> {
        self.state
            .as_ref()
            .ok_or_else(|| SessionError::NotFound(self.name.clone()))
    }

    fn queue_handoff(&self, ctx: &mut Context<Self>) {
        self.board.do_send(QueueHandoff {
            name: self.name.clone(),
            session: Session::link(ctx),
        });
    }

    /// Commits `draft`, then applies it and answers with `answer`, given the new state; a
    /// handler answers with it as an [`Atomic`], or another change follows it.
    pub(crate) fn commit<T: 'static>(
        &mut self,
        draft: Result<Draft, Refusal>,
        answer: impl FnOnce(&mut Session, Arc<SessionState>, &mut Context<Self>) -> T + 'static,
    ) -> Pending<T> {
        self.last_request = clock::now();
        let draft = match draft {
            Ok(draft) => draft,
            Err(refusal) => return Box::pin(fut::err(SessionError::Refused(refusal))),
        };
        let unchanged = self
            .state
            .clone()
            .filter(|state| draft.is_empty(&state.header));
        if let Some(state) = unchanged {
            return Box::pin(fut::ready(()).map(move |(), act, ctx| Ok(answer(act, state, ctx))));
        }
        let write = match persist::session_write(&draft) {
            Ok(write) => write,
            Err(error) => {
                log::error!("session {}: a change cannot be encoded: {error}", self.name);
                return Box::pin(fut::err(SessionError::Store(error.to_string())));
            }
        };
        let saved = self.store.send(SaveSession { write });
        let committed = async move {
            match saved.await {
                Ok(commit) => commit.await.unwrap_or(Err(StoreError::Stopped)),
                Err(_) => Err(StoreError::Stopped),
            }
        };
        let answered = committed
            .into_actor(self)
            .map(move |result, act, ctx| match result {
                Ok(()) => {
                    let state = act.applied(draft, ctx);
                    Ok(answer(act, state, ctx))
                }
                Err(error) => {
                    log::error!("session {}: the store refused a change: {error}", act.name);
                    Err(SessionError::Store(error.to_string()))
                }
            });
        Box::pin(answered)
    }

    /// The draft is stored: make it the session's state and tell everyone who follows.
    fn applied(&mut self, draft: Draft, ctx: &mut Context<Self>) -> Arc<SessionState> {
        let before = self.status();
        for record in &draft.audit {
            match serde_json::to_string(record) {
                Ok(line) => log::info!(target: "audit", "{line}"),
                Err(error) => log::error!("cannot encode an audit record: {error}"),
            }
        }
        let events = draft.events.clone();
        let mut state = match self.state.take() {
            Some(state) => Arc::unwrap_or_clone(state),
            None => SessionState::new(self.name.clone(), draft.header.created_at),
        };
        state.apply(draft);
        let after = state.header.status;
        let state = Arc::new(state);
        self.state = Some(state.clone());
        self.publish(&events);
        if after != Status::ManualLive
            && let Some(conn_id) = std::mem::replace(&mut self.desk, DeskLink::None).last_desk()
        {
            self.board.do_send(HandoffFreed {
                conn_id,
                name: self.name.clone(),
            });
        }
        match (before, after) {
            (_, Status::PendingManual) if before != Some(Status::PendingManual) => {
                self.queue_handoff(ctx)
            }
            (Some(Status::PendingManual), _) if after != Status::PendingManual => {
                self.board.do_send(WithdrawHandoff {
                    name: self.name.clone(),
                });
            }
            _ => {}
        }
        state
    }

    /// Pushes new events to every subscriber and the agent desk; drops subscribers that are
    /// gone or too far behind.
    fn publish(&mut self, events: &[SessionEvent]) {
        self.subscribers.retain(|subscriber| {
            events
                .iter()
                .all(|event| match subscriber.try_send(event.clone()) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        log::info!(
                            "an SSE subscriber fell behind; it will resume with Last-Event-ID"
                        );
                        false
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                })
        });
        if let DeskLink::Attached(desk) = &self.desk {
            for event in events {
                desk.push(DeskEvent::SessionUpdate {
                    session_name: self.name.clone(),
                    event: event.clone(),
                });
            }
        }
    }
}

/// An answer that refuses at once.
pub(crate) fn failed<T: 'static>(error: SessionError) -> Atomic<T> {
    AtomicResponse::new(Box::pin(fut::err(error)))
}

impl Actor for Session {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let load = self.store.send(LoadSession {
            name: self.name.clone(),
        });
        load.into_actor(self)
            .map(|result, act, ctx| {
                let stored = match result {
                    Ok(Ok(stored)) => stored,
                    Ok(Err(error)) => {
                        log::error!("session {} cannot be loaded: {error}", act.name);
                        return ctx.stop();
                    }
                    Err(_) => return ctx.stop(),
                };
                match stored.map(|stored| persist::session_state(act.name.clone(), stored)) {
                    Some(Err(error)) => {
                        log::error!("session {} cannot be read: {error}", act.name);
                        ctx.stop();
                    }
                    Some(Ok(state)) => act.loaded(Some(state), ctx),
                    None => act.loaded(None, ctx),
                }
            })
            .wait(ctx);
        let every = (self.config.session_idle_timeout / 2)
            .min(self.config.desk_reconnect_grace / 2)
            .clamp(TICK_MIN, TICK_MAX);
        ctx.run_interval(every, |act, ctx| {
            act.watch_desk(ctx);
            act.unload_if_idle(ctx);
        });
    }
}
