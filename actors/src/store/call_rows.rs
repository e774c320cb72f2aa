//! The rows of seed-000 calls: who was paired with whom, when, and how the call ended.
//! Receives [`RecordCall`] and [`RecordCallEnd`] from the Matchmaker, fire and forget: they
//! are committed with the next batch, and a failure is logged (call bookkeeping is never held
//! back for the disk). Answers [`FindCall`] (a leg the Matchmaker no longer knows, e.g. after a
//! restart) with what the store recorded of its call.

use actix::prelude::*;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::kernel::ids::{CallId, PairId};
use crate::kernel::role::Role;
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

/// What was recorded of the call that a leg belongs to.
#[derive(Message, Debug, Clone)]
#[rtype(result = "Result<Option<RecordedLeg>, StoreError>")]
pub struct FindCall {
    /// The leg.
    pub call_id: CallId,
}

/// A leg of a recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedLeg {
    /// Its side.
    pub role: Role,
    /// Why (`customer_hung_up`, ...), if that was recorded.
    pub end_reason: Option<String>,
}

impl Write for RecordCall {
    fn write(&self, tx: &Connection) -> Result<(), StoreError> {
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO calls (session_id, customer_call_id, agent_call_id,
                 customer_name, agent_name, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        insert.execute(params![
            self.pair_id.to_string(),
            self.customer_call_id.as_str(),
            self.agent_call_id.as_str(),
            self.customer_name,
            self.agent_name,
            self.started_at.to_rfc3339(),
        ])?;
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
        let mut update = tx.prepare_cached(
            "UPDATE calls SET ended_at = ?2, end_reason = ?3 WHERE session_id = ?1",
        )?;
        update.execute(params![
            self.pair_id.to_string(),
            self.ended_at.to_rfc3339(),
            self.reason
        ])?;
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

impl Handler<FindCall> for Store {
    type Result = Result<Option<RecordedLeg>, StoreError>;

    fn handle(&mut self, msg: FindCall, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        find_leg(self.connection(), &msg.call_id)
    }
}

/// The recorded call `call_id` is a leg of, if any.
fn find_leg(conn: &Connection, call_id: &CallId) -> Result<Option<RecordedLeg>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT customer_call_id = ?1, end_reason FROM calls
             WHERE customer_call_id = ?1 OR agent_call_id = ?1 LIMIT 1",
    )?;
    let mut rows = statement.query([call_id.as_str()])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    Ok(Some(RecordedLeg {
        role: match row.get::<_, bool>(0)? {
            true => Role::Customer,
            false => Role::Agent,
        },
        end_reason: row.get(1)?,
    }))
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

    #[test]
    fn a_leg_finds_its_call_and_how_it_ended() {
        let store = Store::open(IN_MEMORY).expect("an in-memory database opens");
        let (pair_id, customer, agent) =
            (PairId::generate(), CallId::generate(), CallId::generate());
        let call = RecordCall {
            pair_id,
            customer_call_id: customer.clone(),
            agent_call_id: agent.clone(),
            customer_name: "C".into(),
            agent_name: "A".into(),
            started_at: Utc::now(),
        };
        call.write(store.connection()).expect("the call is stored");
        let found = |call_id: &CallId| find_leg(store.connection(), call_id).expect("a read");
        let agent_leg = found(&agent).expect("the agent's leg");
        assert_eq!((agent_leg.role, agent_leg.end_reason), (Role::Agent, None));
        assert_eq!(found(&CallId::generate()), None, "an unknown leg");
        let end = RecordCallEnd {
            pair_id,
            ended_at: Utc::now(),
            reason: "server_shutdown",
        };
        end.write(store.connection()).expect("the end is stored");
        let customer_leg = found(&customer).expect("the customer's leg");
        assert_eq!(customer_leg.role, Role::Customer);
        assert_eq!(customer_leg.end_reason.as_deref(), Some("server_shutdown"));
    }
}
