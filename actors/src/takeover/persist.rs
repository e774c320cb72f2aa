//! How a seed-001 session is kept in the store. Receives a [`Draft`] and sends back the rows
//! that record it ([`session_write`]); receives rows read back and sends back the session
//! ([`session_state`]), a page of it ([`page_query`], [`session_page`]) or the summaries of a
//! list ([`session_list`]). The store sees JSON text
//! and a few columns; the shapes are decided here.

use chrono::{DateTime, Utc};

use crate::kernel::ids::SessionName;
use crate::store::session_rows::{
    AuditRow, EventRow, LoadSessionPage, SessionRows, SessionWrite, StoredPage, StoredSession,
};
use crate::takeover::draft::Draft;
use crate::takeover::history::{self, PageRequest, SessionPage};
use crate::takeover::model::{EventKind, SessionEvent, SessionHeader, SessionState};

/// Why stored rows could not be read back as a session.
#[derive(Debug, thiserror::Error)]
pub enum CorruptRow {
    /// A row is not in the expected shape.
    #[error("corrupt row: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored session name is not a valid one.
    #[error("corrupt session name {0:?}")]
    Name(String),
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

/// The rows that record `draft`.
pub fn session_write(draft: &Draft) -> Result<SessionWrite, serde_json::Error> {
    let events = draft
        .events
        .iter()
        .map(|event| {
            Ok(EventRow {
                seq: event.seq,
                kind: match event.kind {
                    EventKind::Message { .. } => "message",
                    EventKind::StatusChange { .. } => "status_change",
                },
                body: serde_json::to_string(event)?,
                created_at: event.timestamp.timestamp(),
            })
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()?;
    let audit = draft
        .audit
        .iter()
        .map(|record| {
            Ok(AuditRow {
                event: record.event,
                body: serde_json::to_string(record)?,
                created_at: record.timestamp.timestamp(),
            })
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()?;
    Ok(SessionWrite {
        name: draft.name.clone(),
        status: draft.header.status.as_str(),
        header: serde_json::to_string(&draft.header)?,
        last_seq: draft.events.last().map_or(0, |event| event.seq),
        created_at: draft.header.created_at.timestamp(),
        updated_at: draft.header.updated_at.timestamp(),
        order_key: order_key(&draft.header),
        events,
        audit,
    })
}

/// The session `name` as it was stored.
pub fn session_state(name: SessionName, stored: StoredSession) -> Result<SessionState, CorruptRow> {
    let header: SessionHeader = serde_json::from_str(&stored.header)?;
    let events = stored
        .events
        .iter()
        .map(|body| serde_json::from_str::<SessionEvent>(body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SessionState {
        name,
        header,
        events,
    })
}

/// What the store is asked for the page `request` of session `name`: one message more than
/// the page holds, which tells whether an older page exists.
pub fn page_query(name: SessionName, request: PageRequest) -> LoadSessionPage {
    LoadSessionPage {
        name,
        before_seq: request.before_seq,
        limit: request.limit.saturating_add(1),
    }
}

/// The page `request` of session `name`, from the rows [`page_query`] read.
pub fn session_page(
    name: SessionName,
    request: PageRequest,
    stored: StoredPage,
) -> Result<SessionPage, CorruptRow> {
    let newest_first = stored
        .newest_first
        .iter()
        .map(|body| serde_json::from_str::<SessionEvent>(body))
        .collect::<Result<Vec<_>, _>>()?;
    let (messages, next_before_seq) = history::window(&newest_first, request.limit);
    Ok(SessionPage {
        name,
        header: serde_json::from_str(&stored.header)?,
        last_seq: stored.last_seq,
        messages,
        total: stored.total,
        next_before_seq,
    })
}

/// The summaries of a list of stored sessions.
pub fn session_list(rows: SessionRows) -> Result<SessionList, CorruptRow> {
    let sessions = rows
        .rows
        .into_iter()
        .map(|row| {
            Ok(SessionSummary {
                name: SessionName::parse(&row.name).map_err(|_| CorruptRow::Name(row.name))?,
                header: serde_json::from_str(&row.header)?,
                last_seq: row.last_seq,
            })
        })
        .collect::<Result<_, CorruptRow>>()?;
    Ok(SessionList {
        sessions,
        total: rows.total,
    })
}

/// Where a session sorts in lists, in milliseconds: when its current handover was asked for
/// (so the longest-waiting comes first, however often its user writes meanwhile), else its
/// last change.
fn order_key(header: &SessionHeader) -> i64 {
    let at: DateTime<Utc> = header
        .escalation
        .as_ref()
        .map_or(header.updated_at, |escalation| escalation.trigger_at);
    at.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::IN_MEMORY;
    use crate::store::database::Store;
    use crate::store::session_rows::{ListAudit, ListSessions, LoadSession, SaveSession};
    use crate::takeover::chat_turn::AnswerEnd;
    use crate::takeover::escalation::Status;
    use crate::takeover::model::AgentInfo;
    use crate::takeover::operations::Writer;
    use crate::takeover::regulator::Regulator;
    use actix::prelude::*;

    fn name(text: &str) -> SessionName {
        SessionName::parse(text).expect("a valid name")
    }

    /// Stores `draft` and applies it to `state`, as the Session does.
    async fn save(store: &Addr<Store>, state: &mut SessionState, draft: Draft) {
        let write = session_write(&draft).expect("encodes");
        let commit = store.send(SaveSession { write }).await.expect("alive");
        commit.await.expect("answered").expect("committed");
        state.apply(draft);
    }

    async fn load(store: &Addr<Store>, session: &str) -> Option<SessionState> {
        let stored = store
            .send(LoadSession {
                name: name(session),
            })
            .await;
        let stored = stored.expect("alive").expect("reads")?;
        Some(session_state(name(session), stored).expect("decodes"))
    }

    /// A session escalated, claimed by an agent's first message, stored along the way.
    async fn handed_over(store: &Addr<Store>, session: &str) -> SessionState {
        let now = Utc::now();
        let mut state = SessionState::new(name(session), now);
        let regulator = Regulator::default();
        let (mut draft, _) = state.user_line("hello".into(), &regulator, "connecting", now);
        draft.creates = true;
        save(store, &mut state, draft).await;
        let cut = AnswerEnd::Cancelled;
        let (draft, _) = state.bot_answer("Hel".into(), cut, &regulator, "connecting", now);
        save(store, &mut state, draft).await;
        let draft = state
            .escalate("user_request".into(), None, now)
            .expect("legal");
        save(store, &mut state, draft).await;
        let agent = AgentInfo {
            agent_id: "a1".into(),
            agent_name: "小王".into(),
        };
        let draft = state
            .manual_message(Writer::Agent(agent), "您好".into(), now)
            .expect("the first agent message claims");
        save(store, &mut state, draft).await;
        state
    }

    #[actix_rt::test]
    async fn a_saved_session_loads_back_identically_and_lists_by_status() {
        let store = Store::open(IN_MEMORY).expect("opens").start();
        let state = handed_over(&store, "s1").await;
        let loaded = load(&store, "s1").await.expect("exists");
        assert_eq!(loaded, state);
        assert_eq!(loaded.last_seq(), 5);
        assert_eq!(load(&store, "other").await, None);

        let list = |status: Status| ListSessions {
            status: Some(status.as_str()),
            limit: 10,
        };
        let live = store.send(list(Status::ManualLive)).await.expect("alive");
        let live = session_list(live.expect("lists")).expect("decodes");
        assert_eq!((live.total, live.sessions[0].last_seq), (1, 5));
        let pending = store
            .send(list(Status::PendingManual))
            .await
            .expect("alive");
        assert_eq!(pending.expect("lists").total, 0);

        let audit = store.send(ListAudit {
            name: name("s1"),
            limit: 10,
        });
        let events: Vec<serde_json::Value> = audit
            .await
            .expect("alive")
            .expect("reads audit")
            .iter()
            .map(|body| {
                serde_json::from_str::<serde_json::Value>(body).expect("JSON")["event"].clone()
            })
            .collect();
        assert_eq!(
            events,
            ["manual_escalate", "manual_claim", "manual_message"]
        );
    }

    #[actix_rt::test]
    async fn a_page_read_from_the_store_is_the_page_read_from_memory() {
        let store = Store::open(IN_MEMORY).expect("opens").start();
        let mut state = handed_over(&store, "paged").await;
        for index in 0..7 {
            let draft = state
                .manual_message(Writer::User, format!("line {index}"), Utc::now())
                .expect("the user writes while the agent holds it");
            save(&store, &mut state, draft).await;
        }
        let requests = [
            PageRequest::latest(),
            PageRequest {
                before_seq: None,
                limit: 3,
            },
            PageRequest {
                before_seq: Some(9),
                limit: 2,
            },
            PageRequest {
                before_seq: Some(3),
                limit: 5,
            },
            PageRequest {
                before_seq: Some(u64::MAX),
                limit: 500,
            },
        ];
        for request in requests {
            let stored = store
                .send(page_query(name("paged"), request))
                .await
                .expect("alive")
                .expect("reads")
                .expect("exists");
            let page = session_page(name("paged"), request, stored).expect("decodes");
            assert_eq!(page, state.page(request), "{request:?}");
        }
        let missing = store.send(page_query(name("none"), PageRequest::latest()));
        assert_eq!(missing.await.expect("alive").expect("reads"), None);
    }

    #[actix_rt::test]
    async fn a_file_database_keeps_its_data_across_opens() {
        let path =
            std::env::temp_dir().join(format!("switchboard-store-{}.db", uuid::Uuid::new_v4()));
        let path_text = path.display().to_string();
        let state = {
            let store = Store::open(&path_text).expect("opens").start();
            handed_over(&store, "kept").await
        };
        let store = Store::open(&path_text).expect("reopens").start();
        assert_eq!(load(&store, "kept").await, Some(state));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path_text}{suffix}"));
        }
    }

    #[actix_rt::test]
    async fn a_reused_sequence_number_is_refused_and_nothing_of_the_draft_is_kept() {
        let store = Store::open(IN_MEMORY).expect("opens").start();
        let now = Utc::now();
        let mut state = SessionState::new(name("s2"), now);
        let draft = state
            .escalate("user_request".into(), None, now)
            .expect("legal");
        let stale = session_write(&draft).expect("encodes");
        save(&store, &mut state, draft).await;
        let commit = store
            .send(SaveSession { write: stale })
            .await
            .expect("alive");
        assert!(commit.await.expect("answered").is_err(), "seq 1 is taken");
        let audit = store.send(ListAudit {
            name: name("s2"),
            limit: 10,
        });
        assert_eq!(
            audit.await.expect("alive").expect("reads").len(),
            1,
            "the failed write left no audit record"
        );
    }
}
