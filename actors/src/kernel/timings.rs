//! The hub's histograms: how long the bot takes to answer and the store to commit, as
//! Prometheus series. Receives nothing and sends nothing: the wiring makes one [`Timings`],
//! registers it with the scrape's registry, and hands clones (which share the series) to the
//! bot's backend and the store, which observe as they work; `GET /metrics` reads them.

use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

/// The labels of a bot turn's series: the backend, and how the turn ended.
pub type TurnLabels = [(&'static str, &'static str); 2];

/// The labels of a first chunk's series: the backend.
pub type BackendLabel = [(&'static str, &'static str); 1];

/// How a bot turn ended, as the `outcome` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnOutcome {
    /// The answer ended on its own.
    Complete,
    /// The backend failed.
    Failed,
    /// The answer was dropped before it ended (a cancel, a newer turn, the client left).
    Cut,
}

impl TurnOutcome {
    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            TurnOutcome::Complete => "complete",
            TurnOutcome::Failed => "failed",
            TurnOutcome::Cut => "cut",
        }
    }
}

/// The histograms; a clone shares them.
#[derive(Debug, Clone)]
pub struct Timings {
    /// Seconds from asking the bot to the end of its answer, by backend and outcome.
    pub bot_turn: Family<TurnLabels, Histogram, fn() -> Histogram>,
    /// Seconds from asking the bot to the first piece of text of its answer, by backend.
    pub bot_first_chunk: Family<BackendLabel, Histogram, fn() -> Histogram>,
    /// Seconds one group commit of the store takes (the transaction and its disk sync).
    pub store_commit: Histogram,
    /// Writes committed together in one transaction.
    pub store_batch: Histogram,
}

impl Default for Timings {
    /// Empty histograms.
    fn default() -> Self {
        Timings {
            bot_turn: Family::new_with_constructor(bot_buckets),
            bot_first_chunk: Family::new_with_constructor(bot_buckets),
            store_commit: Histogram::new(exponential_buckets(0.000_1, 2.0, 16)),
            store_batch: Histogram::new(exponential_buckets(1.0, 2.0, 9)),
        }
    }
}

/// 5 ms to about 80 s: a built-in answer takes microseconds, a model's up to a minute or more.
fn bot_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 15))
}

impl Timings {
    /// Records one bot turn of `backend` that took `seconds` and ended as `outcome`.
    pub fn observe_turn(&self, backend: &'static str, outcome: TurnOutcome, seconds: f64) {
        let labels = [("backend", backend), ("outcome", outcome.label())];
        self.bot_turn.get_or_create(&labels).observe(seconds);
    }

    /// Records that the first text of an answer of `backend` came after `seconds`.
    pub fn observe_first_chunk(&self, backend: &'static str, seconds: f64) {
        let labels = [("backend", backend)];
        self.bot_first_chunk.get_or_create(&labels).observe(seconds);
    }

    /// Registers the histograms under their Prometheus names.
    pub fn register(&self, registry: &mut Registry) {
        registry.register_with_unit(
            "switchboard_bot_turn",
            "Time from asking the bot to the end of its answer, by backend and outcome",
            Unit::Seconds,
            self.bot_turn.clone(),
        );
        registry.register_with_unit(
            "switchboard_bot_first_chunk",
            "Time from asking the bot to the first text of its answer, by backend",
            Unit::Seconds,
            self.bot_first_chunk.clone(),
        );
        registry.register_with_unit(
            "switchboard_store_commit",
            "Time one group commit of the store takes, its disk sync included",
            Unit::Seconds,
            self.store_commit.clone(),
        );
        registry.register(
            "switchboard_store_commit_batch_size",
            "Writes committed together in one transaction of the store",
            self.store_batch.clone(),
        );
    }
}
