//! The `calls` scenario: N customer/agent pairs through `POST /api/calls/start` and
//! `/ws/call/{id}`, each side sending transcripts at a fixed share of the offered rate. Sends
//! `transcript` frames whose text carries the pair, the side, a sequence number and the
//! send time; receives the partner's, and measures relay latency, delivered rate and
//! every lost, duplicated or misrouted message. Speaks only the seed-000 subset, so it drives
//! any server that speaks seed 000.

use std::borrow::Cow;
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_rt::time::{interval_at, timeout};
use awc::ws::{Frame, Message};
use futures_util::future::{Either, join_all, select};
use futures_util::{SinkExt, StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};

use crate::net::{Clients, Socket};
use crate::stats::{Latencies, Summary};

/// Options of the `calls` scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct CallsArgs {
    /// Customer/agent pairs.
    #[arg(long, default_value_t = 100)]
    pub pairs: usize,
    /// Offered load in transcripts per second, all sockets together.
    #[arg(long, default_value_t = 10_000.0)]
    pub rate: f64,
    /// Seconds of measured sending, after the ramp.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds over which the senders start one by one (not measured).
    #[arg(long, default_value_t = 2.0)]
    pub ramp: f64,
    /// Seconds to wait for stragglers after the last send.
    #[arg(long, default_value_t = 3.0)]
    pub drain: f64,
    /// Calls set up at once.
    #[arg(long, default_value_t = 64)]
    pub setup_concurrency: usize,
}

/// What a `calls` run measured.
#[derive(Debug, Clone, Serialize)]
pub struct CallsReport {
    /// Pairs that talked.
    pub pairs: usize,
    /// Offered transcripts per second.
    pub offered_rate: f64,
    /// Measured seconds.
    pub duration_s: f64,
    /// Transcripts sent in the measured window.
    pub sent: u64,
    /// Of those, delivered to the right partner.
    pub delivered: u64,
    /// Delivered transcripts per second in the measured window.
    pub delivered_rate: f64,
    /// Sent (whole run) but never delivered.
    pub lost: u64,
    /// Delivered more than once or out of order.
    pub duplicated: u64,
    /// Delivered to a socket that was not the sender's partner, or with the wrong speaker.
    pub misrouted: u64,
    /// Error frames received (a server refusing a line says so instead of dropping it).
    pub errors: u64,
    /// Relay latency from the scheduled send time, in the measured window.
    pub latency: Summary,
}

/// When each socket sends.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    /// The instant that send times are measured from.
    epoch: Instant,
    /// Gap between two sends of one socket.
    period: Duration,
    /// First instant of the measured window.
    measure_from: Instant,
    /// No sends at or after this instant.
    stop_at: Instant,
    /// Stop listening at this instant whatever is missing.
    give_up_at: Instant,
}

impl Schedule {
    /// Whether a transcript sent at `sent_at` falls in the measured window.
    fn measures(&self, sent_at: Instant) -> bool {
        sent_at >= self.measure_from && sent_at < self.stop_at
    }
}

/// What one side saw.
#[derive(Debug, Default)]
struct SideResult {
    /// Transcripts sent in the measured window.
    sent_measured: u64,
    /// Partner transcripts received from the measured window.
    delivered_measured: u64,
    /// Partner transcripts received in all.
    received: u64,
    /// Received out of order or twice.
    duplicated: u64,
    /// Received with the wrong pair, side or speaker.
    misrouted: u64,
    /// Error frames received.
    errors: u64,
    /// Latency samples from the measured window.
    latencies: Latencies,
}

/// One side of a pair.
struct Side {
    /// The pair's number.
    pair: usize,
    /// `c` or `a`.
    tag: char,
    /// The partner's role as the server names it in `speaker`.
    partner_role: &'static str,
    /// The open socket.
    socket: Socket,
    /// How many this side has sent, read by the partner to know when it has everything.
    sent: Rc<Cell<u64>>,
    /// Set when this side has sent its last transcript.
    done: Rc<Cell<bool>>,
}

/// The fields of an inbound frame the generator reads.
#[derive(Deserialize)]
struct Inbound<'a> {
    /// Frame type.
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    /// Transcript text.
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    /// Transcript speaker.
    #[serde(borrow)]
    speaker: Option<Cow<'a, str>>,
}

impl CallsReport {
    /// Prints the report as a small table.
    pub fn print(&self) {
        let r = self;
        println!(
            "calls  pairs {}  offered {:.0}/s  delivered {:.0}/s  sent {}  delivered {}",
            r.pairs, r.offered_rate, r.delivered_rate, r.sent, r.delivered
        );
        println!(
            "       latency ms  p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}",
            r.latency.p50_ms,
            r.latency.p90_ms,
            r.latency.p99_ms,
            r.latency.p999_ms,
            r.latency.max_ms
        );
        println!(
            "       lost {}  duplicated {}  misrouted {}  error frames {}",
            r.lost, r.duplicated, r.misrouted, r.errors
        );
    }
}

/// Runs the scenario.
pub async fn run(clients: &Clients, args: &CallsArgs) -> Result<CallsReport, String> {
    if args.pairs == 0 || args.rate <= 0.0 || args.duration <= 0.0 {
        return Err("--pairs, --rate and --duration must be positive".into());
    }
    let pairs = set_up(clients, args).await?;
    let per_socket = args.rate / (2 * args.pairs) as f64;
    let epoch = Instant::now() + Duration::from_millis(100);
    let measure_from = epoch + Duration::from_secs_f64(args.ramp);
    let stop_at = measure_from + Duration::from_secs_f64(args.duration);
    let schedule = Schedule {
        epoch,
        period: Duration::from_secs_f64(1.0 / per_socket),
        measure_from,
        stop_at,
        give_up_at: stop_at + Duration::from_secs_f64(args.drain),
    };
    let sockets = 2 * args.pairs;
    let talks = pairs
        .into_iter()
        .enumerate()
        .map(|(pair, (customer, agent))| {
            let stagger = |n: usize| start_offset(n, sockets, args.ramp, schedule.period);
            talk(
                pair,
                customer,
                agent,
                schedule,
                [stagger(2 * pair), stagger(2 * pair + 1)],
            )
        });
    let mut total = SideResult::default();
    let mut sent_all = 0;
    for (sides, sent) in join_all(talks).await {
        sent_all += sent;
        for side in sides {
            total.sent_measured += side.sent_measured;
            total.delivered_measured += side.delivered_measured;
            total.received += side.received;
            total.duplicated += side.duplicated;
            total.misrouted += side.misrouted;
            total.errors += side.errors;
            total.latencies.merge(side.latencies);
        }
    }
    Ok(CallsReport {
        pairs: args.pairs,
        offered_rate: args.rate,
        duration_s: args.duration,
        sent: total.sent_measured,
        delivered: total.delivered_measured,
        delivered_rate: total.delivered_measured as f64 / args.duration,
        lost: sent_all.saturating_sub(total.received - total.duplicated),
        duplicated: total.duplicated,
        misrouted: total.misrouted,
        errors: total.errors,
        latency: total.latencies.summary(),
    })
}

/// When socket `n` of `sockets` sends first, in seconds after the epoch: sockets join one by
/// one over the ramp, and their phases are spread evenly over one period so that the offered
/// load arrives smoothly instead of in bursts of simultaneous sends.
fn start_offset(n: usize, sockets: usize, ramp: f64, period: Duration) -> f64 {
    let period = period.as_secs_f64();
    let share = n as f64 / sockets as f64;
    let joins_after = (ramp * share / period).floor() * period;
    joins_after + period * share
}

/// Starts every customer, then every agent; pairs the sockets by the partner each agent was
/// given, and waits until every socket has heard `call_matched`.
async fn set_up(clients: &Clients, args: &CallsArgs) -> Result<Vec<(Socket, Socket)>, String> {
    let customers: Vec<(String, Socket)> = stream::iter(0..args.pairs)
        .map(|n| async move {
            let started = clients
                .start_call(n, "customer", &format!("lg-c{n}"))
                .await?;
            let socket = clients.call_socket(n, &started.call_id).await?;
            Ok::<_, String>((started.call_id, socket))
        })
        .buffer_unordered(args.setup_concurrency.max(1))
        .try_collect()
        .await?;
    let mut agents: std::collections::HashMap<String, Socket> = stream::iter(0..args.pairs)
        .map(|n| async move {
            let started = clients.start_call(n, "agent", &format!("lg-a{n}")).await?;
            let partner = started
                .partner_call_id
                .filter(|_| started.status == "matched")
                .ok_or_else(|| {
                    format!("agent {n} was not matched at once: the queue is not empty")
                })?;
            let socket = clients.call_socket(n, &started.call_id).await?;
            Ok::<_, String>((partner, socket))
        })
        .buffer_unordered(args.setup_concurrency.max(1))
        .try_collect()
        .await?;
    let mut pairs = Vec::with_capacity(args.pairs);
    for (call_id, customer) in customers {
        let agent = agents
            .remove(&call_id)
            .ok_or_else(|| format!("no agent was matched with {call_id}"))?;
        pairs.push((customer, agent));
    }
    let ready = pairs
        .iter_mut()
        .flat_map(|(c, a)| [c, a])
        .map(wait_for_match);
    for result in join_all(ready).await {
        result?;
    }
    Ok(pairs)
}

/// Reads frames until `call_matched`.
async fn wait_for_match(socket: &mut Socket) -> Result<(), String> {
    loop {
        let frame = timeout(Duration::from_secs(30), socket.next())
            .await
            .map_err(|_| "no call_matched within 30 s".to_owned())?;
        match frame {
            Some(Ok(Frame::Text(bytes))) => {
                let inbound: Inbound<'_> = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("server sent non-JSON: {e}"))?;
                if inbound.kind == "call_matched" {
                    return Ok(());
                }
            }
            Some(Ok(Frame::Ping(payload))) => {
                let _ = socket.send(Message::Pong(payload)).await;
            }
            Some(Ok(Frame::Close(_))) => return Err("socket closed before the match".into()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("socket error before the match: {e}")),
            None => return Err("socket closed before the match".into()),
        }
    }
}

/// Both sides of one pair, concurrently; neither socket closes before both sides have heard
/// everything. Returns their results and how many they sent.
async fn talk(
    pair: usize,
    customer: Socket,
    agent: Socket,
    schedule: Schedule,
    offsets: [f64; 2],
) -> (Vec<SideResult>, u64) {
    let counters = [Rc::new(Cell::new(0)), Rc::new(Cell::new(0))];
    let done = [Rc::new(Cell::new(false)), Rc::new(Cell::new(false))];
    let side = |n: usize, tag, partner_role, socket| Side {
        pair,
        tag,
        partner_role,
        socket,
        sent: counters[n].clone(),
        done: done[n].clone(),
    };
    let customer = side(0, 'c', "agent", customer);
    let agent = side(1, 'a', "customer", agent);
    let (c, a) = futures_util::future::join(
        run_side(
            customer,
            (counters[1].clone(), done[1].clone()),
            schedule,
            offsets[0],
        ),
        run_side(
            agent,
            (counters[0].clone(), done[0].clone()),
            schedule,
            offsets[1],
        ),
    )
    .await;
    let sent = counters[0].get() + counters[1].get();
    futures_util::future::join(close_gracefully(c.1), close_gracefully(a.1)).await;
    (vec![c.0, a.0], sent)
}

/// Sends on schedule and reads the partner's lines until everything arrived or time is up.
async fn run_side(
    mut side: Side,
    (partner_sent, partner_done): (Rc<Cell<u64>>, Rc<Cell<bool>>),
    schedule: Schedule,
    offset: f64,
) -> (SideResult, Socket) {
    let mut result = SideResult::default();
    let mut ticks = interval_at(
        (schedule.epoch + Duration::from_secs_f64(offset)).into(),
        schedule.period,
    );
    let mut next_seq = 0u64;
    let mut expected_seq = 0u64;
    let mut sending = true;
    loop {
        if !sending && partner_done.get() && result.received >= partner_sent.get() {
            break;
        }
        let now = Instant::now();
        if now >= schedule.give_up_at {
            break;
        }
        let still_sending = sending;
        let wait_for_tick = async {
            if still_sending {
                ticks.tick().await.into_std()
            } else {
                std::future::pending().await
            }
        };
        let frame = timeout(schedule.give_up_at - now, side.socket.next());
        match select(std::pin::pin!(wait_for_tick), std::pin::pin!(frame)).await {
            Either::Left((scheduled, _)) => {
                if scheduled >= schedule.stop_at {
                    sending = false;
                    side.done.set(true);
                    continue;
                }
                let sent_at = Instant::now();
                let micros = sent_at
                    .saturating_duration_since(schedule.epoch)
                    .as_micros();
                let text = format!(
                    r#"{{"type":"transcript","text":"lg {} {} {} {}"}}"#,
                    side.pair, side.tag, next_seq, micros
                );
                if side.socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
                next_seq += 1;
                side.sent.set(next_seq);
                if schedule.measures(sent_at) {
                    result.sent_measured += 1;
                }
            }
            Either::Right((Ok(Some(Ok(Frame::Text(bytes)))), _)) => {
                check_line(&side, &bytes, &schedule, &mut expected_seq, &mut result);
            }
            Either::Right((Ok(Some(Ok(Frame::Ping(payload)))), _)) => {
                let _ = side.socket.send(Message::Pong(payload)).await;
            }
            Either::Right((Ok(Some(Ok(Frame::Close(_)))), _)) => break,
            Either::Right((Ok(Some(Ok(_))), _)) => {}
            Either::Right(_) => break,
        }
    }
    if sending {
        side.done.set(true);
    }
    (result, side.socket)
}

/// Closes a socket with a close frame and waits (briefly) for the server's, so that nothing
/// still in flight is cut off by an abrupt reset.
async fn close_gracefully(mut socket: Socket) {
    if socket.send(Message::Close(None)).await.is_err() {
        return;
    }
    let _ = timeout(Duration::from_secs(2), async {
        while let Some(Ok(frame)) = socket.next().await {
            if matches!(frame, Frame::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// Checks one inbound frame against what the partner should have sent.
fn check_line(
    side: &Side,
    bytes: &[u8],
    schedule: &Schedule,
    expected_seq: &mut u64,
    result: &mut SideResult,
) {
    let Ok(inbound) = serde_json::from_slice::<Inbound<'_>>(bytes) else {
        result.misrouted += 1;
        return;
    };
    match inbound.kind.as_ref() {
        "transcript" => {}
        "error" => {
            result.errors += 1;
            return;
        }
        _ => return,
    }
    let partner_tag = if side.tag == 'c' { "a" } else { "c" };
    let text = inbound.text.unwrap_or_default();
    let fields: Vec<&str> = text.split(' ').collect();
    let parsed = match fields.as_slice() {
        ["lg", pair, tag, seq, micros] => pair
            .parse::<usize>()
            .ok()
            .filter(|&p| p == side.pair && *tag == partner_tag)
            .and(seq.parse::<u64>().ok())
            .zip(micros.parse::<u64>().ok()),
        _ => None,
    };
    let speaker_ok = inbound.speaker.as_deref() == Some(side.partner_role);
    let Some((seq, micros)) = parsed.filter(|_| speaker_ok) else {
        result.misrouted += 1;
        return;
    };
    result.received += 1;
    if seq != *expected_seq {
        result.duplicated += u64::from(seq < *expected_seq);
    }
    *expected_seq = (*expected_seq).max(seq + 1);
    let sent_at = schedule.epoch + Duration::from_micros(micros);
    if schedule.measures(sent_at) {
        result.delivered_measured += 1;
        let latency = Instant::now().saturating_duration_since(sent_at);
        result.latencies.record(latency.as_micros() as u64);
    }
}
