//! The `match` scenario: customers and agents arrive concurrently through
//! `POST /api/calls/start` and the server pairs them. Sends call starts from `--concurrency`
//! workers (alternately customer and agent); receives the answers and counts the pairs formed
//! per second.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde::Serialize;

use crate::net::Clients;

/// Options of the `match` scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct MatchArgs {
    /// Requests in flight at once (half customers, half agents).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
}

/// What a `match` run measured.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    /// Call starts answered.
    pub requests: u64,
    /// Answers that formed a pair (`status: matched`).
    pub pairs: u64,
    /// Pairs formed per second.
    pub pairs_per_second: f64,
    /// Requests that failed.
    pub errors: u64,
    /// Seconds measured.
    pub duration_s: f64,
}

impl MatchReport {
    /// Prints the report as a small table.
    pub fn print(&self) {
        let r = self;
        println!(
            "match  pairs {}  in {:.1}s  = {:.0} pairs/s  (requests {}, errors {})",
            r.pairs, r.duration_s, r.pairs_per_second, r.requests, r.errors
        );
    }
}

/// Runs the scenario.
pub async fn run(clients: &Clients, args: &MatchArgs) -> Result<MatchReport, String> {
    let started = Instant::now();
    let stop_at = started + Duration::from_secs_f64(args.duration);
    let workers = (0..args.concurrency.max(2)).map(|worker| async move {
        let role = if worker % 2 == 0 { "customer" } else { "agent" };
        let (mut requests, mut pairs, mut errors) = (0u64, 0u64, 0u64);
        while Instant::now() < stop_at {
            match clients.start_call(worker, role, "match").await {
                Ok(answer) => {
                    requests += 1;
                    pairs += u64::from(answer.status == "matched");
                }
                Err(_) => errors += 1,
            }
        }
        (requests, pairs, errors)
    });
    let counts = join_all(workers).await;
    let elapsed = started.elapsed().as_secs_f64();
    let (requests, pairs, errors) = counts
        .into_iter()
        .fold((0, 0, 0), |acc, c| (acc.0 + c.0, acc.1 + c.1, acc.2 + c.2));
    Ok(MatchReport {
        requests,
        pairs,
        pairs_per_second: pairs as f64 / elapsed,
        errors,
        duration_s: elapsed,
    })
}
