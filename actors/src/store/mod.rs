//! The store: SQLite on a thread of its own, with group commit. Receives row changes and reads
//! from the rooms and answers once they have committed or been read. Split by what it stores:
//!
//! - [`database`]: the Store actor, the batch and its commit, the checkpoint at shutdown.
//! - [`schema`]: the numbered migrations.
//! - [`session_rows`]: seed-001 conversations, their logs and audit records.
//! - [`session_counts`]: how many conversations are in each status.
//! - [`call_rows`]: seed-000 calls.
//! - [`chat_rows`]: seed-003 read marks.
//! - [`interview_rows`]: seed-002 interviews and their exchanges.
//! - [`store_error`]: why a request failed.

pub mod call_rows;
pub mod chat_rows;
pub mod database;
pub mod interview_rows;
pub mod schema;
pub mod session_counts;
pub mod session_rows;
pub mod store_error;

pub use database::{Checkpoint, IN_MEMORY, Store, StoreConfig};
pub use store_error::StoreError;
