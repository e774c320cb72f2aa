//! The store's schema, as numbered migrations. Receives an open SQLite connection at start and
//! brings it to the newest version in one transaction; refuses a database written by a newer
//! hub.

use rusqlite::{Connection, OptionalExtension};

/// Every migration, in order; version n is `MIGRATIONS[n - 1]`. Never edit one that shipped:
/// add the next.
const MIGRATIONS: [&str; 4] = [
    r#"
CREATE TABLE sessions (
    name       TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    header     TEXT NOT NULL,
    last_seq   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- milliseconds: when the current handover was asked for, else the last change
    order_key  INTEGER NOT NULL
);
CREATE INDEX sessions_by_status ON sessions (status, order_key);
CREATE TABLE session_events (
    session_name TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (session_name, seq)
) WITHOUT ROWID;
CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event        TEXT NOT NULL,
    session_name TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX audit_by_session ON audit_events (session_name, id);
CREATE TABLE calls (
    session_id       TEXT PRIMARY KEY,
    customer_call_id TEXT NOT NULL,
    agent_call_id    TEXT NOT NULL,
    customer_name    TEXT NOT NULL,
    agent_name       TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    ended_at         TEXT,
    end_reason       TEXT
);
"#,
    r#"
CREATE INDEX calls_by_customer_leg ON calls (customer_call_id);
CREATE INDEX calls_by_agent_leg ON calls (agent_call_id);
"#,
    r#"
CREATE TABLE interviews (
    session_id TEXT PRIMARY KEY,
    style      TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE interview_exchanges (
    session_id      TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    user_input      TEXT NOT NULL,
    ai_response     TEXT NOT NULL,
    strategy        TEXT NOT NULL,
    focus_area      TEXT NOT NULL,
    confidence      REAL NOT NULL,
    processing_time REAL NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
"#,
    r#"
CREATE TABLE chat_reads (
    session_name  TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    last_read_seq INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (session_name, user_id)
) WITHOUT ROWID;
"#,
];

/// Why the schema could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// SQLite refused a statement.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer hub.
    #[error("the database is at schema version {found}; this hub knows up to {known}")]
    TooNew {
        /// The version in the file.
        found: i64,
        /// The newest this hub knows.
        known: i64,
    },
}

/// Applies every migration the database lacks. Returns the version it is at now.
pub fn migrate(conn: &mut Connection) -> Result<i64, SchemaError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL
        );",
    )?;
    let known = MIGRATIONS.len() as i64;
    let tx = conn.transaction()?;
    let found: i64 = tx
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |row| {
            row.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten()
        .unwrap_or(0);
    if found > known {
        return Err(SchemaError::TooNew { found, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            (index as i64 + 1, chrono::Utc::now().to_rfc3339()),
        )?;
    }
    tx.commit()?;
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_harmless_and_a_newer_file_is_refused() {
        let mut conn = Connection::open_in_memory().expect("sqlite opens");
        assert_eq!(migrate(&mut conn).expect("first run"), 4);
        assert_eq!(migrate(&mut conn).expect("second run"), 4);
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later')",
            [],
        )
        .expect("insert");
        assert!(matches!(
            migrate(&mut conn),
            Err(SchemaError::TooNew {
                found: 99,
                known: 4
            })
        ));
    }
}
