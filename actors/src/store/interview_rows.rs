//! The rows of seed-002 interviews: one row per interview (its id, style, the interviewer's
//! state as opaque JSON) and one per exchange (the answer and what the interviewer said back).
//! Receives [`SaveInterview`] (answered once committed) and [`LoadInterview`] from the
//! interview room; answers with the stored rows.

use actix::prelude::*;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use crate::store::database::{Store, Write};
use crate::store::store_error::StoreError;

/// An interview's own row.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewRow {
    /// The session id the client uses.
    pub session_id: String,
    /// Its style's name.
    pub style: String,
    /// The interviewer's state, as the room encodes it.
    pub state: String,
    /// When it began (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

/// One exchange: an answer and the interviewer's reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeRow {
    /// Its place in the interview, from 1.
    pub seq: u64,
    /// What the candidate said.
    pub user_input: String,
    /// What the interviewer said.
    pub ai_response: String,
    /// The strategy's name.
    pub strategy: String,
    /// The focus area's name.
    pub focus_area: String,
    /// How well the answer addressed its area.
    pub confidence: f64,
    /// Seconds the reply took.
    pub processing_time: f64,
    /// When (RFC 3339).
    pub created_at: String,
}

/// Store an interview's row and, if there is one, its newest exchange. The answer is a
/// receiver that yields once the change has committed.
#[derive(Message)]
#[rtype(result = "oneshot::Receiver<Result<(), StoreError>>")]
pub struct SaveInterview {
    /// The interview's row.
    pub interview: InterviewRow,
    /// The exchange to add.
    pub exchange: Option<ExchangeRow>,
}

/// Read an interview and all its exchanges; `None` when it was never stored.
#[derive(Message)]
#[rtype(result = "Result<Option<(InterviewRow, Vec<ExchangeRow>)>, StoreError>")]
pub struct LoadInterview {
    /// Which interview.
    pub session_id: String,
}

/// A save waiting for the next commit, and who waits for it.
struct PendingInterview {
    /// The change.
    save: SaveInterview,
    /// Told how the commit went.
    answer: oneshot::Sender<Result<(), StoreError>>,
}

impl Write for PendingInterview {
    fn write(&self, tx: &Connection) -> Result<(), StoreError> {
        write_interview(tx, &self.save)
    }

    fn done(self: Box<Self>, result: Result<(), StoreError>) {
        let _ = self.answer.send(result);
    }
}

/// Writes the interview row and its new exchange inside `tx`.
fn write_interview(tx: &Connection, save: &SaveInterview) -> Result<(), StoreError> {
    let row = &save.interview;
    tx.execute(
        "INSERT INTO interviews (session_id, style, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (session_id) DO UPDATE SET style = ?2, state = ?3, updated_at = ?5",
        params![
            row.session_id,
            row.style,
            row.state,
            row.created_at,
            row.updated_at
        ],
    )?;
    if let Some(exchange) = &save.exchange {
        tx.execute(
            "INSERT OR REPLACE INTO interview_exchanges (session_id, seq, user_input,
                 ai_response, strategy, focus_area, confidence, processing_time, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                row.session_id,
                exchange.seq as i64,
                exchange.user_input,
                exchange.ai_response,
                exchange.strategy,
                exchange.focus_area,
                exchange.confidence,
                exchange.processing_time,
                exchange.created_at,
            ],
        )?;
    }
    Ok(())
}

/// Reads an interview and its exchanges, oldest first.
fn read_interview(
    conn: &Connection,
    session_id: &str,
) -> Result<Option<(InterviewRow, Vec<ExchangeRow>)>, StoreError> {
    let row = conn
        .query_row(
            "SELECT style, state, created_at, updated_at FROM interviews WHERE session_id = ?1",
            [session_id],
            |row| {
                Ok(InterviewRow {
                    session_id: session_id.to_owned(),
                    style: row.get(0)?,
                    state: row.get(1)?,
                    created_at: row.get(2)?,
                    updated_at: row.get(3)?,
                })
            },
        )
        .optional()?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut statement = conn.prepare_cached(
        "SELECT seq, user_input, ai_response, strategy, focus_area, confidence,
             processing_time, created_at FROM interview_exchanges
             WHERE session_id = ?1 ORDER BY seq",
    )?;
    let exchanges = statement
        .query_map([session_id], |row| {
            Ok(ExchangeRow {
                seq: row.get::<_, i64>(0)? as u64,
                user_input: row.get(1)?,
                ai_response: row.get(2)?,
                strategy: row.get(3)?,
                focus_area: row.get(4)?,
                confidence: row.get(5)?,
                processing_time: row.get(6)?,
                created_at: row.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((row, exchanges)))
}

impl Handler<SaveInterview> for Store {
    type Result = MessageResult<SaveInterview>;

    fn handle(&mut self, save: SaveInterview, ctx: &mut Self::Context) -> Self::Result {
        let (answer, committed) = oneshot::channel();
        self.enqueue(Box::new(PendingInterview { save, answer }), ctx);
        MessageResult(committed)
    }
}

impl Handler<LoadInterview> for Store {
    type Result = Result<Option<(InterviewRow, Vec<ExchangeRow>)>, StoreError>;

    fn handle(&mut self, msg: LoadInterview, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        read_interview(self.connection(), &msg.session_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::database::IN_MEMORY;

    #[test]
    fn an_interview_and_its_exchanges_are_stored_and_read_back() {
        let store = Store::open(IN_MEMORY).expect("an in-memory database opens");
        let interview = InterviewRow {
            session_id: "s1".into(),
            style: "formal".into(),
            state: "{}".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
        };
        let exchange = ExchangeRow {
            seq: 1,
            user_input: "Hello".into(),
            ai_response: "Welcome".into(),
            strategy: "opening".into(),
            focus_area: "background".into(),
            confidence: 0.3,
            processing_time: 0.001,
            created_at: "2026-01-01T00:00:01Z".into(),
        };
        let save = SaveInterview {
            interview: interview.clone(),
            exchange: Some(exchange.clone()),
        };
        write_interview(store.connection(), &save).expect("stored");
        let restyled = SaveInterview {
            interview: InterviewRow {
                style: "friendly".into(),
                ..interview.clone()
            },
            exchange: None,
        };
        write_interview(store.connection(), &restyled).expect("stored again");
        let (row, exchanges) = read_interview(store.connection(), "s1")
            .expect("a read")
            .expect("the interview");
        assert_eq!(row.style, "friendly");
        assert_eq!(exchanges, vec![exchange]);
        assert_eq!(
            read_interview(store.connection(), "s2").expect("a read"),
            None
        );
    }
}
