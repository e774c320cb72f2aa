//! The rows of seed-003 read marks: how far each user has read each conversation. Receives
//! [`RecordRead`] from the ChatHub, fire and forget (committed with the next batch; a mark
//! never moves back), and answers [`ListReadMarks`] with a conversation's marks.

use actix::prelude::*;
use rusqlite::{Connection, params};

use crate::store::database::{Store, Write};
use crate::store::store_error::StoreError;

/// A user read conversation `session_name` up to `seq`.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub struct RecordRead {
    /// The conversation.
    pub session_name: String,
    /// The reader.
    pub user_id: String,
    /// The last line read.
    pub seq: u64,
}

/// The read marks of a conversation: user id and last-read sequence number, by user id.
#[derive(Message, Debug, Clone)]
#[rtype(result = "Result<Vec<(String, u64)>, StoreError>")]
pub struct ListReadMarks {
    /// The conversation.
    pub session_name: String,
}

impl Write for RecordRead {
    fn write(&self, tx: &Connection) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO chat_reads (session_name, user_id, last_read_seq, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (session_name, user_id) DO UPDATE SET
                 last_read_seq = MAX(last_read_seq, excluded.last_read_seq),
                 updated_at = excluded.updated_at",
            params![
                self.session_name,
                self.user_id,
                i64::try_from(self.seq).unwrap_or(i64::MAX),
                chrono::Utc::now().to_rfc3339(),
            ],
        )?;
        Ok(())
    }

    fn done(self: Box<Self>, result: Result<(), StoreError>) {
        if let Err(error) = result {
            log::error!(
                "could not store {}'s read mark in {}: {error}",
                self.user_id,
                self.session_name
            );
        }
    }
}

impl Handler<RecordRead> for Store {
    type Result = ();

    fn handle(&mut self, msg: RecordRead, ctx: &mut Self::Context) {
        self.enqueue(Box::new(msg), ctx);
    }
}

impl Handler<ListReadMarks> for Store {
    type Result = Result<Vec<(String, u64)>, StoreError>;

    fn handle(&mut self, msg: ListReadMarks, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        read_marks(self.connection(), &msg.session_name)
    }
}

/// The read marks of conversation `session_name`.
fn read_marks(conn: &Connection, session_name: &str) -> Result<Vec<(String, u64)>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT user_id, last_read_seq FROM chat_reads WHERE session_name = ?1 ORDER BY user_id",
    )?;
    let rows = statement.query_map([session_name], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    let mut marks = Vec::new();
    for row in rows {
        let (user, seq) = row?;
        marks.push((user, u64::try_from(seq).unwrap_or(0)));
    }
    Ok(marks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::database::IN_MEMORY;

    #[test]
    fn a_read_mark_is_kept_per_user_and_never_moves_back() {
        let store = Store::open(IN_MEMORY).expect("an in-memory database opens");
        let mark = |user: &str, seq| RecordRead {
            session_name: "s1".into(),
            user_id: user.into(),
            seq,
        };
        for write in [mark("ann", 4), mark("bob", 2), mark("ann", 3)] {
            write.write(store.connection()).expect("stored");
        }
        let marks = read_marks(store.connection(), "s1").expect("read");
        assert_eq!(marks, vec![("ann".into(), 4), ("bob".into(), 2)]);
        assert!(
            read_marks(store.connection(), "s2")
                .expect("read")
                .is_empty()
        );
    }
}
