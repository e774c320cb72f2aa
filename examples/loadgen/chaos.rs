//! The `chaos` scenario: misbehaving clients on raw TCP at a set rate, against a running hub.
//! Each act (see [`acts`]) throws random and mutated frames at `/ws/call/{id}` or `/ws/desk`
//! (invalid UTF-8, fragmented messages, binary noise, protocol violations), declares a huge
//! frame and trickles it, stops reading while events are sent to it, or stalls a `POST` body.
//! Receives everything the hub answers and counts it (frames sent, error frames by code, closes
//! by code, resets, HTTP statuses, how each kind of act ended), samples the hub's resident
//! memory each second when given its pid, and ends by asking `/api/health`. It reports what
//! happened and asserts nothing about it.

#[path = "chaos/acts.rs"]
mod acts;
#[path = "chaos/garble.rs"]
mod garble;
#[path = "chaos/tally.rs"]
mod tally;
#[path = "chaos/wire.rs"]
mod wire;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use serde::Serialize;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep, timeout};

use crate::net::{Clients, resident_kib};
use acts::{Act, Stage};
use tally::{Counts, Tally};

/// How long the run waits for its last acts beyond the stall.
const FINISH_GRACE: Duration = Duration::from_secs(15);

/// Options of the `chaos` scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct ChaosArgs {
    /// Acts started per second (each opens one or two connections).
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Seconds during which acts start; the run then waits for the last ones to finish.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds that stalled readers, stalled bodies and oversize trickles are held.
    #[arg(long, default_value_t = 15.0)]
    pub stall: f64,
    /// Frames in each salvo.
    #[arg(long, default_value_t = 8)]
    pub frames: usize,
    /// Transcripts a second (8,000 characters each) sent at each stalled reader: 100 make
    /// 12 MB over a 15 s stall, more than the kernel's socket buffers hide.
    #[arg(long, default_value_t = 100.0)]
    pub push_rate: f64,
    /// Most acts running at once; an act due beyond that is skipped and counted.
    #[arg(long, default_value_t = 512)]
    pub max_in_flight: usize,
    /// Seed of every random choice (default: from the clock); reported, so a run can be
    /// repeated.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The hub's process id, to sample its resident memory each second.
    #[arg(long, alias = "server-pid")]
    pub hub_pid: Option<u32>,
}

/// The hub's resident memory over the run, in KiB.
#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    /// Before the first act.
    pub start_kib: u64,
    /// The largest sample.
    pub peak_kib: u64,
    /// After the last act.
    pub end_kib: u64,
    /// `[seconds since start, KiB]`, one a second.
    pub samples: Vec<(f64, u64)>,
}

/// What a `chaos` run saw.
#[derive(Debug, Clone, Serialize)]
pub struct ChaosReport {
    /// The seed of the run's random choices.
    pub seed: u64,
    /// Acts started per second, as asked.
    pub rate: f64,
    /// Seconds from the first act to the end of the last.
    pub duration_s: f64,
    /// Seconds each stall was held.
    pub stall_s: f64,
    /// Everything counted.
    #[serde(flatten)]
    pub tally: Tally,
    /// The hub's memory, when its pid was given.
    pub memory: Option<Memory>,
    /// `ok` when `/api/health` answered 200 with status ok at the end, else what happened.
    pub health: String,
}

/// Runs the scenario against the hub behind `clients`.
pub async fn run(clients: &Clients, args: &ChaosArgs) -> Result<ChaosReport, String> {
    let seconds = |value: f64, flag: &str| {
        Duration::try_from_secs_f64(value)
            .map_err(|_| format!("--{flag} {value} is not a usable number of seconds"))
    };
    let (duration, stall) = (
        seconds(args.duration, "duration")?,
        seconds(args.stall, "stall")?,
    );
    for (value, flag) in [(args.rate, "rate"), (args.push_rate, "push-rate")] {
        if !(value > 0.0 && value.is_finite()) {
            return Err(format!("--{flag} {value} must be a positive number"));
        }
    }
    let hub = resolve(clients.base()).await?;
    let seed = args.seed.unwrap_or_else(|| {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        since.map_or(0, |since| since.as_nanos() as u64)
    });
    let stage = Rc::new(Stage::new(hub, stall, args.frames, args.push_rate));
    let samples = Rc::new(RefCell::new(Vec::new()));
    let started = Instant::now();
    let sampler = args.hub_pid.map(|pid| {
        let samples = samples.clone();
        actix_rt::spawn(async move {
            loop {
                if let Ok(kib) = resident_kib(pid) {
                    samples
                        .borrow_mut()
                        .push((started.elapsed().as_secs_f64(), kib));
                }
                sleep(Duration::from_secs(1)).await;
            }
        })
    });
    launch(&stage, args, seed, duration).await;
    let duration_s = started.elapsed().as_secs_f64();
    let health = health(&stage).await;
    if let Some(sampler) = sampler {
        sampler.abort();
    }
    let memory = args
        .hub_pid
        .and_then(|pid| memory(&samples.borrow(), pid, started));
    let tally = stage.tally.borrow().clone();
    Ok(ChaosReport {
        seed,
        rate: args.rate,
        duration_s,
        stall_s: args.stall,
        tally,
        memory,
        health,
    })
}

/// Starts acts at the rate for `duration`, then waits (bounded) for the last to finish.
async fn launch(stage: &Rc<Stage>, args: &ChaosArgs, seed: u64, duration: Duration) {
    let mut rng = garble::Rng::new(seed);
    let mut ticker = interval(Duration::from_secs_f64(1.0 / args.rate));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let stop_at = Instant::now() + duration;
    let mut running = Vec::new();
    while Instant::now() < stop_at {
        ticker.tick().await;
        running.retain(|act: &actix_rt::task::JoinHandle<()>| !act.is_finished());
        let (act, act_seed) = (Act::pick(&mut rng), rng.next());
        if running.len() >= args.max_in_flight {
            stage.tally.borrow_mut().skipped += 1;
            continue;
        }
        tally::bump(&mut stage.tally.borrow_mut().acts, act.name());
        let stage = stage.clone();
        running.push(actix_rt::spawn(async move {
            stage.perform(act, act_seed).await;
        }));
    }
    let patience = stage.stall + FINISH_GRACE;
    let all = futures_util::future::join_all(running);
    if timeout(patience, all).await.is_err() {
        stage
            .tally
            .borrow_mut()
            .setup_failure("acts still running at the end");
    }
}

/// The host and address of `base` (`http://host:port`).
async fn resolve(base: &str) -> Result<(String, std::net::SocketAddr), String> {
    let authority = base
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .ok_or_else(|| format!("'{base}' is not an http:// URL"))?;
    let with_port = match authority.rsplit_once(':') {
        Some((_, port)) if port.parse::<u16>().is_ok() => authority.to_owned(),
        _ => format!("{authority}:80"),
    };
    let mut found = tokio::net::lookup_host(&with_port)
        .await
        .map_err(|error| format!("cannot resolve {with_port}: {error}"))?;
    let target = found
        .next()
        .ok_or_else(|| format!("no address for {with_port}"))?;
    Ok((authority.to_owned(), target))
}

/// Asks `/api/health`: `ok`, or what came back instead.
async fn health(stage: &Stage) -> String {
    let request = format!(
        "GET /api/health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        stage.host
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    match wire::exchange(stage.target, request.as_bytes(), deadline).await {
        Ok((200, body)) => {
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            match body["status"].as_str() {
                Some("ok") => "ok".to_owned(),
                _ => format!("200 without status ok: {body}"),
            }
        }
        Ok((status, _)) => format!("status {status}"),
        Err(ending) => format!("no answer: {}", ending.label()),
    }
}

/// The memory figures from the samples and one last reading.
fn memory(samples: &[(f64, u64)], pid: u32, started: Instant) -> Option<Memory> {
    let mut samples = samples.to_vec();
    if let Ok(kib) = resident_kib(pid) {
        samples.push((started.elapsed().as_secs_f64(), kib));
    }
    Some(Memory {
        start_kib: samples.first()?.1,
        peak_kib: samples.iter().map(|sample| sample.1).max()?,
        end_kib: samples.last()?.1,
        samples,
    })
}

impl ChaosReport {
    /// Prints the summary.
    pub fn print(&self) {
        let r = self;
        let t = &r.tally;
        let acts: u64 = t.acts.values().sum();
        println!(
            "chaos  acts {acts} ({})  skipped {}  in {:.1}s  rate {}/s  stall {}s  seed {}",
            listed(&t.acts),
            t.skipped,
            r.duration_s,
            r.rate,
            r.stall_s,
            r.seed
        );
        let errors: u64 = t.error_frames.values().sum();
        println!(
            "       frames sent {}  error frames {errors} ({})  other frames {}",
            t.frames_sent,
            listed(&t.error_frames),
            t.other_frames
        );
        println!(
            "       closes by code ({})  resets {}  ended without close {}  open at deadline {}",
            listed(&t.closes),
            t.resets,
            t.ended_without_close,
            t.open_at_deadline
        );
        println!("       http ({})", listed(&t.http_statuses));
        for (kind, outcomes) in &t.outcomes {
            println!("       {kind}: {}", listed(outcomes));
        }
        if let Some(cut) = spread(&t.partner_cut_after_s) {
            println!("       stalled readers cut, partner told after s: {cut}");
        }
        if !t.setup_failures.is_empty() {
            println!("       setup failures ({})", listed(&t.setup_failures));
        }
        if let Some(memory) = &r.memory {
            println!(
                "       hub RSS KiB  start {}  peak {}  end {}",
                memory.start_kib, memory.peak_kib, memory.end_kib
            );
        }
        println!("       health: {}", r.health);
    }

    /// Whether the hub still answered `/api/health` at the end.
    pub fn hub_alive(&self) -> bool {
        self.health == "ok"
    }
}

/// `min a  median b  max c  (n)` of the samples, if any.
fn spread(samples: &[f64]) -> Option<String> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (first, last) = (sorted.first()?, sorted.last()?);
    let median = sorted[sorted.len() / 2];
    let count = sorted.len();
    Some(format!(
        "min {first:.1}  median {median:.1}  max {last:.1}  ({count})"
    ))
}

/// `label n, label n` for the counts.
fn listed(counts: &Counts) -> String {
    let items: Vec<String> = counts
        .iter()
        .map(|(label, count)| format!("{label} {count}"))
        .collect();
    items.join(", ")
}
