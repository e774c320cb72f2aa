//! Store: SQLite on a thread of its own, so that no async actor ever blocks on disk. Receives
//! [`LoadSession`], [`SaveDraft`], [`ListSessions`], [`ListAudit`], [`RecordCall`],
//! [`RecordCallEnd`] and [`Checkpoint`]; answers with what it read or whether the write
//! committed. A write is acknowledged only after its transaction commits (WAL journal,
//! `synchronous=FULL`), so whatever a client was told succeeded survives a crash or restart.
//!
//! Writes are batched (group commit): the drafts and call records that arrive while the store
//! is busy are committed together in one transaction, one disk sync for all of them, as soon
//! as the store has read everything waiting in its mailbox (or when 256 wait). Each draft's
//! sender is answered the moment the transaction ends. Each write runs in a savepoint of its
//! own, so one bad draft fails alone and the others still commit. A read first commits what
//! is pending, so it always sees every write sent before it. The store is an ordinary actor alone on its
//! own arbiter thread rather than a `SyncArbiter` actor: it blocks only that thread, like a
//! sync actor would, but it can let its mailbox fill before it commits, which a sync actor,
//! handed one message at a time, cannot.

mod schema;

use std::path::Path;

use actix::prelude::*;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use crate::escalation::Status;
use crate::ids::{CallId, SessionId, SessionName};
use crate::session::{Draft, SessionEvent, SessionHeader, SessionState};

pub use schema::SchemaError;

/// The path that keeps everything in memory (lost when the hub stops).
pub const IN_MEMORY: &str = ":memory:";

/// Why the store could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored row is not in the expected shape.
    #[error("corrupt row: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// The schema could not be migrated.
    #[error("schema: {0}")]
    Schema(#[from] SchemaError),
    /// A stored session name is not a valid one.
    #[error("corrupt session name {0:?}")]
    CorruptName(String),
    /// The store stopped before it answered.
    #[error("the store has stopped")]
    Stopped,
    /// The transaction holding the write could not commit.
    #[error("commit failed: {0}")]
    Commit(String),
    /// The database directory could not be created.
    #[error("cannot create {path}: {source}")]
    Directory {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Most writes committed together; when this many wait, the store commits at once.
const MAX_BATCH: usize = 256;

/// A write waiting for the next commit.
enum Pending {
    /// A session draft, and who waits for its commit.
    Draft(Draft, oneshot::Sender<Result<Draft, StoreError>>),
    /// A seed-000 call was matched.
    CallStarted(RecordCall),
    /// A seed-000 call ended.
    CallEnded(RecordCallEnd),
}

impl Pending {
    /// Writes it inside `tx`.
    fn write(&self, tx: &Connection) -> Result<(), StoreError> {
        match self {
            Pending::Draft(draft, _) => write_draft(tx, draft),
            Pending::CallStarted(call) => write_call(tx, call),
            Pending::CallEnded(end) => write_call_end(tx, end),
        }
    }

    /// Tells whoever waits how the commit went (call records only log a failure).
    fn done(self, result: Result<(), StoreError>) {
        match (self, result) {
            (Pending::Draft(draft, answer), result) => {
                let _ = answer.send(result.map(|()| draft));
            }
            (_, Ok(())) => {}
            (Pending::CallStarted(call), Err(error)) => {
                log::error!("could not store call {}: {error}", call.session_id);
            }
            (Pending::CallEnded(end), Err(error)) => {
                log::error!(
                    "could not store the end of call {}: {error}",
                    end.session_id
                );
            }
        }
    }
}

/// The store actor: one SQLite connection and the writes waiting for the next commit.
pub struct Store {
    /// The open database.
    conn: Connection,
    /// Writes received since the last commit.
    pending: Vec<Pending>,
    /// A commit of `pending` is scheduled.
    commit_scheduled: bool,
}

impl Actor for Store {
    type Context = Context<Self>;
}

impl Store {
    /// Opens (creating the file and its directory if needed) and migrates the database at
    /// `path`, then starts the store on a thread of its own, which it returns too, to be
    /// stopped when the hub has stopped. `:memory:` keeps everything in memory.
    pub fn start(path: &str) -> Result<(Addr<Store>, ArbiterHandle), StoreError> {
        let conn = open(path)?;
        let thread = Arbiter::new().handle();
        let store = Store::start_in_arbiter(&thread, move |_| Store::with_connection(conn));
        Ok((store, thread))
    }

    fn with_connection(conn: Connection) -> Store {
        Store {
            conn,
            pending: Vec::new(),
            commit_scheduled: false,
        }
    }

    /// Queues a write for the next commit, which runs as soon as the mailbox has been read
    /// (or at once when [`MAX_BATCH`] writes wait).
    fn enqueue(&mut self, write: Pending, ctx: &mut Context<Self>) {
        self.pending.push(write);
        if self.pending.len() >= MAX_BATCH {
            self.commit_pending();
        } else if !std::mem::replace(&mut self.commit_scheduled, true) {
            ctx.spawn(fut::ready(()).map(|(), act: &mut Store, _| act.commit_pending()));
        }
    }

    /// Commits every pending write in one transaction and tells whoever waits. Each write
    /// runs inside a savepoint of its own, so a write that fails is undone alone and the
    /// others still commit, with one disk sync for the batch. The answers go out at once,
    /// whatever else waits in the mailbox.
    fn commit_pending(&mut self) {
        self.commit_scheduled = false;
        let batch = std::mem::take(&mut self.pending);
        if batch.is_empty() {
            return;
        }
        let outcome = self
            .conn
            .transaction()
            .map_err(StoreError::from)
            .and_then(|mut tx| {
                let written = batch
                    .iter()
                    .map(|write| {
                        let savepoint = tx.savepoint()?;
                        write.write(&savepoint)?;
                        savepoint.commit()?;
                        Ok(())
                    })
                    .collect::<Vec<Result<(), StoreError>>>();
                tx.commit()?;
                Ok(written)
            });
        match outcome {
            Ok(written) => {
                for (write, result) in batch.into_iter().zip(written) {
                    write.done(result);
                }
            }
            Err(error) => {
                let detail = error.to_string();
                for write in batch {
                    write.done(Err(StoreError::Commit(detail.clone())));
                }
            }
        }
    }

    fn load(&self, name: &SessionName) -> Result<Option<SessionState>, StoreError> {
        let header: Option<String> = self
            .conn
            .query_row(
                "SELECT header FROM sessions WHERE name = ?1",
                [name.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        let Some(header) = header else {
            return Ok(None);
        };
        let header: SessionHeader = serde_json::from_str(&header)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT body FROM session_events WHERE session_name = ?1 ORDER BY seq",
        )?;
        let events = statement
            .query_map([name.as_str()], |row| row.get::<_, String>(0))?
            .map(|body| Ok(serde_json::from_str::<SessionEvent>(&body?)?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(SessionState {
            name: name.clone(),
            header,
            events,
        }))
    }

    fn list(&self, status: Option<Status>, limit: usize) -> Result<SessionList, StoreError> {
        let status = status.map(Status::as_str);
        let total: usize = self.conn.query_row(
            "SELECT COUNT(*) FROM sessions WHERE ?1 IS NULL OR status = ?1",
            [status],
            |row| row.get(0),
        )?;
        let mut statement = self.conn.prepare_cached(
            "SELECT name, header, last_seq FROM sessions
             WHERE ?1 IS NULL OR status = ?1
             ORDER BY order_key, name LIMIT ?2",
        )?;
        let rows = statement.query_map(params![status, limit as i64], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, u64>(2)?,
            ))
        })?;
        let sessions = rows
            .map(|row| {
                let (name, header, last_seq) = row?;
                Ok(SessionSummary {
                    name: SessionName::parse(&name).map_err(|_| StoreError::CorruptName(name))?,
                    header: serde_json::from_str(&header)?,
                    last_seq,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(SessionList { sessions, total })
    }

    fn audit(
        &self,
        name: &SessionName,
        limit: usize,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT body FROM audit_events WHERE session_name = ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = statement.query_map(params![name.as_str(), limit as i64], |row| {
            row.get::<_, String>(0)
        })?;
        rows.map(|body| Ok(serde_json::from_str(&body?)?)).collect()
    }
}

/// Writes the row of a matched call.
fn write_call(conn: &Connection, call: &RecordCall) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO calls (session_id, customer_call_id, agent_call_id,
             customer_name, agent_name, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            call.session_id.to_string(),
            call.customer_call_id.as_str(),
            call.agent_call_id.as_str(),
            call.customer_name,
            call.agent_name,
            call.started_at.to_rfc3339(),
        ],
    )?;
    Ok(())
}

/// Writes the end of a call into its row.
fn write_call_end(conn: &Connection, end: &RecordCallEnd) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE calls SET ended_at = ?2, end_reason = ?3 WHERE session_id = ?1",
        params![
            end.session_id.to_string(),
            end.ended_at.to_rfc3339(),
            end.reason
        ],
    )?;
    Ok(())
}

/// Writes one draft inside `tx`: the session row, its new events and its audit records.
fn write_draft(tx: &Connection, draft: &Draft) -> Result<(), StoreError> {
    let last_seq = draft.events.last().map(|e| e.seq);
    tx.execute(
        "INSERT INTO sessions
             (name, status, header, last_seq, created_at, updated_at, order_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (name) DO UPDATE SET status = ?2, header = ?3,
             last_seq = MAX(last_seq, ?4), updated_at = ?6, order_key = ?7",
        params![
            draft.name.as_str(),
            draft.header.status.as_str(),
            serde_json::to_string(&draft.header)?,
            last_seq.unwrap_or(0),
            draft.header.created_at.timestamp(),
            draft.header.updated_at.timestamp(),
            order_key(&draft.header),
        ],
    )?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO session_events (session_name, seq, kind, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for event in &draft.events {
            let kind = match event.kind {
                crate::session::EventKind::Message { .. } => "message",
                crate::session::EventKind::StatusChange { .. } => "status_change",
            };
            insert.execute(params![
                draft.name.as_str(),
                event.seq,
                kind,
                serde_json::to_string(event)?,
                event.timestamp.timestamp(),
            ])?;
        }
        let mut audit = tx.prepare_cached(
            "INSERT INTO audit_events (event, session_name, body, created_at)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for record in &draft.audit {
            audit.execute(params![
                record.event,
                record.session_name.as_str(),
                serde_json::to_string(record)?,
                record.timestamp.timestamp(),
            ])?;
        }
    }
    Ok(())
}

/// Where a session sorts in lists, in milliseconds: when its current handover was asked for
/// (so the longest-waiting comes first, however often its user writes meanwhile), else its
/// last change.
fn order_key(header: &SessionHeader) -> i64 {
    header
        .escalation
        .as_ref()
        .map_or(header.updated_at, |escalation| escalation.trigger_at)
        .timestamp_millis()
}

/// Opens and prepares the database at `path`.
fn open(path: &str) -> Result<Connection, StoreError> {
    let mut conn = if path == IN_MEMORY {
        Connection::open_in_memory()?
    } else {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
                path: dir.display().to_string(),
                source,
            })?;
        }
        Connection::open(path)?
    };
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// Read a session and its whole log; `None` when it was never stored.
#[derive(Message)]
#[rtype(result = "Result<Option<SessionState>, StoreError>")]
pub struct LoadSession {
    /// Which session.
    pub name: SessionName,
}

/// Store a draft. The answer is a receiver that yields the draft once it has committed (or
/// why it could not), sent the moment its transaction ends.
#[derive(Message)]
#[rtype(result = "oneshot::Receiver<Result<Draft, StoreError>>")]
pub struct SaveDraft {
    /// The changes.
    pub draft: Draft,
}

/// One row of a session list.
#[derive(Debug, Clone)]
pub struct SessionSummary {
    /// The session.
    pub name: SessionName,
    /// Its status, escalation and agent.
    pub header: SessionHeader,
    /// Its last sequence number.
    pub last_seq: u64,
}

/// Some of the sessions in a status, and how many there are.
#[derive(Debug, Clone)]
pub struct SessionList {
    /// The rows asked for.
    pub sessions: Vec<SessionSummary>,
    /// How many sessions match, beyond the limit too.
    pub total: usize,
}

/// List sessions: escalated ones by when their handover was asked for (the longest-waiting
/// first), the others least recently changed first.
#[derive(Message)]
#[rtype(result = "Result<SessionList, StoreError>")]
pub struct ListSessions {
    /// Only sessions with this status; all when `None`.
    pub status: Option<Status>,
    /// At most this many.
    pub limit: usize,
}

/// The audit records of one session, oldest first.
#[derive(Message)]
#[rtype(result = "Result<Vec<serde_json::Value>, StoreError>")]
pub struct ListAudit {
    /// Which session.
    pub name: SessionName,
    /// At most this many.
    pub limit: usize,
}

/// A seed-000 call was matched. Fire and forget: a failure is logged.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RecordCall {
    /// The call's id.
    pub session_id: SessionId,
    /// The customer's leg.
    pub customer_call_id: CallId,
    /// The agent's leg.
    pub agent_call_id: CallId,
    /// The customer's display name.
    pub customer_name: String,
    /// The agent's display name.
    pub agent_name: String,
    /// When the legs were paired.
    pub started_at: DateTime<Utc>,
}

/// A seed-000 call ended. Fire and forget: a failure is logged.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RecordCallEnd {
    /// The call's id.
    pub session_id: SessionId,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
    /// Why (`customer_hung_up`, ...).
    pub reason: &'static str,
}

/// Fold the write-ahead log into the database file (at shutdown).
#[derive(Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Checkpoint;

impl Handler<LoadSession> for Store {
    type Result = Result<Option<SessionState>, StoreError>;

    fn handle(&mut self, msg: LoadSession, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        self.load(&msg.name)
    }
}

impl Handler<SaveDraft> for Store {
    type Result = MessageResult<SaveDraft>;

    fn handle(&mut self, msg: SaveDraft, ctx: &mut Self::Context) -> Self::Result {
        let (answer, committed) = oneshot::channel();
        self.enqueue(Pending::Draft(msg.draft, answer), ctx);
        MessageResult(committed)
    }
}

impl Handler<ListSessions> for Store {
    type Result = Result<SessionList, StoreError>;

    fn handle(&mut self, msg: ListSessions, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        self.list(msg.status, msg.limit)
    }
}

impl Handler<ListAudit> for Store {
    type Result = Result<Vec<serde_json::Value>, StoreError>;

    fn handle(&mut self, msg: ListAudit, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        self.audit(&msg.name, msg.limit)
    }
}

impl Handler<RecordCall> for Store {
    type Result = ();

    fn handle(&mut self, msg: RecordCall, ctx: &mut Self::Context) {
        self.enqueue(Pending::CallStarted(msg), ctx);
    }
}

impl Handler<RecordCallEnd> for Store {
    type Result = ();

    fn handle(&mut self, msg: RecordCallEnd, ctx: &mut Self::Context) {
        self.enqueue(Pending::CallEnded(msg), ctx);
    }
}

impl Handler<Checkpoint> for Store {
    type Result = Result<(), StoreError>;

    fn handle(&mut self, _: Checkpoint, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .optional()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regulator::Regulator;
    use crate::session::{AgentInfo, Notices, Writer};

    fn store() -> Store {
        Store::with_connection(open(IN_MEMORY).expect("an in-memory database opens"))
    }

    fn name(text: &str) -> SessionName {
        SessionName::parse(text).expect("a valid name")
    }

    fn notices() -> Notices {
        Notices {
            escalated: "connecting you".into(),
            released: "the bot is back".into(),
            agent_lost: "the agent is gone".into(),
        }
    }

    /// Commits `draft` alone.
    fn commit(store: &mut Store, draft: &Draft) -> Result<(), StoreError> {
        let tx = store.conn.transaction()?;
        write_draft(&tx, draft)?;
        tx.commit()?;
        Ok(())
    }

    /// Applies `draft` to `state` after saving it, as the Session does.
    fn save(store: &mut Store, state: &mut SessionState, draft: Draft) {
        commit(store, &draft).expect("the draft commits");
        state.apply(draft);
    }

    #[test]
    fn a_saved_session_loads_back_identically() {
        let mut store = store();
        let now = Utc::now();
        let mut state = SessionState::new(name("s1"), now);
        let (mut draft, _) = state.user_turn(
            "hello".into(),
            &Regulator::default(),
            &notices(),
            crate::bot::builtin::reply,
            now,
        );
        draft.creates = true;
        save(&mut store, &mut state, draft);
        let draft = state
            .escalate("user_request".into(), None, now)
            .expect("legal");
        save(&mut store, &mut state, draft);
        let agent = AgentInfo {
            agent_id: "a1".into(),
            agent_name: "小王".into(),
        };
        let draft = state
            .manual_message(Writer::Agent(agent), "您好".into(), now)
            .expect("the first agent message claims");
        save(&mut store, &mut state, draft);

        let loaded = store.load(&state.name).expect("loads").expect("exists");
        assert_eq!(loaded, state);
        assert_eq!(loaded.last_seq(), 5);
        assert_eq!(store.load(&name("other")).expect("loads"), None);

        let live = store.list(Some(Status::ManualLive), 10).expect("lists");
        assert_eq!(live.total, 1);
        assert_eq!(live.sessions[0].last_seq, 5);
        assert_eq!(
            store
                .list(Some(Status::PendingManual), 10)
                .expect("lists")
                .total,
            0
        );

        let audit = store.audit(&state.name, 10).expect("reads audit");
        let events: Vec<_> = audit.iter().map(|record| record["event"].clone()).collect();
        assert_eq!(
            events,
            ["manual_escalate", "manual_claim", "manual_message"]
        );
    }

    #[test]
    fn a_reused_sequence_number_is_refused_and_nothing_of_the_draft_is_kept() {
        let mut store = store();
        let now = Utc::now();
        let mut state = SessionState::new(name("s2"), now);
        let draft = state
            .escalate("user_request".into(), None, now)
            .expect("legal");
        let stale = draft.clone();
        save(&mut store, &mut state, draft);
        assert!(commit(&mut store, &stale).is_err(), "seq 1 is taken");
        let audit = store.audit(&state.name, 10).expect("reads audit");
        assert_eq!(
            audit.len(),
            1,
            "the failed transaction left no audit record"
        );
    }

    #[test]
    fn calls_are_recorded_and_closed() {
        let store = store();
        let session_id = SessionId::generate();
        let call = RecordCall {
            session_id,
            customer_call_id: CallId::generate(),
            agent_call_id: CallId::generate(),
            customer_name: "C".into(),
            agent_name: "A".into(),
            started_at: Utc::now(),
        };
        write_call(&store.conn, &call).expect("the call is stored");
        let end_reason = || -> Option<String> {
            store
                .conn
                .query_row(
                    "SELECT end_reason FROM calls WHERE session_id = ?1",
                    [session_id.to_string()],
                    |row| row.get(0),
                )
                .expect("the call row exists")
        };
        assert_eq!(end_reason(), None);
        let end = RecordCallEnd {
            session_id,
            ended_at: Utc::now(),
            reason: "ended_via_api",
        };
        write_call_end(&store.conn, &end).expect("the end is stored");
        assert_eq!(end_reason().as_deref(), Some("ended_via_api"));
    }

    #[test]
    fn a_file_database_keeps_its_data_across_opens() {
        let path =
            std::env::temp_dir().join(format!("switchboard-store-{}.db", uuid::Uuid::new_v4()));
        let path_text = path.display().to_string();
        let now = Utc::now();
        let mut state = SessionState::new(name("kept"), now);
        {
            let mut store = Store::with_connection(open(&path_text).expect("opens"));
            let draft = state
                .escalate("user_request".into(), None, now)
                .expect("legal");
            save(&mut store, &mut state, draft);
        }
        let store = Store::with_connection(open(&path_text).expect("reopens"));
        assert_eq!(store.load(&state.name).expect("loads"), Some(state));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path_text}{suffix}"));
        }
    }

    #[actix_rt::test]
    async fn drafts_sent_together_commit_together_and_a_bad_one_fails_alone() {
        let (store, _) = Store::start(IN_MEMORY).expect("an in-memory store opens");
        let now = Utc::now();
        let drafts: Vec<Draft> = (0..10)
            .map(|i| {
                SessionState::new(name(&format!("together-{i}")), now)
                    .escalate("user_request".into(), None, now)
                    .expect("legal")
            })
            .collect();
        let duplicate = drafts[3].clone();
        let mut sent: Vec<_> = drafts
            .into_iter()
            .map(|draft| store.send(SaveDraft { draft }))
            .collect();
        sent.push(store.send(SaveDraft { draft: duplicate }));
        let mut answers = Vec::new();
        for request in sent {
            let commit = request.await.expect("the store takes the draft");
            answers.push(commit.await.expect("the store answers"));
        }
        let (stored, refused): (Vec<_>, Vec<_>) = answers.iter().partition(|a| a.is_ok());
        assert_eq!(stored.len(), 10, "every good draft committed");
        assert_eq!(refused.len(), 1, "the duplicate alone failed");
        assert!(answers[10].is_err(), "and it was the duplicate");

        let listed = store
            .send(ListSessions {
                status: Some(Status::PendingManual),
                limit: 100,
            })
            .await
            .expect("the store answers")
            .expect("lists");
        assert_eq!(listed.total, 10);
        let audit = store
            .send(ListAudit {
                name: name("together-3"),
                limit: 10,
            })
            .await
            .expect("the store answers")
            .expect("reads audit");
        assert_eq!(audit.len(), 1, "the failed duplicate left no second record");
    }
}
