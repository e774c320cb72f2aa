//! The `agent` scenario: seed 004's streamed answers. Opens `--connections` sockets on
//! `/ws/agent`, each asking `streaming_query` again and again (one stream in flight per socket,
//! as the seed allows) for `--duration` seconds; receives `stream_start`, the `stream_chunk`s
//! and `stream_end`, and measures the time to the first chunk, the gaps between chunks, and
//! the streams completed per second. It works against any server that speaks seed 004.
//!
//! With `--upstream-port` it also runs a fake OpenAI-compatible model on that port
//! ([`upstream`](crate::upstream)), for the server under test to stream from (Switchboard with
//! `BOT_BACKEND=openai OPENAI_BASE_URL=http://127.0.0.1:PORT`, seed 004's stack with
//! `--upstream`). Each stream then asks a question of its own, the model records when it sent
//! each chunk of it, and the report adds how long the server held each chunk: the server's own
//! latency, the first chunk apart.

use std::time::{Duration, Instant};

use awc::ws::{Frame, Message};
use futures_util::future::join_all;
use futures_util::{SinkExt, StreamExt, stream};
use serde::Serialize;
use serde_json::{Value, json};

use crate::net::{Clients, Socket};
use crate::stats::{Latencies, Summary};
use crate::upstream::{self, SentTimes};

/// Upgrades in flight at once while the sockets open.
const CONNECT_CONCURRENCY: usize = 64;

/// Options of the `agent` scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct AgentArgs {
    /// Sockets streaming at once.
    #[arg(long, default_value_t = 100)]
    pub connections: usize,
    /// Seconds to run once every socket is open.
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// The question every stream asks (with `--upstream-port`, made unique per stream).
    #[arg(long, default_value = "你好，请介绍一下你自己")]
    pub query: String,
    /// Run a fake OpenAI-compatible model on this port for the server to stream from.
    #[arg(long)]
    pub upstream_port: Option<u16>,
    /// Chunks in each of the fake model's answers.
    #[arg(long, default_value_t = 20)]
    pub upstream_chunks: usize,
    /// Milliseconds between two of the fake model's chunks.
    #[arg(long, default_value_t = 10)]
    pub upstream_gap_ms: u64,
}

/// What an `agent` run measured.
#[derive(Debug, Clone, Serialize)]
pub struct AgentReport {
    /// Sockets open for the run.
    pub connections: usize,
    /// Streams that reached `stream_end`.
    pub streams: u64,
    /// Streams completed per second.
    pub streams_per_second: f64,
    /// Chunks received.
    pub chunks: u64,
    /// Error frames, sockets that failed, and streams cut short.
    pub errors: u64,
    /// From sending `streaming_query` to the first `stream_chunk`.
    pub first_chunk: Summary,
    /// Between two chunks of one stream.
    pub chunk_gap: Summary,
    /// With the fake model: from the model sending a stream's first chunk to its arrival.
    pub added_first_chunk: Option<Summary>,
    /// With the fake model: the same for every later chunk.
    pub added_later_chunks: Option<Summary>,
    /// Seconds measured.
    pub duration_s: f64,
}

impl AgentReport {
    /// Prints the report as a small table.
    pub fn print(&self) {
        let r = self;
        println!(
            "agent  sockets {}  streams {}  in {:.1}s  = {:.0} streams/s  chunks {}  (errors {})",
            r.connections, r.streams, r.duration_s, r.streams_per_second, r.chunks, r.errors
        );
        let added = [
            ("added 1st", r.added_first_chunk.as_ref()),
            ("added later", r.added_later_chunks.as_ref()),
        ];
        let rows = [
            ("first chunk", Some(&r.first_chunk)),
            ("chunk gap", Some(&r.chunk_gap)),
        ];
        for (name, s) in rows.into_iter().chain(added) {
            let Some(s) = s else { continue };
            println!(
                "       {name:<11} ms  p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
                s.p50_ms, s.p90_ms, s.p99_ms, s.p999_ms, s.max_ms
            );
        }
    }
}

/// One socket's tally.
#[derive(Default)]
struct Tally {
    /// Times to the first chunk.
    first_chunk: Latencies,
    /// Gaps between chunks.
    chunk_gap: Latencies,
    /// What the server added to first chunks (with the fake model).
    added_first: Latencies,
    /// What the server added to later chunks (with the fake model).
    added_later: Latencies,
    /// Streams completed.
    streams: u64,
    /// Chunks received.
    chunks: u64,
    /// Things that went wrong.
    errors: u64,
}

/// Opens one agent socket and reads its `connected`.
async fn open(clients: &Clients, n: usize) -> Result<Socket, String> {
    let mut socket = clients.socket(n, "/ws/agent").await?;
    match next_json(&mut socket).await {
        Some(frame) if frame["type"] == "connected" => Ok(socket),
        other => Err(format!("expected connected, got {other:?}")),
    }
}

/// The next text frame as JSON, answering pings on the way; `None` when the socket ends.
async fn next_json(socket: &mut Socket) -> Option<Value> {
    loop {
        match socket.next().await? {
            Ok(Frame::Text(bytes)) => return serde_json::from_slice(&bytes).ok(),
            Ok(Frame::Ping(payload)) => {
                let _ = socket.send(Message::Pong(payload)).await;
            }
            Ok(Frame::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// One stream being read.
struct Reading<'a> {
    /// When the question went out.
    asked: Instant,
    /// When the last chunk came, if one did.
    last_chunk: Option<Instant>,
    /// Chunks read so far.
    index: usize,
    /// The stream's key at the fake model, with its record, when there is one.
    upstream: Option<(&'a SentTimes, &'a str)>,
}

impl Tally {
    /// Times one chunk of `reading`.
    fn chunk(&mut self, reading: &mut Reading<'_>) {
        let now = Instant::now();
        let (latencies, since) = match reading.last_chunk {
            None => (&mut self.first_chunk, reading.asked),
            Some(last) => (&mut self.chunk_gap, last),
        };
        latencies.record(now.duration_since(since).as_micros() as u64);
        if let Some((times, key)) = reading.upstream
            && let Some(sent) = times.sent(key, reading.index)
        {
            let added = match reading.index {
                0 => &mut self.added_first,
                _ => &mut self.added_later,
            };
            added.record(now.duration_since(sent).as_micros() as u64);
        }
        reading.last_chunk = Some(now);
        reading.index += 1;
        self.chunks += 1;
    }
}

/// Streams answers on socket `n` until `stop_at`.
async fn stream_until(
    mut socket: Socket,
    n: usize,
    query: &str,
    stop_at: Instant,
    upstream: Option<&SentTimes>,
) -> Tally {
    let mut tally = Tally::default();
    let mut asked = 0usize;
    while Instant::now() < stop_at {
        let key = match upstream {
            Some(_) => format!("{query} #{n}.{asked}"),
            None => query.to_owned(),
        };
        asked += 1;
        let ask = json!({"type": "streaming_query", "query": key}).to_string();
        let mut reading = Reading {
            asked: Instant::now(),
            last_chunk: None,
            index: 0,
            upstream: upstream.map(|times| (times, key.as_str())),
        };
        if socket.send(Message::Text(ask.into())).await.is_err() {
            tally.errors += 1;
            break;
        }
        loop {
            let Some(frame) = next_json(&mut socket).await else {
                tally.errors += 1;
                return tally;
            };
            match frame["type"].as_str() {
                Some("stream_chunk") => tally.chunk(&mut reading),
                Some("stream_end") => {
                    tally.streams += 1;
                    break;
                }
                Some("error") => {
                    tally.errors += 1;
                    break;
                }
                _ => {}
            }
        }
        if let Some(times) = upstream {
            times.forget(&key);
        }
    }
    let _ = socket.send(Message::Close(None)).await;
    tally
}

/// Runs the scenario.
pub async fn run(clients: &Clients, args: &AgentArgs) -> Result<AgentReport, String> {
    let duration = Duration::try_from_secs_f64(args.duration).map_err(|_| {
        format!(
            "--duration {} is not a usable number of seconds",
            args.duration
        )
    })?;
    let opened: Vec<Result<Socket, String>> = stream::iter(0..args.connections.max(1))
        .map(|n| open(clients, n))
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect()
        .await;
    let sockets = opened.into_iter().collect::<Result<Vec<_>, _>>()?;
    let upstream = match args.upstream_port {
        Some(port) => {
            let gap = Duration::from_millis(args.upstream_gap_ms);
            Some(upstream::start(port, args.upstream_chunks, gap)?.1)
        }
        None => None,
    };
    let connections = sockets.len();
    let started = Instant::now();
    let stop_at = started + duration;
    let streams = sockets
        .into_iter()
        .enumerate()
        .map(|(n, socket)| stream_until(socket, n, &args.query, stop_at, upstream.as_ref()));
    let tallies = join_all(streams).await;
    let elapsed = started.elapsed().as_secs_f64();
    let (mut first_chunk, mut chunk_gap) = (Latencies::default(), Latencies::default());
    let (mut added_first, mut added_later) = (Latencies::default(), Latencies::default());
    let (mut streams, mut chunks, mut errors) = (0, 0, 0);
    for tally in tallies {
        first_chunk.merge(tally.first_chunk);
        chunk_gap.merge(tally.chunk_gap);
        added_first.merge(tally.added_first);
        added_later.merge(tally.added_later);
        streams += tally.streams;
        chunks += tally.chunks;
        errors += tally.errors;
    }
    Ok(AgentReport {
        connections,
        streams,
        streams_per_second: streams as f64 / elapsed,
        chunks,
        errors,
        first_chunk: first_chunk.summary(),
        chunk_gap: chunk_gap.summary(),
        added_first_chunk: upstream.is_some().then(|| added_first.summary()),
        added_later_chunks: upstream.is_some().then(|| added_later.summary()),
        duration_s: elapsed,
    })
}
