//! The `chat` scenario: seed 001's bot conversations. Sends `POST /api/chat` turns from
//! `--concurrency` workers, each in a session of its own (one request in flight per session,
//! as a chat widget does); receives the bot's answers and measures turns per second and the
//! latency of each turn, every one of which the hub commits to its store before answering.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde::Serialize;

use crate::net::Clients;
use crate::stats::{Latencies, Summary};

/// How long a worker waits after a failed turn, so that a refusing server is not flooded.
const PAUSE_AFTER_ERROR: Duration = Duration::from_millis(10);

/// Options of the `chat` scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    /// Sessions talking at once (one turn in flight each).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
}

/// What a `chat` run measured.
#[derive(Debug, Clone, Serialize)]
pub struct ChatReport {
    /// Turns answered.
    pub turns: u64,
    /// Turns answered per second.
    pub turns_per_second: f64,
    /// Turns that failed.
    pub errors: u64,
    /// Time from sending a turn to reading the whole answer.
    pub latency: Summary,
    /// Seconds measured.
    pub duration_s: f64,
}

impl ChatReport {
    /// Prints the report as a small table.
    pub fn print(&self) {
        let r = self;
        println!(
            "chat   turns {}  in {:.1}s  = {:.0} turns/s  (errors {})",
            r.turns, r.duration_s, r.turns_per_second, r.errors
        );
        println!(
            "       latency ms  p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            r.latency.p50_ms,
            r.latency.p90_ms,
            r.latency.p99_ms,
            r.latency.p999_ms,
            r.latency.max_ms
        );
    }
}

/// Runs the scenario.
pub async fn run(clients: &Clients, args: &ChatArgs) -> Result<ChatReport, String> {
    let duration = Duration::try_from_secs_f64(args.duration).map_err(|_| {
        format!(
            "--duration {} is not a usable number of seconds",
            args.duration
        )
    })?;
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let started = Instant::now();
    let stop_at = started + duration;
    let workers = (0..args.concurrency.max(1)).map(|worker| {
        let session = format!("loadgen-{}-{worker}", &run_id[..8]);
        async move {
            let (mut latencies, mut errors) = (Latencies::default(), 0u64);
            while Instant::now() < stop_at {
                let sent = Instant::now();
                match clients.chat(worker, &session, "where is my order?").await {
                    Ok(()) => latencies.record(sent.elapsed().as_micros() as u64),
                    Err(_) => {
                        errors += 1;
                        actix_rt::time::sleep(PAUSE_AFTER_ERROR).await;
                    }
                }
            }
            (latencies, errors)
        }
    });
    let results = join_all(workers).await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = Latencies::default();
    let mut errors = 0;
    for (worker_latencies, worker_errors) in results {
        latencies.merge(worker_latencies);
        errors += worker_errors;
    }
    let latency = latencies.summary();
    Ok(ChatReport {
        turns: latency.count as u64,
        turns_per_second: latency.count as f64 / elapsed,
        errors,
        latency,
        duration_s: elapsed,
    })
}
