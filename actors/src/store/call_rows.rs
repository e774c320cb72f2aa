//! The rows of seed-000 calls: who was paired with whom, when, and how the call ended.
//! Receives [`RecordCall`] and [`RecordCallEnd`] from the Matchmaker, fire and forget: they
//! are committed with the next batch, and a failure is logged (call bookkeeping is never held
//! back for the disk).

use actix::prelude::*;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::kernel::ids::{CallId, PairId};
use crate::store::database::{Store, Write};
use crate::store::store_error::StoreError;

/// A seed-000 call was matched.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub struct RecordCall {
    /// The pair.
    pub pair_id: PairId,
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

/// A seed-000 call ended.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub struct RecordCallEnd {
    /// The pair.
    pub pair_id: PairId,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
    /// Why (`customer_hung_up`, ...).
    pub reason: &'static str,
}

impl Write for RecordCall {
    fn write(&self, tx: &Connection) -> Result<(), StoreError> {
        tx.execute(
            "INSERT OR REPLACE INTO calls (session_id, customer_call_id, agent_call_id,
                 customer_name, agent_name, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                self.pair_id.to_string(),
                self.customer_call_id.as_str(),
                self.agent_call_id.as_str(),
                self.customer_name,
                self.agent_name,
                self.started_at.to_rfc3339(),
            ],
        )?;
        Ok(())
    }

    fn done(self: Box<Self>, result: Result<(), StoreError>) {
        if let Err(error) = result {
            log::error!("could not store call {}: {error}", self.pair_id);
        }
    }
}

impl Write for RecordCallEnd {
    fn write(&self, tx: &Connection) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE calls SET ended_at = ?2, end_reason = ?3 WHERE session_id = ?1",
            params![
                self.pair_id.to_string(),
                self.ended_at.to_rfc3339(),
                self.reason
            ],
        )?;
        Ok(())
    }

    fn done(self: Box<Self>, result: Result<(), StoreError>) {
        if let Err(error) = result {
            log::error!("could not store the end of call {}: {error}", self.pair_id);
        }
    }
}

impl Handler<RecordCall> for Store {
    type Result = ();

    fn handle(&mut self, msg: RecordCall, ctx: &mut Self::Context) {
        self.enqueue(Box::new(msg), ctx);
    }
}

impl Handler<RecordCallEnd> for Store {
    type Result = ();

    fn handle(&mut self, msg: RecordCallEnd, ctx: &mut Self::Context) {
        self.enqueue(Box::new(msg), ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::database::IN_MEMORY;

    #[test]
    fn calls_are_recorded_and_closed() {
        let store = Store::open(IN_MEMORY).expect("an in-memory database opens");
        let pair_id = PairId::generate();
        let call = RecordCall {
            pair_id,
            customer_call_id: CallId::generate(),
            agent_call_id: CallId::generate(),
            customer_name: "C".into(),
            agent_name: "A".into(),
            started_at: Utc::now(),
        };
        call.write(store.connection()).expect("the call is stored");
        let end_reason = || -> Option<String> {
            store
                .connection()
                .query_row(
                    "SELECT end_reason FROM calls WHERE session_id = ?1",
                    [pair_id.to_string()],
                    |row| row.get(0),
                )
                .expect("the call row exists")
        };
        assert_eq!(end_reason(), None);
        let end = RecordCallEnd {
            pair_id,
            ended_at: Utc::now(),
            reason: "ended_via_api",
        };
        end.write(store.connection()).expect("the end is stored");
        assert_eq!(end_reason().as_deref(), Some("ended_via_api"));
    }
}
