//! The `match` scenario: customers and agents arrive concurrently through
//! `POST /api/calls/start` and the server pairs them. Sends call starts from `--concurrency`
//! workers (alternately customer and agent); receives the answers, counts the pairs formed per
//! second and times every answered start.
//!
//! With `--prefill N`, N customer legs are started first, `--concurrency` at a time, and never
//! open their sockets; each must be answered `waiting`, and any that is refused (a peer's limit,
//! 503 `queue_full`) or matched is counted and shown in the report. Then the measured window
//! runs as without it. Agents are paired with the oldest waiting customer and every new customer
//! joins the back of the queue, so the customer queue stays about N deep through the window:
//! every agent start is a match taken from a queue of about N, every customer start an append
//! behind them. The report gives the queue depths the answers imply at the end, so the claim can
//! be read off each run (legs the server drops meanwhile, e.g. on a connect timeout, are not
//! seen by the generator).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde::Serialize;

use crate::net::{Clients, Started};
use crate::stats::{Latencies, Summary};

/// Options of the `match` scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct MatchArgs {
    /// Requests in flight at once (half customers, half agents; all customers in the prefill).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// Customer legs left waiting before the measured window (their sockets never opened).
    #[arg(long, default_value_t = 0)]
    pub prefill: usize,
}

/// What the prefill did: how many customer legs were left waiting and how many were not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PrefillReport {
    /// Customer legs asked for.
    pub requested: u64,
    /// Legs answered `waiting`: the queue depth the window starts from.
    pub waiting: u64,
    /// Legs answered `matched` (an agent was already waiting).
    pub matched: u64,
    /// Legs refused or failed.
    pub refused: u64,
    /// Refusals by reason (status and error code, or the transport error).
    pub refusals: BTreeMap<String, u64>,
    /// Seconds the prefill took.
    pub duration_s: f64,
}

/// What a `match` run measured.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    /// Call starts answered in the measured window.
    pub requests: u64,
    /// Answers that formed a pair (`status: matched`).
    pub pairs: u64,
    /// Pairs formed per second.
    pub pairs_per_second: f64,
    /// Requests of the measured window that were refused or failed.
    pub errors: u64,
    /// Those errors by reason.
    pub error_reasons: BTreeMap<String, u64>,
    /// Seconds measured.
    pub duration_s: f64,
    /// Time from sending each call start of the window to reading its answer (answered ones).
    pub latency: Summary,
    /// The customer legs started before the window.
    pub prefill: PrefillReport,
    /// Customers waiting at the end, as the answers imply it: prefilled and queued customers
    /// less the agents' matches.
    pub customers_waiting_at_end: i64,
    /// Agents waiting at the end, as the answers imply it: queued agents less the customers'
    /// matches.
    pub agents_waiting_at_end: i64,
}

impl MatchReport {
    /// Prints the report as a small table.
    pub fn print(&self) {
        let (r, p) = (self, &self.prefill);
        if p.requested > 0 {
            let refused = if p.refused > 0 { "  REFUSED" } else { "" };
            println!(
                "prefill {} customers in {:.1}s: {} waiting, {} matched, {} refused{refused}",
                p.requested, p.duration_s, p.waiting, p.matched, p.refused
            );
            print_reasons(&p.refusals);
        }
        println!(
            "match  pairs {}  in {:.1}s  = {:.0} pairs/s  (requests {}, errors {})",
            r.pairs, r.duration_s, r.pairs_per_second, r.requests, r.errors
        );
        print_reasons(&r.error_reasons);
        println!(
            "       POST /api/calls/start ms: p50 {:.3}  p99 {:.3}  max {:.3}",
            r.latency.p50_ms, r.latency.p99_ms, r.latency.max_ms
        );
        println!(
            "       waiting at the end (from the answers): customers {}, agents {}",
            r.customers_waiting_at_end, r.agents_waiting_at_end
        );
    }
}

/// Prints one indented line per reason.
fn print_reasons(reasons: &BTreeMap<String, u64>) {
    for (reason, count) in reasons {
        println!("       {count} × {reason}");
    }
}

/// The answers one worker (or one side) read.
#[derive(Debug, Default)]
struct Tally {
    /// Starts answered.
    answered: u64,
    /// Answers `matched`.
    matched: u64,
    /// Answers `waiting` (or anything else but `matched`).
    waiting: u64,
    /// Starts refused or failed, by reason.
    errors: BTreeMap<String, u64>,
    /// Time to each answer.
    latency: Latencies,
}

impl Tally {
    /// Counts one start's outcome, sent at `sent`.
    fn record(&mut self, outcome: Result<Started, String>, sent: Instant) {
        match outcome {
            Ok(answer) => {
                self.latency.record(sent.elapsed().as_micros() as u64);
                self.answered += 1;
                match answer.status.as_str() {
                    "matched" => self.matched += 1,
                    _ => self.waiting += 1,
                }
            }
            Err(error) => *self.errors.entry(error).or_default() += 1,
        }
    }

    /// Adds another tally.
    fn merge(&mut self, other: Tally) {
        self.answered += other.answered;
        self.matched += other.matched;
        self.waiting += other.waiting;
        for (reason, count) in other.errors {
            *self.errors.entry(reason).or_default() += count;
        }
        self.latency.merge(other.latency);
    }

    /// Starts refused or failed.
    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// Starts `args.prefill` customer legs, `args.concurrency` at a time, and tallies the answers.
async fn prefill(clients: &Clients, args: &MatchArgs) -> PrefillReport {
    let started = Instant::now();
    let workers = args.concurrency.max(1);
    let tallies = join_all((0..workers).map(|worker| async move {
        let mut tally = Tally::default();
        for _ in (worker..args.prefill).step_by(workers) {
            let sent = Instant::now();
            let outcome = clients.start_call(worker, "customer", "prefill").await;
            tally.record(outcome, sent);
        }
        tally
    }))
    .await;
    let mut total = Tally::default();
    tallies.into_iter().for_each(|tally| total.merge(tally));
    PrefillReport {
        requested: args.prefill as u64,
        waiting: total.waiting,
        matched: total.matched,
        refused: total.error_count(),
        refusals: total.errors,
        duration_s: started.elapsed().as_secs_f64(),
    }
}

/// The measured window: `args.concurrency` workers, even ones customers and odd ones agents,
/// each starting calls back to back until `args.duration` has passed. Gives the customers' and
/// the agents' tallies and the seconds measured.
async fn window(clients: &Clients, args: &MatchArgs) -> (Tally, Tally, f64) {
    let started = Instant::now();
    let stop_at = started + Duration::from_secs_f64(args.duration);
    let workers = (0..args.concurrency.max(2)).map(|worker| async move {
        let role = if worker % 2 == 0 { "customer" } else { "agent" };
        let mut tally = Tally::default();
        while Instant::now() < stop_at {
            let sent = Instant::now();
            let outcome = clients.start_call(worker, role, "match").await;
            tally.record(outcome, sent);
        }
        (worker, tally)
    });
    let (mut customers, mut agents) = (Tally::default(), Tally::default());
    for (worker, tally) in join_all(workers).await {
        match worker % 2 {
            0 => customers.merge(tally),
            _ => agents.merge(tally),
        }
    }
    (customers, agents, started.elapsed().as_secs_f64())
}

/// Runs the scenario.
pub async fn run(clients: &Clients, args: &MatchArgs) -> Result<MatchReport, String> {
    let prefill = prefill(clients, args).await;
    if prefill.refused > 0 {
        eprintln!(
            "loadgen: {} of {} prefilled legs were refused",
            prefill.refused, prefill.requested
        );
    }
    let (customers, agents, elapsed) = window(clients, args).await;
    let customers_waiting_at_end =
        (prefill.waiting + customers.waiting) as i64 - agents.matched as i64;
    let agents_waiting_at_end =
        agents.waiting as i64 - (customers.matched + prefill.matched) as i64;
    let mut all = customers;
    all.merge(agents);
    let pairs = all.matched;
    Ok(MatchReport {
        requests: all.answered,
        pairs,
        pairs_per_second: pairs as f64 / elapsed,
        errors: all.error_count(),
        error_reasons: std::mem::take(&mut all.errors),
        duration_s: elapsed,
        latency: all.latency.summary(),
        prefill,
        customers_waiting_at_end,
        agents_waiting_at_end,
    })
}
