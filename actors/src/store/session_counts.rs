//! How many seed-001 conversations the store holds in each status. Receives [`CountSessions`]
//! (from the metrics scrape) and answers with the counts, read through the
//! `sessions_by_status` index after committing what is pending.

use actix::prelude::*;
use rusqlite::Connection;

use crate::store::database::Store;
use crate::store::store_error::StoreError;

/// Count the stored sessions by status.
#[derive(Message)]
#[rtype(result = "Result<Vec<(String, u64)>, StoreError>")]
pub struct CountSessions;

impl Handler<CountSessions> for Store {
    type Result = Result<Vec<(String, u64)>, StoreError>;

    fn handle(&mut self, _: CountSessions, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        count_by_status(self.connection())
    }
}

/// Each status that has sessions, and how many.
fn count_by_status(conn: &Connection) -> Result<Vec<(String, u64)>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT status, COUNT(*) FROM sessions GROUP BY status")?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::database::IN_MEMORY;

    #[test]
    fn sessions_are_counted_by_status() {
        let store = Store::open(IN_MEMORY).expect("opens");
        let conn = store.connection();
        assert_eq!(count_by_status(conn).expect("counts"), vec![]);
        for (name, status) in [
            ("a", "bot_active"),
            ("b", "pending_manual"),
            ("c", "bot_active"),
        ] {
            conn.execute(
                "INSERT INTO sessions VALUES (?1, ?2, '{}', 0, 0, 0, 0)",
                [name, status],
            )
            .expect("inserts");
        }
        let mut counts = count_by_status(conn).expect("counts");
        counts.sort();
        assert_eq!(
            counts,
            vec![("bot_active".into(), 2), ("pending_manual".into(), 1)]
        );
    }
}
