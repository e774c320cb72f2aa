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
//! (the first one assigned, until `/use NAME` switches); `/release` hands the current one back
//! to the bot; `/quit` (or the end of stdin) leaves. Scripted (`--reply`): answers each assigned
//! session, releases it after the answer is stored when `--release` is given, exits 0 once
//! `--sessions` are done, and 1 as soon as the hub refuses anything.

#[path = "common/hub_url.rs"]
mod hub_url;
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
    /// Sessions taken at once (1 to 100).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=100))]
    capacity: u16,
    /// Scripted mode: say this to each assigned session (no stdin).
    #[arg(long, value_name = "TEXT")]
    reply: Option<String>,
    /// Scripted mode: release each session once the reply is stored.
    #[arg(long)]
    release: bool,
    /// Scripted mode: exit after this many sessions were answered (and released with
    /// --release); 0 runs until the socket closes. Without --release, at most --capacity.
    #[arg(long, default_value_t = 0)]
    sessions: usize,
}

impl Args {
    /// Checks what clap cannot: a script that could never finish; keeps the agent id as the
    /// hub does (trimmed).
    fn checked(mut self) -> Result<Args, String> {
        self.agent_id = self.agent_id.trim().to_owned();
        let scripted = self.reply.is_some();
        if scripted && !self.release && self.sessions > usize::from(self.capacity) {
            return Err(format!(
                "--sessions {} without --release never finishes: a desk holds at most --capacity ({}) sessions",
                self.sessions, self.capacity
            ));
        }
        Ok(self)
    }
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

/// What the desk knows: the session it talks to and how the script goes.
struct Desk {
    /// The flags.
    args: Args,
    /// The session typed lines go to.
    current: Option<String>,
    /// Sessions answered (and released, with --release).
    done: usize,
    /// Scripted mode: the hub refused something, so the script cannot go as asked.
    failed: bool,
}

/// A string field of a frame, or `?`.
fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field].as_str().unwrap_or("?")
}

impl Desk {
    /// A frame for the hub, in reply to one frame from it; `None` when there is nothing to say.
    fn frame(&mut self, value: &Value) -> Option<Value> {
        let name = text(value, "session_name").to_owned();
        match text(value, "type") {
            "desk_status" => {
                println!(
                    "desk: available={} capacity={}",
                    value["available"], value["capacity"]
                );
                None
            }
            "session_assigned" => self.assigned(name, value),
            "manual_message" | "message" | "system" => {
                let role = text(value, "role");
                println!("[{name}] {role}: {}", text(value, "content"));
                let ours = role == "agent" && value["agent_id"] == self.args.agent_id.as_str();
                if !ours || self.args.reply.is_none() {
                    return None;
                }
                if self.args.release {
                    return Some(json!({"type": "release", "session_name": name}));
                }
                self.done += 1;
                None
            }
            "status_change" => {
                println!(
                    "[{name}] status: {} ({})",
                    text(value, "status"),
                    text(value, "reason")
                );
                let released = value["status"] == "bot_active";
                if released && self.args.reply.is_some() && self.args.release {
                    self.done += 1;
                }
                if released && self.current.as_deref() == Some(name.as_str()) {
                    self.current = None;
                }
                None
            }
            "error" => {
                eprintln!("error: {}: {}", text(value, "error"), text(value, "detail"));
                self.failed = self.args.reply.is_some();
                None
            }
            _ => None,
        }
    }

    /// A session was handed to this desk: show it, make it current if none is, and answer it
    /// in scripted mode.
    fn assigned(&mut self, name: String, value: &Value) -> Option<Value> {
        println!("[{name}] assigned to you; recent history:");
        let history = value["session"]["history"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for line in history.iter().rev().take(5).rev() {
            println!(
                "[{name}]   {}: {}",
                text(line, "role"),
                text(line, "content")
            );
        }
        match &self.current {
            None => self.current = Some(name.clone()),
            Some(current) if *current != name => {
                println!("desk: still talking to {current}; /use {name} to switch");
            }
            Some(_) => {}
        }
        let reply = self.args.reply.clone()?;
        Some(json!({"type": "message", "session_name": name, "content": reply}))
    }

    /// A frame for a typed line; `Err` to leave.
    fn line(&mut self, line: &str) -> Result<Option<Value>, ()> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(None);
        }
        if line.starts_with('/') {
            return self.command(line);
        }
        let Some(current) = self.current.clone() else {
            eprintln!("desk: no session yet; wait for one or /use NAME");
            return Ok(None);
        };
        Ok(Some(
            json!({"type": "message", "session_name": current, "content": line}),
        ))
    }

    /// A `/` command: `/use NAME`, `/release`, `/quit`.
    fn command(&mut self, line: &str) -> Result<Option<Value>, ()> {
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        match (command, rest.trim()) {
            ("/quit", _) => Err(()),
            ("/use", name) if !name.is_empty() => {
                self.current = Some(name.to_owned());
                println!("desk: talking to {name}");
                Ok(None)
            }
            ("/release", _) => match self.current.clone() {
                Some(current) => Ok(Some(json!({"type": "release", "session_name": current}))),
                None => {
                    eprintln!("desk: no session to release");
                    Ok(None)
                }
            },
            _ => {
                eprintln!("desk: the commands are /use NAME, /release and /quit");
                Ok(None)
            }
        }
    }

    /// Scripted mode has done what it was asked.
    fn finished(&self) -> bool {
        self.args.sessions > 0 && self.done >= self.args.sessions
    }
}

/// Runs the desk until the socket closes, `/quit`, or the script is done.
async fn serve(args: Args) -> Result<(), String> {
    let base = hub_url::base_url(&args.url)?.to_owned();
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
        terminal::stdin_lines()
            .map(Input::Line)
            .chain(stream::once(future::ready(Input::Line("/quit".into()))))
            .boxed_local()
    } else {
        stream::empty().boxed_local()
    };
    let mut inputs = stream::select(socket.boxed_local(), keyboard);
    let mut desk = Desk {
        args,
        current: None,
        done: 0,
        failed: false,
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
        if desk.failed {
            let _ = sink.send(Message::Close(None)).await;
            return Err("the hub refused part of the script; see the error above".into());
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
    let outcome = match Args::parse().checked() {
        Ok(args) => serve(args).await,
        Err(problem) => Err(problem),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}
