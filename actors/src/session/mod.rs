//! Session: one seed-001 conversation, the only writer of its status, history, escalation and
//! agent. Receives [`GetSession`], [`UserTurn`], [`Escalate`], [`PostManualMessage`],
//! [`Claim`], [`Release`], [`Subscribe`] and [`Stopping`] (from the HTTP edge, the agent
//! desk and the Matchmaker), and [`DeskLost`] when the desk of its agent closes. Every change
//! is a [`Draft`] that the [`Store`] commits before anything else happens; only then does the
//! session apply it, write the audit lines, push the new events to its SSE subscribers and its
//! agent desk, and tell the Matchmaker about handovers (`QueueHandoff`, `WithdrawHandoff`,
//! `HandoffTaken`, `HandoffFreed`). Requests are handled one at a time, store round trip
//! included, so two agents claiming at once cannot both win. A session whose agent's desk went
//! away and did not come back within the grace period goes back to the bot.

mod desk;
mod directory;
mod messages;
mod state;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::Utc;
use tokio::sync::mpsc;

use crate::bot::builtin;
use crate::conn::ConnHandle;
use crate::escalation::Status;
use crate::event::Event;
use crate::handoff::{HandoffFreed, QueueHandoff, WithdrawHandoff};
use crate::ids::SessionName;
use crate::matchmaker::Matchmaker;
use crate::regulator::Regulator;
use crate::store::{LoadSession, SaveDraft, Store, StoreError};

pub use desk::DeskLost;
use desk::{Announce, DeskLink, at_desk};
pub use directory::{HubStopping, OpenSession, RestoreHandoffs, SessionDirectory};
pub use messages::{
    Claim, Escalate, GetSession, PostManualMessage, Release, SessionError, Stopping, Subscribe,
    Subscription, TurnOutcome, UserTurn,
};
pub use state::{
    AgentInfo, Assignment, AuditRecord, Draft, Escalation, EventKind, Notices, Refusal,
    SessionEvent, SessionHeader, SessionState, Speaker, TurnResult, Writer,
};

/// Shortest gap between two ticks (the idle check and the desk watch).
const TICK_MIN: Duration = Duration::from_millis(10);

/// Longest gap between two ticks (an actor for a name that does not exist lives at most this
/// long).
const TICK_MAX: Duration = Duration::from_secs(1);

/// How sessions behave; from the config.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// The automatic escalation rules.
    pub regulator: Regulator,
    /// The notices written into conversations.
    pub notices: Notices,
    /// A `bot_active` session nobody has touched or watched for this long is unloaded (its
    /// state is in the store; the next request loads it again).
    pub idle_timeout: Duration,
    /// Events buffered for one SSE subscriber; one that falls further behind is cut off and
    /// resumes with `Last-Event-ID`.
    pub subscriber_queue: usize,
    /// Most SSE subscribers of one session.
    pub max_subscribers: usize,
    /// How long a session waits for its agent's desk to come back before it returns to the
    /// bot.
    pub desk_grace: Duration,
}

/// The session actor.
pub struct Session {
    /// Its name.
    name: SessionName,
    /// Its state; `None` until a user turn creates it.
    state: Option<Arc<SessionState>>,
    /// Where changes are committed.
    store: Addr<Store>,
    /// Where handovers queue.
    matchmaker: Addr<Matchmaker>,
    /// Rules, notices and limits.
    settings: Arc<SessionSettings>,
    /// SSE subscribers.
    subscribers: Vec<mpsc::Sender<SessionEvent>>,
    /// How the session reaches the desk of the agent holding it.
    desk: DeskLink,
    /// The hub is shutting down: no session goes back to the bot for a lost desk.
    hub_stopping: bool,
    /// When a request last arrived.
    last_request: Instant,
}

/// What a handler answers with: the reply is computed after the store has committed, and no
/// other request is handled meanwhile.
type Atomic<T> = AtomicResponse<Session, Result<T, SessionError>>;

impl Session {
    /// A session actor for `name`; it loads its state from the store when it starts.
    pub fn new(
        name: SessionName,
        store: Addr<Store>,
        matchmaker: Addr<Matchmaker>,
        settings: Arc<SessionSettings>,
    ) -> Self {
        Session {
            name,
            state: None,
            store,
            matchmaker,
            settings,
            subscribers: Vec::new(),
            desk: DeskLink::None,
            hub_stopping: false,
            last_request: Instant::now(),
        }
    }

    fn loaded(&mut self, state: Option<SessionState>, ctx: &mut Context<Self>) {
        self.state = state.map(Arc::new);
        match self.state.as_deref().map(|state| &state.header) {
            Some(header) if header.status == Status::PendingManual => self.queue_handoff(ctx),
            Some(header) if header.status == Status::ManualLive && header.at_desk => {
                self.desk = DeskLink::Lost {
                    since: Instant::now(),
                    last: None,
                };
                self.await_desk(ctx);
            }
            _ => {}
        }
    }

    fn status(&self) -> Option<Status> {
        self.state.as_ref().map(|state| state.header.status)
    }

    fn existing(&self) -> Result<&Arc<SessionState>, SessionError> {
        self.state
            .as_ref()
            .ok_or_else(|| SessionError::NotFound(self.name.clone()))
    }

    fn queue_handoff(&self, ctx: &mut Context<Self>) {
        self.matchmaker.do_send(QueueHandoff {
            name: self.name.clone(),
            session: ctx.address(),
        });
    }

    /// Commits `draft`, then applies it and answers with `answer`, given the new state.
    fn commit<T: 'static>(
        &mut self,
        draft: Result<Draft, Refusal>,
        answer: impl FnOnce(&mut Session, Arc<SessionState>, &mut Context<Self>) -> T + 'static,
    ) -> Atomic<T> {
        self.last_request = Instant::now();
        let draft = match draft {
            Ok(draft) => draft,
            Err(refusal) => return failed(SessionError::Refused(refusal)),
        };
        let unchanged = self
            .state
            .clone()
            .filter(|state| draft.is_empty(&state.header));
        if let Some(state) = unchanged {
            let answered = fut::ready(()).map(move |(), act, ctx| Ok(answer(act, state, ctx)));
            return AtomicResponse::new(Box::pin(answered));
        }
        let saved = self.store.send(SaveDraft { draft });
        let committed = async move {
            match saved.await {
                Ok(commit) => commit.await.unwrap_or(Err(StoreError::Stopped)),
                Err(_) => Err(StoreError::Stopped),
            }
        };
        let answered = committed
            .into_actor(self)
            .map(move |result, act, ctx| match result {
                Ok(draft) => {
                    let state = act.applied(draft, ctx);
                    Ok(answer(act, state, ctx))
                }
                Err(error) => {
                    log::error!("session {}: the store refused a change: {error}", act.name);
                    Err(SessionError::Store(error.to_string()))
                }
            });
        AtomicResponse::new(Box::pin(answered))
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
        if after != Status::ManualLive {
            let conn_id = match std::mem::replace(&mut self.desk, DeskLink::None) {
                DeskLink::Attached(desk) => Some(Some(desk.id)),
                DeskLink::Lost { last, .. } => Some(last),
                DeskLink::None => None,
            };
            if let Some(conn_id) = conn_id {
                self.matchmaker.do_send(HandoffFreed {
                    conn_id,
                    name: self.name.clone(),
                });
            }
        }
        match (before, after) {
            (_, Status::PendingManual) if before != Some(Status::PendingManual) => {
                self.queue_handoff(ctx)
            }
            (Some(Status::PendingManual), _) if after != Status::PendingManual => {
                self.matchmaker.do_send(WithdrawHandoff {
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
                desk.push(Event::SessionUpdate {
                    session_name: self.name.clone(),
                    event: event.clone(),
                });
            }
        }
    }

    fn user_turn(&mut self, msg: UserTurn) -> Atomic<TurnOutcome> {
        let now = Utc::now();
        let fresh;
        let (state, creates) = match &self.state {
            Some(state) => (state.as_ref(), false),
            None => {
                fresh = SessionState::new(self.name.clone(), now);
                (&fresh, true)
            }
        };
        let settings = &self.settings;
        let (mut draft, result) = state.user_turn(
            msg.text,
            &settings.regulator,
            &settings.notices,
            builtin::reply,
            now,
        );
        draft.creates = creates;
        let queued = if msg.stream {
            draft.take_for_stream(state)
        } else {
            Vec::new()
        };
        let appended = draft.events.clone();
        self.commit(Ok(draft), move |_, state, _| TurnOutcome {
            status: state.header.status,
            queued,
            appended,
            reply: result.reply,
            trigger: result.trigger,
        })
    }

    fn change(
        &mut self,
        build: impl FnOnce(&SessionState) -> Result<Draft, Refusal>,
    ) -> Atomic<Arc<SessionState>> {
        self.change_at_desk(build, None, Announce::WhenNew)
    }

    /// Builds a draft from the existing session and commits it; when the request came from
    /// an agent's `desk`, the session is marked as held at a desk and follows that desk.
    fn change_at_desk(
        &mut self,
        build: impl FnOnce(&SessionState) -> Result<Draft, Refusal>,
        desk: Option<ConnHandle>,
        announce: Announce,
    ) -> Atomic<Arc<SessionState>> {
        let draft = match self.existing() {
            Ok(state) => build(state).map(|draft| at_desk(draft, &desk)),
            Err(error) => return failed(error),
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
        self.change_at_desk(claim, desk, Announce::Always)
    }

    fn manual_message(&mut self, msg: PostManualMessage) -> Atomic<Arc<SessionState>> {
        let PostManualMessage {
            writer,
            content,
            desk,
        } = msg;
        let desk = desk.filter(|_| matches!(writer, Writer::Agent(_)));
        let write = |state: &SessionState| state.manual_message(writer, content, Utc::now());
        self.change_at_desk(write, desk, Announce::WhenNew)
    }

    fn subscribe(&mut self, msg: Subscribe) -> Result<Subscription, SessionError> {
        self.last_request = Instant::now();
        let state = self.existing()?.clone();
        self.subscribers
            .retain(|subscriber| !subscriber.is_closed());
        if self.subscribers.len() >= self.settings.max_subscribers {
            return Err(SessionError::TooManySubscribers(
                self.settings.max_subscribers,
            ));
        }
        let (sender, live) = mpsc::channel(self.settings.subscriber_queue.max(1));
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
    fn unload_if_idle(&mut self, ctx: &mut Context<Self>) {
        self.subscribers
            .retain(|subscriber| !subscriber.is_closed());
        let idle_timeout = match self.state {
            Some(_) => self.settings.idle_timeout,
            None => Duration::ZERO,
        };
        let quiet = self.last_request.elapsed() >= idle_timeout;
        let handed_over = matches!(
            self.status(),
            Some(Status::PendingManual | Status::ManualLive)
        );
        if quiet && self.subscribers.is_empty() && !handed_over {
            log::debug!(
                "session {} unloaded after {:?} idle",
                self.name,
                self.settings.idle_timeout
            );
            ctx.stop();
        }
    }
}

/// An answer that refuses at once.
fn failed<T: 'static>(error: SessionError) -> Atomic<T> {
    AtomicResponse::new(Box::pin(fut::err(error)))
}

impl Actor for Session {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let load = self.store.send(LoadSession {
            name: self.name.clone(),
        });
        load.into_actor(self)
            .map(|result, act, ctx| match result {
                Ok(Ok(state)) => act.loaded(state, ctx),
                Ok(Err(error)) => {
                    log::error!("session {} cannot be loaded: {error}", act.name);
                    ctx.stop();
                }
                Err(_) => ctx.stop(),
            })
            .wait(ctx);
        let every = (self.settings.idle_timeout / 2)
            .min(self.settings.desk_grace / 2)
            .clamp(TICK_MIN, TICK_MAX);
        ctx.run_interval(every, |act, ctx| {
            act.watch_desk(ctx);
            act.unload_if_idle(ctx);
        });
    }
}

impl Handler<GetSession> for Session {
    type Result = Result<Arc<SessionState>, SessionError>;

    fn handle(&mut self, _: GetSession, _: &mut Context<Self>) -> Self::Result {
        self.last_request = Instant::now();
        self.existing().cloned()
    }
}

impl Handler<UserTurn> for Session {
    type Result = Atomic<TurnOutcome>;

    fn handle(&mut self, msg: UserTurn, _: &mut Context<Self>) -> Self::Result {
        self.user_turn(msg)
    }
}

impl Handler<Escalate> for Session {
    type Result = Atomic<Arc<SessionState>>;

    fn handle(&mut self, msg: Escalate, _: &mut Context<Self>) -> Self::Result {
        self.change(|state| state.escalate(msg.reason, msg.details, Utc::now()))
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
        let notice = self.settings.notices.released.clone();
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

    fn handle(&mut self, _: Stopping, _: &mut Context<Self>) {
        self.subscribers.clear();
        self.hub_stopping = true;
    }
}
