//! The `idle` scenario: opens N call sockets (each a waiting customer) and holds them open,
//! answering the server's pings. Sends `POST /api/calls/start` and WebSocket upgrades; receives
//! queue updates and pings. Reports how many were held, the connect rate, and, given the
//! server's pid, its resident memory per connection.

use std::time::{Duration, Instant};

use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt, stream};
use serde::Serialize;

use crate::net::{Clients, Socket, resident_kib};

/// Options of the `idle` scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct IdleArgs {
    /// Sockets to open.
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Upgrades in flight at once.
    #[arg(long, default_value_t = 256)]
    pub connect_concurrency: usize,
    /// Seconds to hold every socket open once all are connected.
    #[arg(long, default_value_t = 10.0)]
    pub hold: f64,
    /// The server's process id, to read its resident memory from /proc.
    #[arg(long)]
    pub server_pid: Option<u32>,
}

/// What an `idle` run measured.
#[derive(Debug, Clone, Serialize)]
pub struct IdleReport {
    /// Sockets asked for.
    pub requested: usize,
    /// Sockets open after the hold.
    pub held: usize,
    /// Sockets that failed to open.
    pub failed: usize,
    /// First failure, if any.
    pub first_error: Option<String>,
    /// Sockets opened per second (call start plus upgrade).
    pub connect_rate: f64,
    /// Server memory before, KiB.
    pub server_rss_before_kib: Option<u64>,
    /// Server memory with every socket open, KiB.
    pub server_rss_after_kib: Option<u64>,
    /// (after - before) / held, in KB (1000 bytes).
    pub server_kb_per_connection: Option<f64>,
}

impl IdleReport {
    /// Prints the report as a small table.
    pub fn print(&self) {
        let r = self;
        println!(
            "idle   held {}/{}  failed {}  connect rate {:.0}/s",
            r.held, r.requested, r.failed, r.connect_rate
        );
        if let (Some(before), Some(after)) = (r.server_rss_before_kib, r.server_rss_after_kib) {
            println!(
                "       server RSS {} KiB -> {} KiB  ({:.2} KB per connection)",
                before,
                after,
                r.server_kb_per_connection.unwrap_or(0.0)
            );
        }
        if let Some(error) = &r.first_error {
            println!("       first error: {error}");
        }
    }
}

/// Runs the scenario.
pub async fn run(clients: &Clients, args: &IdleArgs) -> Result<IdleReport, String> {
    let rss = || args.server_pid.map(resident_kib).transpose();
    let before = rss()?;
    let started = Instant::now();
    let results: Vec<Result<Socket, String>> = stream::iter(0..args.connections)
        .map(|n| async move {
            let call = clients
                .start_call(n, "customer", &format!("idle-{n}"))
                .await?;
            clients.call_socket(n, &call.call_id).await
        })
        .buffer_unordered(args.connect_concurrency.max(1))
        .collect()
        .await;
    let connect_time = started.elapsed().as_secs_f64();
    let mut first_error = None;
    let mut sockets = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(socket) => sockets.push(socket),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    let failed = args.connections - sockets.len();
    let hold_until = Instant::now() + Duration::from_secs_f64(args.hold);
    let holders = sockets.into_iter().map(|socket| hold(socket, hold_until));
    let settle = actix_rt::time::sleep(Duration::from_secs_f64(args.hold / 2.0));
    let (alive, after) =
        futures_util::future::join(futures_util::future::join_all(holders), async {
            settle.await;
            rss()
        })
        .await;
    let after = after?;
    let held = alive.into_iter().filter(|&open| open).count();
    let per_connection = match (before, after) {
        (Some(before), Some(after)) if held > 0 => {
            Some(after.saturating_sub(before) as f64 * 1.024 / held as f64)
        }
        _ => None,
    };
    Ok(IdleReport {
        requested: args.connections,
        held,
        failed,
        first_error,
        connect_rate: (args.connections - failed) as f64 / connect_time.max(1e-9),
        server_rss_before_kib: before,
        server_rss_after_kib: after,
        server_kb_per_connection: per_connection,
    })
}

/// Keeps one socket open until `until`, answering pings. True if it was still open then.
async fn hold(mut socket: Socket, until: Instant) -> bool {
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match actix_rt::time::timeout(left, socket.next()).await {
            Err(_) => return true,
            Ok(Some(Ok(Frame::Ping(payload)))) => {
                if socket.send(Message::Pong(payload)).await.is_err() {
                    return false;
                }
            }
            Ok(Some(Ok(Frame::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return false,
            Ok(Some(Ok(_))) => {}
        }
    }
}
