//! Why the store could not do what it was asked. Receives SQLite, schema and I/O failures and
//! sends back one [`StoreError`], which the rooms pass on (a 503 `store_unavailable` at the
//! HTTP edge).

use crate::store::schema::SchemaError;

/// Why the store could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The schema could not be migrated.
    #[error("schema: {0}")]
    Schema(#[from] SchemaError),
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
