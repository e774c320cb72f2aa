//! An agent desk for seed-001 handovers. Run the hub, then:
//!
//! ```text
//! cargo run --example desk -- --agent-id agent_01 --agent-name 小王 --capacity 2
//! cargo run --example desk -- --reply "您好，我是人工客服" --release --sessions 1   # scripted
//! ```
//!
//! Opens `/ws/desk` and sends `available`; receives `desk_status`, `session_assigned`, the
//! events of the sessions it holds (`manual_message`, `system`, `status_change`) and `error`
//! frames, and prints them as plain lines. Interactive: a typed line goes to the current session
//! (the last one assigned); `/use NAME` switches, `/release` hands the current one back to the
//! bot, `/quit` leaves. Scripted (`--reply`): answers each assigned session, releases it after
//! the answer is stored when `--release` is given, and exits 0 once `--sessions` are done.

#[path = "common/terminal.rs"]
mod terminal;

use std::process::ExitCode;

use awc::ws::{Frame, Message};
use clap::Parser;
use futures_util::{SinkExt, StreamExt, future, stream};
use serde_json::{Value, json};

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(
    name = "desk",
    about = "An agent desk: takes escalated switchboard sessions."
)]
struct Args {
    /// Base URL of the hub (plain HTTP).
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8000")]
    url: String,
    /// The agent's id.
    #[arg(long, default_value = "agent_01")]
    agent_id: String,
    /// The agent's display name, shown to the user.
    #[arg(long, default_value = "Agent")]
    agent_name: String,
    /// Sessions taken at once.
    #[arg(long, default_value_t = 1)]
    capacity: usize,
    /// Scripted mode: say this to each assigned session (no stdin).
    #[arg(long, value_name = "TEXT")]
    reply: Option<String>,
    /// Scripted mode: release each session once the reply is stored.
    #[arg(long)]
    release: bool,
    /// Scripted mode: exit after this many sessions were answered (and released with
    /// --release); 0 runs until the socket closes.
    #[arg(long, default_value_t = 0)]
    sessions: usize,
}

/// Everything the desk reacts to, merged into one stream.
enum Input {
    /// A frame from the hub.
    Frame(Frame),
    /// The socket ended or broke.
    Closed,
    /// A line typed on stdin.
    Line(String),
}

/// What the desk knows: the session it talks to and how many it has finished.
struct Desk {
    /// The flags.
    args: Args,
    /// The session typed lines go to.
    current: Option<String>,
    /// Sessions answered (and released, with --release).
    done: usize,
}

impl Desk {
    /// A frame for the hub, in reply to one frame from it; `None` when there is nothing to say.
    fn frame(&mut self, value: &Value) -> Option<Value> {
        let name = value["session_name"].as_str().unwrap_or("?").to_owned();
        match value["type"].as_str().unwrap_or("") {
            "desk_status" => {
                println!(
                    "desk: available={} capacity={}",
                    value["available"], value["capacity"]
                );
                None
            }
            "session_assigned" => {
                println!("[{name}] assigned to you; recent history:");
                let history = value["session"]["history"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for line in history.iter().rev().take(5).rev() {
                    println!(
                        "[{name}]   {}: {}",
                        line["role"].as_str().unwrap_or("?"),
                        line["content"].as_str().unwrap_or("")
                    );
                }
                self.current = Some(name.clone());
                let reply = self.args.reply.clone()?;
                Some(json!({"type": "message", "session_name": name, "content": reply}))
            }
            "manual_message" | "message" | "system" => {
                let role = value["role"].as_str().unwrap_or("?");
                println!(
                    "[{name}] {role}: {}",
                    value["content"].as_str().unwrap_or("")
                );
                let ours = role == "agent" && value["agent_id"] == self.args.agent_id.as_str();
                if ours && self.args.reply.is_some() {
                    if self.args.release {
                        return Some(json!({"type": "release", "session_name": name}));
                    }
                    self.done += 1;
                }
                None
            }
            "status_change" => {
                println!(
                    "[{name}] status: {} ({})",
                    value["status"].as_str().unwrap_or("?"),
                    value["reason"].as_str().unwrap_or("")
                );
                if value["status"] == "bot_active" && self.args.reply.is_some() && self.args.release
                {
                    self.done += 1;
                }
                None
            }
            "error" => {
                eprintln!(
                    "error: {}: {}",
                    value["error"].as_str().unwrap_or("?"),
                    value["detail"].as_str().unwrap_or("")
                );
                None
            }
            _ => None,
        }
    }

    /// A frame for a typed line; `Err` to leave.
    fn line(&mut self, line: &str) -> Result<Option<Value>, ()> {
        let line = line.trim();
        if line == "/quit" {
            return Err(());
        }
        if let Some(name) = line.strip_prefix("/use ") {
            self.current = Some(name.trim().to_owned());
            println!("desk: talking to {}", name.trim());
            return Ok(None);
        }
        let Some(current) = self.current.clone() else {
            eprintln!("desk: no session yet; wait for one or /use NAME");
            return Ok(None);
        };
        if line == "/release" {
            return Ok(Some(json!({"type": "release", "session_name": current})));
        }
        if line.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            json!({"type": "message", "session_name": current, "content": line}),
        ))
    }

    /// Scripted mode has done what it was asked.
    fn finished(&self) -> bool {
        self.args.sessions > 0 && self.done >= self.args.sessions
    }
}

/// Runs the desk until the socket closes, `/quit`, or the script is done.
async fn serve(args: Args) -> Result<(), String> {
    let base = terminal::base_url(&args.url)?.to_owned();
    let address = format!("{base}/ws/desk");
    let (_, socket) = awc::Client::default()
        .ws(address.as_str())
        .connect()
        .await
        .map_err(|error| format!("cannot open {address}: {error}"))?;
    let (mut sink, frames) = socket.split();
    let available = json!({
        "type": "available",
        "agent_id": args.agent_id,
        "agent_name": args.agent_name,
        "capacity": args.capacity,
    });
    let send = |value: Value| Message::Text(value.to_string().into());
    sink.send(send(available))
        .await
        .map_err(|e| e.to_string())?;
    let socket = frames
        .map(|frame| frame.map_or(Input::Closed, Input::Frame))
        .chain(stream::once(future::ready(Input::Closed)));
    let keyboard = if args.reply.is_none() {
        terminal::stdin_lines().map(Input::Line).boxed_local()
    } else {
        stream::empty().boxed_local()
    };
    let mut inputs = stream::select(socket.boxed_local(), keyboard);
    let mut desk = Desk {
        args,
        current: None,
        done: 0,
    };
    while let Some(input) = inputs.next().await {
        let out = match input {
            Input::Frame(Frame::Text(bytes)) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(value) => desk.frame(&value),
                Err(error) => {
                    return Err(format!("the hub sent something that is not JSON: {error}"));
                }
            },
            Input::Frame(Frame::Ping(payload)) => {
                sink.send(Message::Pong(payload))
                    .await
                    .map_err(|e| e.to_string())?;
                None
            }
            Input::Frame(Frame::Close(reason)) => {
                return Err(format!("the hub closed the desk: {reason:?}"));
            }
            Input::Frame(_) => None,
            Input::Closed => return Err("the desk socket closed".into()),
            Input::Line(line) => match desk.line(&line) {
                Ok(out) => out,
                Err(()) => break,
            },
        };
        if let Some(out) = out {
            sink.send(send(out)).await.map_err(|e| e.to_string())?;
        }
        if desk.finished() {
            break;
        }
    }
    let _ = sink.send(Message::Close(None)).await;
    Ok(())
}

/// Runs the desk and reports how it went as the exit code.
#[actix_web::main]
async fn main() -> ExitCode {
    match serve(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}
