//! Seed 002's interview socket in a terminal. Run the hub, then:
//!
//! ```text
//! cargo run --example interview -- --style technical
//! cargo run --example interview -- --session my-interview          # resume it later
//! cargo run --example interview -- --audio answer.wav < /dev/null   # one spoken answer
//! ```
//!
//! Opens `/api/v1/ws` (or `/api/v1/ws/{session_id}` with `--session`) and waits for
//! `connected`; sends `connect` with `--style` when given, then the `--audio` clip as
//! `audio_input` (base64). Prints the interviewer's `ai_response` (its reply and next
//! question), the `transcription` of a clip, `status` and pushed messages as plain lines and
//! `error` frames on stderr (the interview goes on). Each typed line is sent as `text_input`;
//! `/quit`, or the end of stdin once every answer has arrived, sends `disconnect`.
//!
//! Exit codes: 0 after `disconnect` (the interview is kept and can be resumed with
//! `--session`); 1 when the hub cannot be reached or the socket closes on its own; 2 for bad
//! flags or an `--audio` file that cannot be read.

#[path = "common/hub_url.rs"]
mod hub_url;
#[path = "common/terminal.rs"]
mod terminal;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use awc::ws::{Frame, Message};
use clap::Parser;
use futures_util::{SinkExt, StreamExt, future, stream};
use serde_json::{Value, json};

/// Largest message the hub takes by default (`WS_MAX_FRAME_BYTES`).
const DEFAULT_FRAME_LIMIT: usize = 65_536;

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(
    name = "interview",
    about = "An interview with the switchboard interviewer, in the terminal."
)]
struct Args {
    /// Base URL of the hub (plain HTTP).
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8000")]
    url: String,
    /// The interview to begin or resume (letters, digits, `-`, `_`); a new one when absent.
    #[arg(long = "session", value_name = "ID")]
    session: Option<String>,
    /// The interviewer's style: `formal`, `friendly` or `technical`.
    #[arg(long)]
    style: Option<String>,
    /// A clip (`.wav`, `.mp3`, `.m4a` or `.webm`) sent as `audio_input` once connected.
    #[arg(long, value_name = "FILE")]
    audio: Option<PathBuf>,
}

/// Why the program stops early.
enum Failure {
    /// Bad flags or an unreadable file (exit 2).
    Usage(String),
    /// The hub cannot be reached or the socket closed on its own (exit 1).
    Hub(String),
}

/// What happened next.
enum Input {
    /// A frame from the hub.
    Frame(Frame),
    /// The socket ended or broke.
    Closed,
    /// A typed line.
    Line(String),
    /// Stdin ended.
    StdinEnded,
}

/// The `audio_input` frame of the clip at `path`.
fn audio_frame(path: &Path) -> Result<Value, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|error| Failure::Usage(format!("cannot read {}: {error}", path.display())))?;
    let format = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(|| "wav".to_owned());
    let data = base64(&bytes);
    if data.len() > DEFAULT_FRAME_LIMIT {
        eprintln!(
            "note: the clip is {} bytes of base64; a hub with the default WS_MAX_FRAME_BYTES \
             ({DEFAULT_FRAME_LIMIT}) refuses it",
            data.len()
        );
    }
    Ok(json!({"type": "audio_input",
        "data": {"audio_data": data, "audio_format": format, "context": ""}}))
}

/// Standard, padded base64 of `bytes`.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Prints one frame from the hub; true when it ends an answer (`ai_response` or `error`).
fn show(value: &Value) -> bool {
    let data = &value["data"];
    let field = |name: &str| data[name].as_str().unwrap_or_default().to_owned();
    match value["type"].as_str().unwrap_or_default() {
        "connected" => {
            let resumed = if data["resumed"] == true {
                "resumed, "
            } else {
                ""
            };
            println!(
                "[interview {} ({resumed}{} exchanges, {} style); type an answer, /quit to leave]",
                value["session_id"].as_str().unwrap_or_default(),
                data["exchanges"],
                field("interview_style"),
            );
            false
        }
        "status" => {
            println!("[{}: {}]", field("status"), field("message"));
            false
        }
        "transcription" => {
            println!("heard: {}", field("transcription"));
            false
        }
        "ai_response" => {
            println!(
                "interviewer [{}, {}]: {}",
                field("strategy_used"),
                field("focus_area"),
                field("ai_response")
            );
            true
        }
        "error" => {
            eprintln!(
                "error {}: {} ({})",
                field("error"),
                field("message"),
                field("details")
            );
            true
        }
        "pong" => false,
        other => {
            println!("[{other}] {data}");
            false
        }
    }
}

/// Runs the interview until `/quit`, the end of input, or the socket closing.
async fn run(args: Args) -> Result<(), Failure> {
    let base = hub_url::base_url(&args.url).map_err(Failure::Usage)?;
    let clip = args.audio.as_deref().map(audio_frame).transpose()?;
    let address = match &args.session {
        Some(session) => format!("{base}/api/v1/ws/{session}"),
        None => format!("{base}/api/v1/ws"),
    };
    let (_, socket) = awc::Client::default()
        .ws(address.as_str())
        .max_frame_size(1 << 20)
        .connect()
        .await
        .map_err(|error| Failure::Hub(format!("cannot open {address}: {error}")))?;
    let (mut sink, frames) = socket.split();
    let frames = frames
        .map(|frame| frame.map_or(Input::Closed, Input::Frame))
        .chain(stream::once(future::ready(Input::Closed)));
    let keyboard = terminal::stdin_lines()
        .map(Input::Line)
        .chain(stream::once(future::ready(Input::StdinEnded)));
    let mut inputs = stream::select(frames.boxed_local(), keyboard.boxed_local());
    let mut first = Some((args.style.clone(), clip));
    let (mut awaited, mut input_ended, mut leaving) = (0usize, false, false);
    while let Some(input) = inputs.next().await {
        let mut outgoing = Vec::new();
        match input {
            Input::Frame(Frame::Text(bytes)) => {
                let value: Value = serde_json::from_slice(&bytes).unwrap_or_default();
                if show(&value) {
                    awaited = awaited.saturating_sub(1);
                }
                if value["type"] == "connected"
                    && let Some((style, clip)) = first.take()
                {
                    if let Some(style) = style {
                        outgoing.push(json!({"type": "connect",
                            "data": {"interview_style": style, "client_info": {"name": "interview example"}}}));
                    }
                    if let Some(clip) = clip {
                        awaited += 1;
                        outgoing.push(clip);
                    }
                }
            }
            Input::Frame(Frame::Ping(payload)) => {
                let _ = sink.send(Message::Pong(payload)).await;
            }
            Input::Frame(Frame::Close(_)) | Input::Closed if leaving => return Ok(()),
            Input::Frame(Frame::Close(reason)) => {
                return Err(Failure::Hub(format!(
                    "the hub closed the socket: {reason:?}"
                )));
            }
            Input::Closed => return Err(Failure::Hub("the socket closed".into())),
            Input::Frame(_) => {}
            Input::Line(line) if line.trim() == "/quit" => input_ended = true,
            Input::Line(line) if line.trim().is_empty() => {}
            Input::Line(line) => {
                awaited += 1;
                outgoing.push(json!({"type": "text_input", "data": {"text": line, "context": ""}}));
            }
            Input::StdinEnded => input_ended = true,
        }
        if input_ended && awaited == 0 && first.is_none() && !leaving {
            leaving = true;
            outgoing.push(json!({"type": "disconnect", "data": {}}));
        }
        for value in outgoing {
            let text = Message::Text(value.to_string().into());
            sink.send(text)
                .await
                .map_err(|error| Failure::Hub(format!("cannot send: {error}")))?;
        }
    }
    if leaving {
        Ok(())
    } else {
        Err(Failure::Hub("the socket closed".into()))
    }
}

/// Runs the interview and reports how it went as the exit code.
#[actix_web::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Hub(problem)) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
        Err(Failure::Usage(problem)) => {
            eprintln!("error: {problem}");
            ExitCode::from(2)
        }
    }
}
