//! The `agent` scenario: seed 004's streamed answers. Opens `--connections` sockets on
//! `/ws/agent`, each asking `streaming_query` again and again (one stream in flight per socket,
//! as the seed allows) for `--duration` seconds; receives `stream_start`, the `stream_chunk`s
//! and `stream_end`, and measures the time to the first chunk, the gaps between chunks, and
//! the streams completed per second. It works against any server that speaks seed 004.

use std::time::{Duration, Instant};

use awc::ws::{Frame, Message};
use futures_util::future::join_all;
use futures_util::{SinkExt, StreamExt, stream};
use serde::Serialize;
use serde_json::{Value, json};

use crate::net::{Clients, Socket};
use crate::stats::{Latencies, Summary};

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
    /// The question every stream asks.
    #[arg(long, default_value = "你好，请介绍一下你自己")]
    pub query: String,
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
        for (name, s) in [("first chunk", &r.first_chunk), ("chunk gap", &r.chunk_gap)] {
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

/// Streams answers on `socket` until `stop_at`.
async fn stream_until(mut socket: Socket, query: &str, stop_at: Instant) -> Tally {
    let mut tally = Tally::default();
    let ask = json!({"type": "streaming_query", "query": query}).to_string();
    while Instant::now() < stop_at {
        let sent = Instant::now();
        if socket
            .send(Message::Text(ask.clone().into()))
            .await
            .is_err()
        {
            tally.errors += 1;
            break;
        }
        let mut last_chunk: Option<Instant> = None;
        loop {
            let Some(frame) = next_json(&mut socket).await else {
                tally.errors += 1;
                return tally;
            };
            match frame["type"].as_str() {
                Some("stream_chunk") => {
                    let now = Instant::now();
                    let since = last_chunk.unwrap_or(sent);
                    let latencies = match last_chunk {
                        None => &mut tally.first_chunk,
                        Some(_) => &mut tally.chunk_gap,
                    };
                    latencies.record(now.duration_since(since).as_micros() as u64);
                    last_chunk = Some(now);
                    tally.chunks += 1;
                }
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
    let connections = sockets.len();
    let started = Instant::now();
    let stop_at = started + duration;
    let tallies = join_all(
        sockets
            .into_iter()
            .map(|socket| stream_until(socket, &args.query, stop_at)),
    )
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let (mut first_chunk, mut chunk_gap) = (Latencies::default(), Latencies::default());
    let (mut streams, mut chunks, mut errors) = (0, 0, 0);
    for tally in tallies {
        first_chunk.merge(tally.first_chunk);
        chunk_gap.merge(tally.chunk_gap);
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
        duration_s: elapsed,
    })
}
