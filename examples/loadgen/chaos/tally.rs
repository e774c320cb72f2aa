//! The `chaos` scenario's counters: what was sent and everything the hub answered, gathered
//! from every act as it finishes. Receives the acts' observations; sends the totals to the
//! report.

use std::collections::BTreeMap;

use serde::Serialize;

use super::wire::{Ending, Seen};

/// Counts by label.
pub type Counts = BTreeMap<String, u64>;

/// Everything counted in a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// Acts started, by kind.
    pub acts: Counts,
    /// Acts not started because `--max-in-flight` were already running.
    pub skipped: u64,
    /// WebSocket frames written (a frame head alone counts as one).
    pub frames_sent: u64,
    /// Error frames received, by `error` code.
    pub error_frames: Counts,
    /// Other text frames received.
    pub other_frames: u64,
    /// Close frames received, by close code.
    pub closes: Counts,
    /// Connections reset (or broken pipes) seen by the client.
    pub resets: u64,
    /// Connections the server ended without a close frame.
    pub ended_without_close: u64,
    /// Connections still open when the client stopped waiting.
    pub open_at_deadline: u64,
    /// HTTP statuses, by request (`POST /api/calls/start 200`, `upgrade /ws/desk 101`, ...).
    pub http_statuses: Counts,
    /// How each kind of act ended (`close 1009`, `reset`, `answered 408`, ...).
    pub outcomes: BTreeMap<String, Counts>,
    /// Seconds from the first transcript sent at a stalled reader until its partner's socket
    /// ended (the hub cut the stalled leg and ended the call), one per stalled reader so cut.
    pub partner_cut_after_s: Vec<f64>,
    /// Acts that could not get going (connection refused, a call that did not pair), by why.
    pub setup_failures: Counts,
}

/// Adds one to `label` in `counts`.
pub fn bump(counts: &mut Counts, label: impl Into<String>) {
    *counts.entry(label.into()).or_default() += 1;
}

impl Tally {
    /// A connection of act `kind` ended this way.
    pub fn ending(&mut self, kind: &str, ending: Ending) {
        match ending {
            Ending::Closed(code) => {
                let code = code.map_or("none".to_owned(), |code| code.to_string());
                bump(&mut self.closes, code);
            }
            Ending::Reset => self.resets += 1,
            Ending::Ended => self.ended_without_close += 1,
            Ending::Open => self.open_at_deadline += 1,
        }
        self.outcome(kind, ending.label());
    }

    /// Act `kind` came out as `label`.
    pub fn outcome(&mut self, kind: &str, label: impl Into<String>) {
        bump(self.outcomes.entry(kind.to_owned()).or_default(), label);
    }

    /// What a reader saw.
    pub fn seen(&mut self, seen: Seen) {
        for code in seen.errors {
            bump(&mut self.error_frames, code);
        }
        self.other_frames += seen.texts;
    }

    /// An HTTP answer to `request`.
    pub fn status(&mut self, request: &str, status: u16) {
        bump(&mut self.http_statuses, format!("{request} {status}"));
    }

    /// An act that could not get going.
    pub fn setup_failure(&mut self, why: impl Into<String>) {
        bump(&mut self.setup_failures, why);
    }
}
