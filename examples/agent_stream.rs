//! Seed 004's agent socket in a terminal: streams the answer to one query as it comes. Run the
//! hub, then:
//!
//! ```text
//! cargo run --example agent_stream -- "你好，请介绍一下你自己"
//! cargo run --example agent_stream -- --tool calculator --params '{"expression":"2^10"}'
//! ```
//!
//! Opens `/ws/agent`, waits for `connected`, sends `streaming_query` (or `tool_call` with
//! `--tool`), and prints each `stream_chunk` as it arrives, `tool_call`/`tool_result` frames on
//! lines of their own, and `error` frames on stderr. Ctrl-C sends `cancel` and waits for
//! `cancelled`. Exits 0 after `stream_end` (or the tool's result), 130 after a cancel, 1 when
//! the hub refuses or the socket closes early.

#[path = "common/hub_url.rs"]
mod hub_url;

use std::io::Write;
use std::process::ExitCode;

use awc::ws::{Frame, Message};
use clap::Parser;
use futures_util::{SinkExt, StreamExt, future, stream};
use serde_json::{Value, json};

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(
    name = "agent_stream",
    about = "Streams an answer from a switchboard agent socket."
)]
struct Args {
    /// Base URL of the hub (plain HTTP).
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8000")]
    url: String,
    /// The question.
    #[arg(default_value = "你好，请介绍一下你自己")]
    query: String,
    /// Call this tool instead of asking (e.g. `calculator`, `time`).
    #[arg(long)]
    tool: Option<String>,
    /// The tool's parameters, as JSON.
    #[arg(long, default_value = "{}")]
    params: String,
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

/// How the exchange ended.
enum Outcome {
    /// The whole answer (or the tool's result) arrived.
    Done,
    /// Ctrl-C cancelled it and the hub said `cancelled`.
    Cancelled,
}

/// The first frame to send.
fn request(args: &Args) -> Result<Value, String> {
    match &args.tool {
        Some(tool) => {
            let params: Value = serde_json::from_str(&args.params)
                .map_err(|error| format!("--params is not JSON: {error}"))?;
            Ok(json!({"type": "tool_call", "tool_name": tool, "params": params}))
        }
        None => Ok(json!({"type": "streaming_query", "query": args.query})),
    }
}

/// Prints one frame; `Some` when the exchange is over.
fn show(value: &Value) -> Option<Result<Outcome, String>> {
    let field = |name: &str| value[name].as_str().unwrap_or_default().to_owned();
    match value["type"].as_str().unwrap_or_default() {
        "stream_chunk" => {
            print!("{}", field("content"));
            let _ = std::io::stdout().flush();
            None
        }
        "stream_end" => {
            println!();
            Some(Ok(Outcome::Done))
        }
        "tool_call" => {
            println!("\n[tool_call {} {}]", field("tool_name"), value["params"]);
            None
        }
        "tool_result" if value.get("result").is_some() => {
            println!("[tool_result {}] {}", field("tool_name"), value["result"]);
            None
        }
        "cancelled" => {
            println!("\n[cancelled]");
            Some(Ok(Outcome::Cancelled))
        }
        "error" => Some(Err(format!("the hub refused: {}", field("error")))),
        _ => None,
    }
}

/// Runs one exchange until its end, a cancel, or the socket closing.
async fn run(args: Args) -> Result<Outcome, String> {
    let base = hub_url::base_url(&args.url)?.to_owned();
    let first = request(&args)?;
    let address = format!("{base}/ws/agent");
    let (_, socket) = awc::Client::default()
        .ws(address.as_str())
        .connect()
        .await
        .map_err(|error| format!("cannot open {address}: {error}"))?;
    let (mut sink, frames) = socket.split();
    let send = |value: Value| Message::Text(value.to_string().into());
    let frames = frames
        .map(|frame| frame.map_or(Input::Closed, Input::Frame))
        .chain(stream::once(future::ready(Input::Closed)));
    let interrupt = stream::once(async {
        let _ = actix_rt::signal::ctrl_c().await;
        Input::Interrupted
    });
    let mut inputs = stream::select(frames.boxed_local(), interrupt.boxed_local());
    let mut sent = false;
    let is_tool = args.tool.is_some();
    while let Some(input) = inputs.next().await {
        let value: Value = match input {
            Input::Frame(Frame::Text(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Input::Frame(Frame::Ping(payload)) => {
                let _ = sink.send(Message::Pong(payload)).await;
                continue;
            }
            Input::Frame(_) => continue,
            Input::Closed => return Err("the socket closed before the answer ended".into()),
            Input::Interrupted => {
                let _ = sink.send(send(json!({"type": "cancel"}))).await;
                continue;
            }
        };
        if value["type"] == "connected" && !sent {
            sent = true;
            sink.send(send(first.clone()))
                .await
                .map_err(|error| error.to_string())?;
            continue;
        }
        if let Some(outcome) = show(&value) {
            let _ = sink.send(Message::Close(None)).await;
            return outcome;
        }
        if is_tool && value["type"] == "tool_result" {
            let _ = sink.send(Message::Close(None)).await;
            return Ok(Outcome::Done);
        }
    }
    Err("the socket closed before the answer ended".into())
}

/// Runs the exchange and reports how it went as the exit code.
#[actix_web::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Cancelled) => ExitCode::from(130),
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}
