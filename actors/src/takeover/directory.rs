//! SessionDirectory: the phone book of seed-001 sessions. Receives [`OpenSession`] (through
//! the [`Sessions`] handle the HTTP edge and agent desks use) and answers with the session's
//! actor, starting it (it loads itself from the store) when none is running; receives
//! [`FindSession`] and answers with the running actor only, so that a page of a session that
//! is not in memory is read from the store without loading its whole history; receives
//! [`RestoreHandoffs`] once at start and reopens every stored `pending_manual` session so that
//! it queues for an agent again, and every `manual_live` session held through a desk so that
//! it waits for that desk again; receives [`HubStopping`] at shutdown and passes it on to
//! every running session. It is on the control path only: callers keep the address for the
//! rest of the request.

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;

use actix::dev::ToEnvelope;

use crate::bot::answer::Backend;
use crate::kernel::ids::SessionName;
use crate::store::database::Store;
use crate::store::session_rows::{ListAudit, ListSessions};
use crate::takeover::board::HandoverBoard;
use crate::takeover::escalation::Status;
use crate::takeover::history::{PageRequest, SessionPage};
use crate::takeover::persist::{self, SessionList};
use crate::takeover::regulator::Regulator;
use crate::takeover::session::actor::Session;
use crate::takeover::session_requests::{GetPage, SessionError, Stopping};
use crate::takeover::takeover_config::TakeoverConfig;

/// Times a request is retried when its session actor stopped between lookup and request.
const SESSION_ATTEMPTS: usize = 3;

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

/// The actor of the session with this name, if one is running (none is started).
#[derive(Message)]
#[rtype(result = "Option<Addr<Session>>")]
pub struct FindSession {
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
    board: Addr<HandoverBoard>,
    /// Handed to every session.
    config: Arc<TakeoverConfig>,
    /// Built once from the config, handed to every session.
    regulator: Arc<Regulator>,
    /// The bot, handed to every session.
    backend: Backend,
}

impl SessionDirectory {
    /// An empty directory.
    pub fn new(
        store: Addr<Store>,
        board: Addr<HandoverBoard>,
        config: TakeoverConfig,
        backend: Backend,
    ) -> Self {
        SessionDirectory {
            sessions: HashMap::new(),
            store,
            board,
            regulator: Arc::new(config.regulator()),
            config: Arc::new(config),
            backend,
        }
    }

    fn open(&mut self, name: SessionName) -> Addr<Session> {
        if let Some(session) = self.sessions.get(&name).filter(|s| s.connected()) {
            return session.clone();
        }
        let session = Session::new(
            name.clone(),
            self.store.clone(),
            self.board.clone(),
            self.config.clone(),
            self.regulator.clone(),
            self.backend.clone(),
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

impl Handler<FindSession> for SessionDirectory {
    type Result = Option<Addr<Session>>;

    fn handle(&mut self, msg: FindSession, _: &mut Context<Self>) -> Self::Result {
        self.sessions
            .get(&msg.name)
            .filter(|session| session.connected())
            .cloned()
    }
}

impl Handler<RestoreHandoffs> for SessionDirectory {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: RestoreHandoffs, _: &mut Context<Self>) -> Self::Result {
        let store = self.store.clone();
        let both = async move {
            let pending = list_sessions(&store, Some(Status::PendingManual), RESTORE_LIMIT);
            let live = list_sessions(&store, Some(Status::ManualLive), RESTORE_LIMIT);
            (pending.await, live.await)
        };
        Box::pin(both.into_actor(self).map(|(pending, live), act, _| {
            let decoded = |listed: Result<Result<SessionList, SessionError>, _>| match listed {
                Ok(Ok(list)) => Ok(list),
                Ok(Err(error)) => Err(error.to_string()),
                Err(_) => Err("the store stopped first".to_owned()),
            };
            match decoded(pending) {
                Ok(list) => {
                    log::info!("{} sessions wait for an agent", list.total);
                    for summary in list.sessions {
                        act.open(summary.name);
                    }
                }
                Err(error) => log::error!("cannot list waiting handovers: {error}"),
            }
            match decoded(live) {
                Ok(list) => {
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
                Err(error) => log::error!("cannot list held sessions: {error}"),
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

/// How the HTTP edge and agent desks reach seed-001 sessions: ask one by name, read a page of
/// one, list them, read an audit log, tell them the hub is stopping. Cheap to clone.
#[derive(Clone)]
pub struct Sessions {
    /// Finds (or starts) a session's actor.
    directory: Addr<SessionDirectory>,
    /// Answers lists and audit logs.
    store: Addr<Store>,
}

impl Sessions {
    /// A handle over `directory`, reading lists from `store`.
    pub fn new(directory: Addr<SessionDirectory>, store: Addr<Store>) -> Self {
        Sessions { directory, store }
    }

    /// Sends `msg` to the session `name` (starting its actor if needed) and waits for the
    /// answer, once more if the actor unloaded itself in between.
    pub async fn ask<M>(&self, name: &SessionName, msg: M) -> Result<M::Result, MailboxError>
    where
        M: Message + Clone + Send + 'static,
        M::Result: Send,
        Session: Handler<M>,
        <Session as Actor>::Context: ToEnvelope<Session, M>,
    {
        let mut last = MailboxError::Closed;
        for _ in 0..SESSION_ATTEMPTS {
            let session = self
                .directory
                .send(OpenSession { name: name.clone() })
                .await?;
            match session.send(msg.clone()).await {
                Err(MailboxError::Closed) => last = MailboxError::Closed,
                answer => return answer,
            }
        }
        Err(last)
    }

    /// Session `name` with the page `request` of its history: from its actor when it is in
    /// memory, else straight from the store, which reads only that page (the session is not
    /// loaded).
    pub async fn page(
        &self,
        name: &SessionName,
        request: PageRequest,
    ) -> Result<Result<SessionPage, SessionError>, MailboxError> {
        let running = self
            .directory
            .send(FindSession { name: name.clone() })
            .await?;
        if let Some(session) = running {
            match session.send(GetPage { page: request }).await {
                Err(MailboxError::Closed) => {}
                answer => return answer,
            }
        }
        let stored = self
            .store
            .send(persist::page_query(name.clone(), request))
            .await?;
        Ok(match stored {
            Ok(Some(stored)) => {
                persist::session_page(name.clone(), request, stored).map_err(unavailable)
            }
            Ok(None) => Err(SessionError::NotFound(name.clone())),
            Err(error) => Err(unavailable(error)),
        })
    }

    /// The sessions with `status` (all when `None`), the longest-waiting handover first,
    /// others least recently changed first; at most `limit`, with the total count.
    pub async fn list(
        &self,
        status: Option<Status>,
        limit: usize,
    ) -> Result<Result<SessionList, SessionError>, MailboxError> {
        list_sessions(&self.store, status, limit).await
    }

    /// The audit records of session `name` as JSON, oldest first, at most `limit`.
    pub async fn audit(
        &self,
        name: &SessionName,
        limit: usize,
    ) -> Result<Result<Vec<serde_json::Value>, SessionError>, MailboxError> {
        let bodies = self
            .store
            .send(ListAudit {
                name: name.clone(),
                limit,
            })
            .await?;
        Ok(bodies.map_err(unavailable).and_then(|bodies| {
            bodies
                .iter()
                .map(|body| serde_json::from_str(body).map_err(unavailable))
                .collect()
        }))
    }

    /// The hub is shutting down: every running session ends its SSE streams and keeps its
    /// handover as it is.
    pub fn hub_stopping(&self) {
        self.directory.do_send(HubStopping);
    }
}

/// The sessions with `status` (all when `None`) as the store lists them, at most `limit`, read
/// back as summaries: for the HTTP edge's lists and the restore at start alike.
async fn list_sessions(
    store: &Addr<Store>,
    status: Option<Status>,
    limit: usize,
) -> Result<Result<SessionList, SessionError>, MailboxError> {
    let rows = store
        .send(ListSessions {
            status: status.map(Status::as_str),
            limit,
        })
        .await?;
    Ok(rows
        .map_err(unavailable)
        .and_then(|rows| persist::session_list(rows).map_err(unavailable)))
}

/// A failure to read the store, as a session request's error.
fn unavailable(error: impl std::fmt::Display) -> SessionError {
    SessionError::Store(error.to_string())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::bot::bot_config::BotConfig;
    use crate::store::database::IN_MEMORY;
    use crate::takeover::session_requests::{UserTurn, answer_ending};

    /// How long a quiet session stays loaded in this test.
    const IDLE: Duration = Duration::from_secs(2);

    /// A session directory and its handle over an in-memory store, all on the test's thread.
    fn sessions() -> (Addr<SessionDirectory>, Sessions) {
        let store = Store::open(IN_MEMORY).expect("opens").start();
        let config = TakeoverConfig {
            session_idle_timeout: IDLE,
            ..TakeoverConfig::default()
        };
        let board = HandoverBoard::default().start();
        let backend = Backend::new(
            Arc::new(BotConfig::default()),
            crate::kernel::timings::Timings::default(),
        );
        let directory = SessionDirectory::new(store.clone(), board, config, backend).start();
        (directory.clone(), Sessions::new(directory, store))
    }

    async fn running(directory: &Addr<SessionDirectory>, name: &SessionName) -> bool {
        let found = directory.send(FindSession { name: name.clone() }).await;
        found.expect("the directory answers").is_some()
    }

    async fn page(sessions: &Sessions, name: &SessionName, request: PageRequest) -> SessionPage {
        let answer = sessions.page(name, request).await;
        answer.expect("answered").expect("the session exists")
    }

    #[actix_rt::test]
    async fn a_page_of_an_unloaded_session_comes_from_the_store_without_loading_it() {
        tokio::time::pause();
        let (directory, sessions) = sessions();
        let name = SessionName::parse("paged").expect("valid");
        for index in 0..6 {
            let turn = UserTurn {
                text: format!("hello {index}"),
                stream: false,
                owner: None,
                owner_only: false,
            };
            let answer = sessions.ask(&name, turn).await;
            let outcome = answer.expect("answered").expect("the turn is taken");
            let mut answer = outcome.answer.expect("the bot answers");
            let ending = answer_ending(&mut answer).await.expect("the answer ends");
            ending.stored.expect("the answer is stored");
        }
        let requests = [
            PageRequest::latest(),
            PageRequest {
                before_seq: Some(8),
                limit: 3,
            },
        ];
        let mut in_memory = Vec::new();
        for request in requests {
            in_memory.push(page(&sessions, &name, request).await);
        }
        assert_eq!(in_memory[0].total, 12);
        assert!(running(&directory, &name).await, "loaded by its turns");

        tokio::time::sleep(IDLE * 2).await;
        assert!(!running(&directory, &name).await, "unloaded while quiet");
        for (request, expected) in requests.into_iter().zip(&in_memory) {
            assert_eq!(&page(&sessions, &name, request).await, expected);
        }
        assert!(
            !running(&directory, &name).await,
            "reading a page did not load the session"
        );
        let missing = SessionName::parse("missing").expect("valid");
        let answer = sessions.page(&missing, PageRequest::latest()).await;
        assert_eq!(
            answer.expect("answered"),
            Err(SessionError::NotFound(missing))
        );
    }

    #[actix_rt::test]
    async fn two_customers_starting_one_name_at_once_cannot_both_get_in() {
        let (_, sessions) = sessions();
        let name = SessionName::parse("contested").expect("valid");
        let turn = |owner: &str| UserTurn {
            text: "hello".into(),
            stream: false,
            owner: Some(owner.into()),
            owner_only: true,
        };
        let (ann, bob) = futures_util::future::join(
            sessions.ask(&name, turn("ann")),
            sessions.ask(&name, turn("bob")),
        )
        .await;
        let (ann, bob) = (ann.expect("answered"), bob.expect("answered"));
        assert!(ann.is_ok(), "the first line starts the session for ann");
        assert!(
            matches!(bob, Err(SessionError::NotYours(_))),
            "bob's line is refused: {bob:?}"
        );
        let again = sessions.ask(&name, turn("ann")).await.expect("answered");
        assert!(again.is_ok(), "ann goes on");
    }
}
