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

mod directory;
mod state;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::Utc;
use tokio::sync::mpsc;

use crate::bot::{BotReply, builtin};
use crate::conn::ConnHandle;
use crate::escalation::Status;
use crate::event::Event;
use crate::handoff::{AwaitDesk, HandoffFreed, HandoffTaken, QueueHandoff, WithdrawHandoff};
use crate::ids::{ConnId, SessionName};
use crate::matchmaker::Matchmaker;
use crate::regulator::{Regulator, Trigger};
use crate::store::{LoadSession, SaveDraft, Store};

pub use directory::{HubStopping, OpenSession, RestoreHandoffs, SessionDirectory};
pub use state::{
    AgentInfo, Assignment, AuditRecord, Draft, Escalation, EventKind, Notices, Refusal,
    SessionEvent, SessionHeader, SessionState, Speaker, TurnResult, Writer,
};

/// Shortest gap between two checks for an idle session.
const UNLOAD_CHECK_MIN: Duration = Duration::from_millis(10);

/// Longest gap between two checks for an idle session (an actor for a name that does not
/// exist lives at most this long).
const UNLOAD_CHECK_MAX: Duration = Duration::from_secs(1);

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

/// Why a session request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// No session has this name.
    #[error("no session is named {0}")]
    NotFound(SessionName),
    /// The request is not allowed in the session's state (409).
    #[error("{0}")]
    Refused(Refusal),
    /// The store did not commit the change; nothing changed.
    #[error("the change could not be stored: {0}")]
    Store(String),
    /// The session already has its limit of SSE subscribers.
    #[error("the session already has its limit of {0} event subscribers")]
    TooManySubscribers(usize),
    /// The desk the session was offered to has closed.
    #[error("the agent desk has closed")]
    DeskClosed,
}

/// Read the whole session.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct GetSession;

/// A user message through `/api/chat` or `/api/chat/stream`; creates the session if needed.
#[derive(Message, Clone)]
#[rtype(result = "Result<TurnOutcome, SessionError>")]
pub struct UserTurn {
    /// What the user wrote.
    pub text: String,
    /// A streaming turn: also hand over the events queued since the last streaming turn.
    pub stream: bool,
}

/// What a user turn did.
#[derive(Debug, Clone)]
pub struct TurnOutcome {
    /// The session's status after the turn.
    pub status: Status,
    /// Events queued for the user since the last streaming turn (streaming turns only).
    pub queued: Vec<SessionEvent>,
    /// The events this turn appended.
    pub appended: Vec<SessionEvent>,
    /// The bot's answer, when the bot answered.
    pub reply: Option<BotReply>,
    /// The regulator rule that escalated the session during the turn.
    pub trigger: Option<Trigger>,
}

/// Ask for a human: `bot_active → pending_manual`.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct Escalate {
    /// Why (`user_request`, ...).
    pub reason: String,
    /// Free text from the caller.
    pub details: Option<String>,
}

/// A message written during a handover.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct PostManualMessage {
    /// The user, or which agent.
    pub writer: Writer,
    /// The text.
    pub content: String,
    /// The writing agent's desk socket, to receive the session's events from now on.
    pub desk: Option<ConnHandle>,
}

/// An agent takes a `pending_manual` session.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct Claim {
    /// Who.
    pub agent: AgentInfo,
    /// The agent's desk socket, to receive the session's events from now on.
    pub desk: Option<ConnHandle>,
}

/// The agent hands the session back to the bot.
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<SessionState>, SessionError>")]
pub struct Release {
    /// The releasing agent, which must hold the session; `None` for the seed's REST call,
    /// which names nobody.
    pub by: Option<AgentInfo>,
}

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

/// Follow the session's events.
#[derive(Message, Clone)]
#[rtype(result = "Result<Subscription, SessionError>")]
pub struct Subscribe {
    /// Replay the events after this sequence number first (from `Last-Event-ID`); `None`
    /// follows only new events.
    pub after: Option<u64>,
}

/// A subscriber's view: what to replay, then the live events.
#[derive(Debug)]
pub struct Subscription {
    /// Events after the requested sequence number, in order.
    pub replay: Vec<SessionEvent>,
    /// Live events; ends when the subscriber falls behind or the session stops.
    pub live: mpsc::Receiver<SessionEvent>,
    /// The session's last sequence number when the subscription began.
    pub last_seq: u64,
}

/// The hub is shutting down: end every SSE stream of the session (they resume with
/// `Last-Event-ID` once the hub is back), and leave the handover as it is (desks closing with
/// the hub do not send the session back to the bot).
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct Stopping;

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
        let answered = saved
            .into_actor(self)
            .map(move |result, act, ctx| match result {
                Ok(Ok(draft)) => {
                    let state = act.applied(draft, ctx);
                    Ok(answer(act, state, ctx))
                }
                Ok(Err(error)) => {
                    log::error!("session {}: the store refused a change: {error}", act.name);
                    Err(SessionError::Store(error.to_string()))
                }
                Err(_) => Err(SessionError::Store("the store has stopped".into())),
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
        let draft = match self.existing() {
            Ok(state) => build(state),
            Err(error) => return failed(error),
        };
        self.commit(draft, |_, state, _| state)
    }

    fn claim(&mut self, msg: Claim) -> Atomic<Arc<SessionState>> {
        let now = Utc::now();
        let Claim { agent, desk } = msg;
        if desk.as_ref().is_some_and(|desk| !desk.is_connected()) {
            return failed(SessionError::DeskClosed);
        }
        let draft = match self.existing() {
            Ok(state) => state.claim(&agent, now).map(|draft| at_desk(draft, &desk)),
            Err(error) => return failed(error),
        };
        self.commit(draft, move |act, state, ctx| {
            act.attach_desk(desk, &state, Announce::Always, ctx);
            state
        })
    }

    /// The desk `conn_id` went away: if it was this session's, wait for the agent's next
    /// desk, and go back to the bot if none comes within the grace.
    fn desk_lost(&mut self, conn_id: ConnId, ctx: &mut Context<Self>) {
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
    fn await_desk(&self, ctx: &mut Context<Self>) {
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
    fn watch_desk(&mut self, ctx: &mut Context<Self>) {
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

    fn release_orphan(&mut self) -> Atomic<Arc<SessionState>> {
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

    fn manual_message(&mut self, msg: PostManualMessage) -> Atomic<Arc<SessionState>> {
        let PostManualMessage {
            writer,
            content,
            desk,
        } = msg;
        let desk = desk.filter(|_| matches!(writer, Writer::Agent(_)));
        let draft = match self.existing() {
            Ok(state) => state
                .manual_message(writer, content, Utc::now())
                .map(|draft| at_desk(draft, &desk)),
            Err(error) => return failed(error),
        };
        self.commit(draft, move |act, state, ctx| {
            act.attach_desk(desk, &state, Announce::WhenNew, ctx);
            state
        })
    }

    /// From now on the session's events also go to `desk` (the holder's desk socket), which
    /// first hears the whole session.
    fn attach_desk(
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

/// How a session held by an agent reaches the agent's desk.
enum DeskLink {
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
fn at_desk(mut draft: Draft, desk: &Option<ConnHandle>) -> Draft {
    if desk.is_some() {
        draft.header.at_desk = true;
    }
    draft
}

/// When a desk that takes a session hears `session_assigned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Announce {
    /// Every time (an explicit claim is always answered).
    Always,
    /// Only when the desk did not follow the session yet.
    WhenNew,
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
            .clamp(UNLOAD_CHECK_MIN, UNLOAD_CHECK_MAX);
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
