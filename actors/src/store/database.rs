//! Store: SQLite on a thread of its own, so that no async actor ever blocks on disk. Receives
//! the writes and reads of each table group (handled in [`session_rows`] and [`call_rows`])
//! and [`Checkpoint`]; answers with what it read or whether the write committed. A write is
//! acknowledged only after its transaction commits (WAL journal, `synchronous=FULL`), so
//! whatever a client was told succeeded survives a crash or restart.
//!
//! Writes are batched (group commit): the writes that arrive while the store is busy are
//! committed together in one transaction, one disk sync for all of them, as soon as the store
//! has read everything waiting in its mailbox (or when [`MAX_BATCH`] wait). Each write's
//! sender is answered the moment the transaction ends. If a write fails, the batch runs again
//! with each write in a savepoint of its own, so one bad write fails alone and the others
//! still commit. A read first commits what is
//! pending, so it always sees every write sent before it. The store is an ordinary actor alone
//! on its own arbiter thread rather than a `SyncArbiter` actor: it blocks only that thread,
//! like a sync actor would, but it can let its mailbox fill before it commits, which a sync
//! actor, handed one message at a time, cannot.
//!
//! The store knows rows, not rooms: each room turns its own values into the rows of its table
//! group and back, so a new room adds a table group here without the store learning its types.
//!
//! [`session_rows`]: crate::store::session_rows
//! [`call_rows`]: crate::store::call_rows

use std::path::Path;

use actix::prelude::*;
use rusqlite::{Connection, OptionalExtension};

use crate::kernel::settings::{MustBePositive, all_positive};
use crate::kernel::timings::Timings;
use crate::store::schema;
use crate::store::store_error::StoreError;

/// The path that keeps everything in memory (lost when the hub stops).
pub const IN_MEMORY: &str = ":memory:";

/// Most writes committed together; when this many wait, the store commits at once.
pub const MAX_BATCH: usize = 256;

/// Where the store keeps its data.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Store")]
pub struct StoreConfig {
    /// The SQLite store, created with its directory; `:memory:` keeps nothing.
    #[arg(
        long = "database-path",
        env = "DATABASE_PATH",
        default_value = "./data/switchboard.db"
    )]
    pub database_path: String,
}

impl Default for StoreConfig {
    /// The declared defaults.
    fn default() -> Self {
        crate::kernel::settings::defaults()
    }
}

impl StoreConfig {
    /// Checks that a path is given.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[("the database path", self.database_path.trim().is_empty())])
    }
}

/// One write waiting for the next commit: a row change of some table group, and whoever
/// waits for its outcome.
pub trait Write {
    /// Writes it inside `tx`.
    fn write(&self, tx: &Connection) -> Result<(), StoreError>;
    /// Tells whoever waits how the commit went.
    fn done(self: Box<Self>, result: Result<(), StoreError>);
}

/// The store actor: one SQLite connection and the writes waiting for the next commit.
pub struct Store {
    /// The open database.
    conn: Connection,
    /// Writes received since the last commit.
    pending: Vec<Box<dyn Write>>,
    /// A commit of `pending` is scheduled.
    commit_scheduled: bool,
    /// Where each commit's time and batch size are observed.
    timings: Timings,
}

impl Actor for Store {
    type Context = Context<Self>;
}

impl Store {
    /// Opens (creating the file and its directory if needed) and migrates the configured
    /// database, then starts the store on a thread of its own, which it returns too, to be
    /// stopped when the hub has stopped. Each commit is observed in `timings`.
    pub fn start(
        config: &StoreConfig,
        timings: Timings,
    ) -> Result<(Addr<Store>, ArbiterHandle), StoreError> {
        let conn = open(&config.database_path)?;
        let thread = Arbiter::new().handle();
        let store =
            Store::start_in_arbiter(&thread, move |_| Store::with_connection(conn, timings));
        Ok((store, thread))
    }

    /// A store over the database at `path` (`:memory:` for none), not yet started: tests start
    /// it on their own thread, so that a paused clock sees no idle time while it works. Its
    /// commits are observed in histograms of its own, which no scrape reads.
    pub fn open(path: &str) -> Result<Store, StoreError> {
        Ok(Store::with_connection(open(path)?, Timings::default()))
    }

    fn with_connection(conn: Connection, timings: Timings) -> Store {
        Store {
            conn,
            pending: Vec::new(),
            commit_scheduled: false,
            timings,
        }
    }

    /// The open database, for reads. Call [`Store::commit_pending`] first.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Queues a write for the next commit, which runs as soon as the mailbox has been read
    /// (or at once when [`MAX_BATCH`] writes wait).
    pub fn enqueue(&mut self, write: Box<dyn Write>, ctx: &mut Context<Self>) {
        self.pending.push(write);
        if self.pending.len() >= MAX_BATCH {
            self.commit_pending();
        } else if !std::mem::replace(&mut self.commit_scheduled, true) {
            ctx.spawn(fut::ready(()).map(|(), act: &mut Store, _| act.commit_pending()));
        }
    }

    /// Commits every pending write in one transaction and tells whoever waits, with one disk
    /// sync for the batch. The batch is first tried as it is; only if a write fails is it run
    /// again with each write inside a savepoint of its own, so the one that fails is undone
    /// alone and the others still commit. The answers go out at once, whatever else waits in
    /// the mailbox.
    pub fn commit_pending(&mut self) {
        self.commit_scheduled = false;
        let batch = std::mem::take(&mut self.pending);
        if batch.is_empty() {
            return;
        }
        let began = std::time::Instant::now();
        let outcome = self.commit_together(&batch).or_else(|error| {
            log::warn!(
                "a batch of {} writes failed ({error}); each runs alone",
                batch.len()
            );
            self.commit_apart(&batch)
        });
        self.timings
            .store_commit
            .observe(began.elapsed().as_secs_f64());
        self.timings.store_batch.observe(batch.len() as f64);
        match outcome {
            Ok(written) => {
                for (write, result) in batch.into_iter().zip(written) {
                    write.done(result);
                }
            }
            Err(error) => {
                let detail = error.to_string();
                for write in batch {
                    write.done(Err(StoreError::Commit(detail.clone())));
                }
            }
        }
    }
}

impl Store {
    /// Runs every write of `batch` in one transaction; fails, with nothing written, if one
    /// does.
    fn commit_together(
        &mut self,
        batch: &[Box<dyn Write>],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let tx = self.conn.transaction()?;
        for write in batch {
            write.write(&tx)?;
        }
        tx.commit()?;
        Ok(batch.iter().map(|_| Ok(())).collect())
    }

    /// Runs every write of `batch` in a savepoint of its own within one transaction: answers
    /// each write's outcome, or the transaction's failure.
    fn commit_apart(
        &mut self,
        batch: &[Box<dyn Write>],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let mut tx = self.conn.transaction()?;
        let written = batch
            .iter()
            .map(|write| {
                let savepoint = tx.savepoint()?;
                write.write(&savepoint)?;
                savepoint.commit()?;
                Ok(())
            })
            .collect::<Vec<Result<(), StoreError>>>();
        tx.commit()?;
        Ok(written)
    }
}

/// Opens and prepares the database at `path`.
fn open(path: &str) -> Result<Connection, StoreError> {
    let mut conn = if path == IN_MEMORY {
        Connection::open_in_memory()?
    } else {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
                path: dir.display().to_string(),
                source,
            })?;
        }
        Connection::open(path)?
    };
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// Fold the write-ahead log into the database file (at shutdown).
#[derive(Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Checkpoint;

impl Handler<Checkpoint> for Store {
    type Result = Result<(), StoreError>;

    fn handle(&mut self, _: Checkpoint, _: &mut Self::Context) -> Self::Result {
        self.commit_pending();
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .optional()?;
        Ok(())
    }
}
