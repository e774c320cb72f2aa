//! Seed 003's admin monitor in a terminal: live statistics and user status changes. Run the
//! hub, make an admin token, then:
//!
//! ```text
//! cargo run --example monitor -- --token "$(switchboard token --user ops --role admin)"
//! ```
//!
//! Opens `/ws/admin/monitor` with the token as a bearer, asks for the statistics at once
//! (`get_stats`), and prints each `stats_update` as one line, each `user_status_update`,
//! `notification` and broadcast as they arrive, and `error` frames on stderr. A `ping` by
//! name is answered with `pong`. Ctrl-C closes the socket. `--updates N` exits 0 after N
//! `stats_update`s; exits 1 when the hub refuses or closes the socket.

#[path = "common/hub_url.rs"]
mod hub_url;

use std::process::ExitCode;

use awc::ws::{Frame, Message};
use chrono::{DateTime, Local};
use clap::Parser;
use futures_util::{SinkExt, StreamExt, future, stream};
use serde_json::{Value, json};

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(
    name = "monitor",
    about = "Shows a switchboard hub's live statistics and user status changes."
)]
struct Args {
    /// Base URL of the hub (plain HTTP).
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8000")]
    url: String,
    /// An admin token (`switchboard token --user ID --role admin`).
    #[arg(long, env = "SWITCHBOARD_TOKEN")]
    token: String,
    /// Exit after this many `stats_update`s (0: run until Ctrl-C).
    #[arg(long, default_value_t = 0)]
    updates: usize,
}

/// What happened next.
enum Input {
    /// A frame from the hub.
    Frame(Frame),
    /// The socket ended.
    Closed,
    /// Ctrl-C.
    Interrupted,
}

/// A frame's `timestamp` as local wall-clock time.
fn clock(value: &Value) -> String {
    value["timestamp"]
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|at| at.with_timezone(&Local).format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".into())
}

/// One `stats_update` as a line.
fn stats_line(value: &Value) -> String {
    let stats = &value["stats"];
    let n = |key: &str| stats[key].as_u64().unwrap_or_default();
    format!(
        "[{}] sockets {} open / {} ever, {} ended · users {} ({} sockets) · sessions {} · \
         messages {} in / {} out · errors {} · monitors {} · up {} s",
        clock(value),
        n("active_connections"),
        n("total_connections"),
        n("disconnections"),
        n("active_users"),
        n("total_user_connections"),
        n("active_sessions"),
        n("messages_received"),
        n("messages_sent"),
        n("errors"),
        n("monitors"),
        n("uptime_seconds"),
    )
}

/// Prints one frame; what to answer, if anything.
fn show(value: &Value) -> Option<Value> {
    let field = |name: &str| value[name].as_str().unwrap_or_default().to_owned();
    match field("type").as_str() {
        "connection_established" => {
            println!("[{}] monitoring as {}", clock(value), field("user_id"));
            return Some(json!({"type": "get_stats"}));
        }
        "stats_update" => println!("{}", stats_line(value)),
        "user_status_update" => {
            let (user, status) = (field("user_id"), field("status"));
            println!("[{}] user {user} is {status}", clock(value));
        }
        "notification" => {
            let note = &value["notification"];
            let text = |name: &str| note[name].as_str().unwrap_or_default().to_owned();
            let link = note["action_url"].as_str().map(|url| format!(" → {url}"));
            println!(
                "[{}] [{}] {}: {}{}",
                clock(note),
                text("type"),
                text("title"),
                text("message"),
                link.unwrap_or_default()
            );
        }
        "ping" => {
            println!("[{}] pinged by an admin", clock(value));
            return Some(json!({"type": "pong"}));
        }
        "pong" => {}
        "error" => eprintln!("error: {} ({})", field("detail"), field("error")),
        kind => println!("[{}] {kind}: {}", clock(value), value["data"]),
    }
    None
}

/// Follows the monitor until Ctrl-C, `--updates` updates, or the socket closing.
async fn run(args: Args) -> Result<(), String> {
    let base = hub_url::base_url(&args.url)?.to_owned();
    let address = format!("{base}/ws/admin/monitor");
    let (_, socket) = awc::Client::default()
        .ws(address.as_str())
        .bearer_auth(&args.token)
        .connect()
        .await
        .map_err(|error| format!("cannot open {address}: {error}"))?;
    let (mut sink, frames) = socket.split();
    let frames = frames
        .map(|frame| frame.map_or(Input::Closed, Input::Frame))
        .chain(stream::once(future::ready(Input::Closed)));
    let interrupt = stream::once(async {
        let _ = actix_rt::signal::ctrl_c().await;
        Input::Interrupted
    });
    let mut inputs = stream::select(frames.boxed_local(), interrupt.boxed_local());
    let mut updates = 0;
    while let Some(input) = inputs.next().await {
        let value: Value = match input {
            Input::Frame(Frame::Text(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Input::Frame(Frame::Ping(payload)) => {
                let _ = sink.send(Message::Pong(payload)).await;
                continue;
            }
            Input::Frame(Frame::Close(reason)) => {
                return Err(format!("the hub closed the monitor: {reason:?}"));
            }
            Input::Frame(_) => continue,
            Input::Closed => return Err("the socket closed".into()),
            Input::Interrupted => break,
        };
        if let Some(answer) = show(&value) {
            let answer = Message::Text(answer.to_string().into());
            sink.send(answer).await.map_err(|error| error.to_string())?;
        }
        updates += usize::from(value["type"] == "stats_update");
        if args.updates > 0 && updates >= args.updates {
            break;
        }
    }
    let _ = sink.send(Message::Close(None)).await;
    Ok(())
}

/// Runs the monitor and reports how it went as the exit code.
#[actix_web::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}
