//! The rows of seed-001 conversations: one row per session (its header as JSON, its status and
//! sort key as columns), one row per log entry, one per audit record. Receives [`SaveSession`]
//! (a change, committed with the next batch), [`LoadSession`], [`LoadSessionPage`] (a session
//! with only some of its messages), [`ListSessions`] and [`ListAudit`]; answers with rows. The takeover room turns its sessions into these rows and
//! back; the store never parses them.

use actix::prelude::*;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use crate::kernel::ids::SessionName;
use crate::store::database::{Store, Write};
use crate::store::store_error::StoreError;

/// One change of a session: its header after the change, and the log entries and audit
/// records it appends.
#[derive(Debug, Clone)]
pub struct SessionWrite {
    /// The session.
    pub name: SessionName,
    /// Its status after the change (a column, for lists by status).
    pub status: &'static str,
    /// Its header after the change, as JSON.
    pub header: String,
    /// Its last sequence number after the change.
    pub last_seq: u64,
    /// When it was created, unix seconds.
    pub created_at: i64,
    /// When it last changed, unix seconds.
    pub updated_at: i64,
    /// Where it sorts in lists, milliseconds.
    pub order_key: i64,
    /// Log entries appended, in order.
    pub events: Vec<EventRow>,
    /// Audit records written.
    pub audit: Vec<AuditRow>,
}

/// One log entry.
#[derive(Debug, Clone)]
pub struct EventRow {
    /// Its sequence number; one session never reuses one.
    pub seq: u64,
    /// `message` or `status_change`.
    pub kind: &'static str,
    /// The entry as JSON.
    pub body: String,
    /// When, unix seconds.
    pub created_at: i64,
}

/// One audit record.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// `manual_escalate`, `manual_claim`, ...
    pub event: &'static str,
    /// The record as JSON.
    pub body: String,
    /// When, unix seconds.
    pub created_at: i64,
}

/// A stored session: its header and its whole log, as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The header row.
    pub header: String,
    /// The log entries, oldest first.
    pub events: Vec<String>,
}

/// A stored session with some of its messages, as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPage {
    /// The header row.
    pub header: String,
    /// Its last sequence number.
    pub last_seq: u64,
    /// How many messages it holds in all.
    pub total: usize,
    /// The messages asked for, newest first.
    pub newest_first: Vec<String>,
}

/// One row of a session list.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The session's name as stored.
    pub name: String,
    /// Its header, as JSON.
    pub header: String,
    /// Its last sequence number.
    pub last_seq: u64,
}

/// Some sessions, and how many match beyond the limit too.
#[derive(Debug, Clone)]
pub struct SessionRows {
    /// The rows asked for.
    pub rows: Vec<SessionRow>,
    /// How many sessions match.
    pub total: usize,
}

/// Store a session change. The answer is a receiver that yields once the change has committed
/// (or why it could not), sent the moment its transaction ends.
#[derive(Message)]
#[rtype(result = "oneshot::Receiver<Result<(), StoreError>>")]
pub struct SaveSession {
    /// The change.
    pub write: SessionWrite,
}

/// Read a session's header and whole log; `None` when it was never stored.
#[derive(Message)]
#[rtype(result = "Result<Option<StoredSession>, StoreError>")]
pub struct LoadSession {
    /// Which session.
    pub name: SessionName,
}

/// Read a session's header, its message count and its newest messages below a sequence
/// number, without the rest of its log; `None` when it was never stored.
#[derive(Message)]
#[rtype(result = "Result<Option<StoredPage>, StoreError>")]
pub struct LoadSessionPage {
    /// Which session.
    pub name: SessionName,
    /// Only messages with a smaller sequence number; the newest when `None`.
    pub before_seq: Option<u64>,
    /// At most this many messages.
    pub limit: usize,
}

/// List sessions by their sort key (when the handover was asked for, else the last change),
/// oldest first.
#[derive(Message)]
#[rtype(result = "Result<SessionRows, StoreError>")]
pub struct ListSessions {
    /// Only sessions with this status; all when `None`.
    pub status: Option<&'static str>,
    /// At most this many.
    pub limit: usize,
}

/// The audit records of one session as JSON, oldest first.
#[derive(Message)]
#[rtype(result = "Result<Vec<String>, StoreError>")]
pub struct ListAudit {
    /// Which session.
    pub name: SessionName,
    /// At most this many.
    pub limit: usize,
}

/// A session change waiting for the next commit, and who waits for it.
struct PendingSession {
    /// The change.
    write: SessionWrite,
    /// Told how the commit went.
    answer: oneshot::Sender<Result<(), StoreError>>,
}

impl Write for PendingSession {
    fn write(&self, tx: &Connection) -> Result<(), StoreError> {
        write_session(tx, &self.write)
    }

    fn done(self: Box<Self>, result: Result<(), StoreError>) {
        let _ = self.answer.send(result);
    }
}

/// Writes one change inside `tx`: the session row, its new entries and its audit records.
fn write_session(tx: &Connection, write: &SessionWrite) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sessions
             (name, status, header, last_seq, created_at, updated_at, order_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (name) DO UPDATE SET status = ?2, header = ?3,
             last_seq = MAX(last_seq, ?4), updated_at = ?6, order_key = ?7",
        params![
            write.name.as_str(),
            write.status,
            write.header,
            write.last_seq,
            write.created_at,
            write.updated_at,
            write.order_key,
        ],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO session_events (session_name, seq, kind, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for event in &write.events {
        insert.execute(params![
            write.name.as_str(),
            event.seq,
            event.kind,
            event.body,
            event.created_at,
        ])?;
    }
    let mut audit = tx.prepare_cached(
        "INSERT INTO audit_events (event, session_name, body, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for record in &write.audit {
        audit.execute(params![
            record.event,
            write.name.as_str(),
            record.body,
            record.created_at,
        ])?;
    }
    Ok(())
}

/// Reads a session's header and log.
fn load(conn: &Connection, name: &SessionName) -> Result<Option<StoredSession>, StoreError> {
    let header: Option<String> = conn
        .query_row(
            "SELECT header FROM sessions WHERE name = ?1",
            [name.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    let Some(header) = header else {
        return Ok(None);
    };
    let mut statement = conn
        .prepare_cached("SELECT body FROM session_events WHERE session_name = ?1 ORDER BY seq")?;
    let events = statement
        .query_map([name.as_str()], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(StoredSession { header, events }))
}

/// Reads a session's header, message count and the newest `limit` messages below `before_seq`.
fn load_page(conn: &Connection, msg: &LoadSessionPage) -> Result<Option<StoredPage>, StoreError> {
    let name = msg.name.as_str();
    let row: Option<(String, u64)> = conn
        .query_row(
            "SELECT header, last_seq FROM sessions WHERE name = ?1",
            [name],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((header, last_seq)) = row else {
        return Ok(None);
    };
    let total: usize = conn.query_row(
        "SELECT COUNT(*) FROM session_events WHERE session_name = ?1 AND kind = 'message'",
        [name],
        |row| row.get(0),
    )?;
    let before = msg
        .before_seq
        .map_or(i64::MAX, |seq| i64::try_from(seq).unwrap_or(i64::MAX));
    let mut statement = conn.prepare_cached(
        "SELECT body FROM session_events
         WHERE session_name = ?1 AND kind = 'message' AND seq < ?2
         ORDER BY seq DESC LIMIT ?3",
    )?;
    let newest_first = statement
        .query_map(params![name, before, msg.limit as i64], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(Some(StoredPage {
        header,
        last_seq,
        total,
        newest_first,
    }))
}

/// Lists sessions, oldest sort key first.
fn list(
    conn: &Connection,
    status: Option<&'static str>,
    limit: usize,
) -> Result<SessionRows, StoreError> {
    let total: usize = conn.query_row(
        "SELECT COUNT(*) FROM sessions WHERE ?1 IS NULL OR status = ?1",
        [status],
        |row| row.get(0),
    )?;
    let mut statement = conn.prepare_cached(
        "SELECT name, header, last_seq FROM sessions
         WHERE ?1 IS NULL OR status = ?1
         ORDER BY order_key, name LIMIT ?2",
    )?;
    let rows = statement
        .query_map(params![status, limit as i64], |row| {
            Ok(SessionRow {
                name: row.get(0)?,
                header: row.get(1)?,
                last_seq: row.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SessionRows { rows, total })
}

/// Reads a session's audit records.
fn audit(conn: &Connection, name: &SessionName, limit: usize) -> Result<Vec<String>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT body FROM audit_events WHERE session_name = ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = statement.query_map(params![name.as_str(), limit as i64], |row| row.get(0))?;
    Ok(rows.collect::<Result<Vec<String>, _>>()?)
}

impl Handler<SaveSession> for Store {
    type Result = MessageResult<SaveSession>;

    fn handle(&mut self, msg: SaveSession, ctx: &mut Self::Context) -> Self::Result {
        let (answer, committed) = oneshot::channel();
        let pending = PendingSession {
            write: msg.write,
            answer,
        };
        self.enqueue(Box::new(pending), ctx);
        MessageResult(committed)
    }
}

impl Handler<LoadSession> for Store {
    type Result = Result<Option<StoredSession>, StoreError>;

    fn handle(&mut self, msg: LoadSession, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        load(self.connection(), &msg.name)
    }
}

impl Handler<LoadSessionPage> for Store {
    type Result = Result<Option<StoredPage>, StoreError>;

    fn handle(&mut self, msg: LoadSessionPage, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        load_page(self.connection(), &msg)
    }
}

impl Handler<ListSessions> for Store {
    type Result = Result<SessionRows, StoreError>;

    fn handle(&mut self, msg: ListSessions, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        list(self.connection(), msg.status, msg.limit)
    }
}

impl Handler<ListAudit> for Store {
    type Result = Result<Vec<String>, StoreError>;

    fn handle(&mut self, msg: ListAudit, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        audit(self.connection(), &msg.name, msg.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::database::IN_MEMORY;

    fn name(text: &str) -> SessionName {
        SessionName::parse(text).expect("a valid name")
    }

    /// A change of `session` appending entry `seq` and one audit record.
    fn change(session: &str, status: &'static str, seq: u64) -> SessionWrite {
        SessionWrite {
            name: name(session),
            status,
            header: format!(r#"{{"status":"{status}"}}"#),
            last_seq: seq,
            created_at: 1,
            updated_at: seq as i64,
            order_key: seq as i64,
            events: vec![EventRow {
                seq,
                kind: "status_change",
                body: format!(r#"{{"seq":{seq}}}"#),
                created_at: seq as i64,
            }],
            audit: vec![AuditRow {
                event: "manual_escalate",
                body: format!(r#"{{"seq":{seq}}}"#),
                created_at: seq as i64,
            }],
        }
    }

    #[actix_rt::test]
    async fn changes_sent_together_commit_together_and_a_bad_one_fails_alone() {
        let store = Store::open(IN_MEMORY).expect("opens").start();
        let mut sent: Vec<_> = (0..10)
            .map(|i| {
                let write = change(&format!("together-{i}"), "pending_manual", 1);
                store.send(SaveSession { write })
            })
            .collect();
        let duplicate = change("together-3", "pending_manual", 1);
        sent.push(store.send(SaveSession { write: duplicate }));
        let mut answers = Vec::new();
        for request in sent {
            let commit = request.await.expect("the store takes the change");
            answers.push(commit.await.expect("the store answers"));
        }
        let stored = answers.iter().filter(|answer| answer.is_ok()).count();
        assert_eq!(stored, 10, "every good change committed");
        assert!(
            answers[10].is_err(),
            "the reused sequence number alone failed"
        );

        let listed = store
            .send(ListSessions {
                status: Some("pending_manual"),
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

    #[actix_rt::test]
    async fn a_session_loads_back_as_written_and_lists_by_status() {
        let store = Store::open(IN_MEMORY).expect("opens").start();
        for write in [
            change("s", "pending_manual", 1),
            change("s", "manual_live", 2),
        ] {
            let commit = store.send(SaveSession { write }).await.expect("alive");
            commit.await.expect("answered").expect("committed");
        }
        let loaded = store
            .send(LoadSession { name: name("s") })
            .await
            .expect("alive")
            .expect("reads")
            .expect("exists");
        assert_eq!(loaded.header, r#"{"status":"manual_live"}"#);
        assert_eq!(loaded.events, [r#"{"seq":1}"#, r#"{"seq":2}"#]);
        let missing = store
            .send(LoadSession {
                name: name("other"),
            })
            .await;
        assert_eq!(missing.expect("alive").expect("reads"), None);
        let live = store
            .send(ListSessions {
                status: Some("manual_live"),
                limit: 10,
            })
            .await
            .expect("alive")
            .expect("lists");
        assert_eq!((live.total, live.rows[0].last_seq), (1, 2));
    }
}
