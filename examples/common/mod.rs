//! Shared code of the `customer` and `agent` examples: one leg of a seed-000 call.
//!
//! Sends `POST /api/calls/start` to the hub, then opens `/ws/call/{call_id}` and sends
//! `start_call`. Receives `queue_position`, `call_matched`, `transcript`, `call_ended` and
//! `error` frames (plus WebSocket pings, each answered with a pong) and prints them as plain
//! lines. Sends `transcript` frames (the `--say` lines, or lines typed on stdin) once matched, and
//! `call_ended` to hang up.

mod hub_url;
mod terminal;

use std::process::ExitCode;
use std::time::Duration;

use actix_rt::time::{Instant, timeout};
use awc::error::WsProtocolError;
use awc::ws::{CloseCode, Frame, Message};
use chrono::Utc;
use clap::{CommandFactory, FromArgMatches, Parser};
use futures_util::stream::{self, LocalBoxStream};
use futures_util::{Sink, SinkExt, Stream, StreamExt, future};
use serde::Deserialize;
use serde_json::{Value, json};

use hub_url::base_url;
use terminal::stdin_lines;

/// How long to wait for the hub to confirm a hang-up before leaving anyway.
const HANG_UP_GRACE: Duration = Duration::from_secs(2);

/// The side of the call a program plays; the only thing that differs between the examples.
pub struct Role {
    /// The `user_type` sent to the hub: `customer` or `agent`.
    pub user_type: &'static str,
    /// The display name used when `--name` is not given.
    pub default_name: &'static str,
}

/// Command-line flags, each example's `--help`.
#[derive(Debug, Parser)]
struct Args {
    /// Base URL of the hub (plain HTTP).
    #[arg(long, env = "SWITCHBOARD_URL", default_value = "http://127.0.0.1:8000")]
    url: String,
    /// Display name shown to the partner.
    #[arg(long)]
    name: String,
    /// A line to say once matched; repeat for several. Any --say makes the run scripted
    /// (no stdin): say the lines, wait (see --expect and --linger), hang up.
    #[arg(long = "say", value_name = "TEXT")]
    say: Vec<String>,
    /// Scripted mode: hang up as soon as this many partner lines have arrived
    /// (0: stay for the whole --linger). Fewer within --linger is a failure.
    #[arg(long, value_name = "N", default_value_t = 0)]
    expect: usize,
    /// Scripted mode: longest time, in seconds, to stay after saying the lines.
    #[arg(long, value_name = "SECONDS", default_value = "1", value_parser = parse_seconds)]
    linger: Duration,
}

impl Args {
    /// Parses the process arguments, with the program name and default name of `role`.
    fn parse_for(role: &Role) -> Args {
        let command = Args::command()
            .name(role.user_type)
            .about(format!(
                "Joins a switchboard call as the {}.",
                role.user_type
            ))
            .mut_arg("name", |arg| {
                arg.required(false).default_value(role.default_name)
            });
        Args::from_arg_matches(&command.get_matches()).unwrap_or_else(|error| error.exit())
    }
}

/// Reads `--linger`: a non-negative number of seconds such as `1` or `2.5`.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("'{text}' is not a usable duration"))
}

/// What a scripted run says and how long it stays.
struct Script {
    /// Lines to say once matched, in order.
    lines: Vec<String>,
    /// Partner lines to hear before hanging up.
    expect: usize,
    /// Longest stay after saying the lines.
    linger: Duration,
}

/// The body of a successful `POST /api/calls/start`, as far as the client needs it.
#[derive(Deserialize)]
struct Issued {
    /// The leg's id, used in the socket path.
    call_id: String,
}

/// The hub's error body, over HTTP and in `error` frames.
#[derive(Deserialize)]
struct HubError {
    /// Machine-readable code.
    error: String,
    /// Human-readable explanation.
    detail: String,
}

/// The frames the hub sends that this client acts on.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum HubFrame {
    /// The leg waits in its queue.
    QueuePosition {
        /// 1 means next to be matched.
        position: usize,
    },
    /// The leg has a partner.
    CallMatched {
        /// The partner's leg.
        partner_call_id: String,
        /// The partner's display name.
        partner_name: String,
    },
    /// A line said by the partner.
    Transcript {
        /// `customer` or `agent`.
        speaker: String,
        /// What was said.
        text: String,
    },
    /// The call is over; the hub closes the socket next.
    CallEnded {
        /// Why, e.g. `agent_hung_up`.
        reason: String,
    },
    /// A request was refused; the socket stays open.
    Error(HubError),
    /// `call_started`, `pong` and anything newer: nothing to do.
    #[serde(other)]
    Other,
}

/// Everything the conversation reacts to, merged into one stream.
enum Input {
    /// A frame from the hub, or a broken socket.
    Frame(Result<Frame, WsProtocolError>),
    /// The hub's socket has no more frames.
    SocketClosed,
    /// A line typed on stdin.
    Line(String),
    /// Stdin reached its end.
    StdinEnded,
}

/// Whether the conversation goes on.
enum Step {
    /// Keep reading inputs.
    Continue,
    /// The call is over.
    Finished,
}

/// One leg's conversation: the socket to write to and what has happened so far.
struct Conversation<S> {
    /// Writes frames to the hub.
    socket: S,
    /// The leg's id.
    call_id: String,
    /// The `start_call` name field, `customer_name` or `agent_name`.
    name_field: String,
    /// Our display name.
    name: String,
    /// Set in scripted mode; interactive mode relays stdin instead.
    script: Option<Script>,
    /// The partner's name, once matched.
    partner: Option<String>,
    /// Partner lines received.
    heard: usize,
    /// `call_ended` has been sent.
    hanging_up: bool,
    /// When to stop waiting: end of the linger, or of the hang-up grace.
    deadline: Option<Instant>,
}

/// Runs one leg of a call as `role` and reports how it went as the exit code.
pub async fn run(role: Role) -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Args::parse_for(&role);
    match call(&role, args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Issues the leg, connects its socket and holds the conversation until the call ends.
async fn call(role: &Role, args: Args) -> Result<(), String> {
    let base = base_url(&args.url)?;
    let client = awc::Client::default();
    let call_id = issue_leg(&client, base, role, &args.name).await?;
    let address = format!("{base}/ws/call/{call_id}");
    let (_, socket) = client
        .ws(address.as_str())
        .connect()
        .await
        .map_err(|error| format!("cannot open the call socket {address}: {error}"))?;
    let (sink, frames) = socket.split();
    let script = (!args.say.is_empty()).then_some(Script {
        lines: args.say,
        expect: args.expect,
        linger: args.linger,
    });
    let inputs = inputs(frames, script.is_none());
    Conversation::new(sink, call_id, role, args.name, script)
        .hold(inputs)
        .await
}

/// `POST /api/calls/start`: asks the hub for a call leg and returns its id.
async fn issue_leg(
    client: &awc::Client,
    base: &str,
    role: &Role,
    name: &str,
) -> Result<String, String> {
    let mut response = client
        .post(format!("{base}/api/calls/start"))
        .send_json(&json!({ "user_type": role.user_type, "user_name": name }))
        .await
        .map_err(|error| format!("cannot reach the hub at {base}: {error}"))?;
    let body = response
        .body()
        .await
        .map_err(|error| format!("the hub at {base} sent no readable answer: {error}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(refusal(status, &body));
    }
    let issued: Issued = serde_json::from_slice(&body)
        .map_err(|error| format!("unexpected answer from the hub at {base}: {error}"))?;
    log::debug!(
        "issued {}: {}",
        issued.call_id,
        String::from_utf8_lossy(&body)
    );
    Ok(issued.call_id)
}

/// A sentence for a non-2xx answer, from the hub's `{"error","detail"}` body when it has one.
fn refusal(status: awc::http::StatusCode, body: &[u8]) -> String {
    match serde_json::from_slice::<HubError>(body) {
        Ok(refused) => format!(
            "the hub refused the call ({status}): {}: {}",
            refused.error, refused.detail
        ),
        Err(_) => format!(
            "the hub answered {status}: {}",
            String::from_utf8_lossy(body)
        ),
    }
}

/// Merges the socket's frames with stdin lines (interactive mode) into one stream.
fn inputs(
    frames: impl Stream<Item = Result<Frame, WsProtocolError>> + 'static,
    interactive: bool,
) -> LocalBoxStream<'static, Input> {
    let socket = frames
        .map(Input::Frame)
        .chain(stream::once(future::ready(Input::SocketClosed)));
    let keyboard = if interactive {
        stdin_lines()
            .map(Input::Line)
            .chain(stream::once(future::ready(Input::StdinEnded)))
            .boxed_local()
    } else {
        stream::empty().boxed_local()
    };
    stream::select(socket, keyboard).boxed_local()
}

impl<S> Conversation<S>
where
    S: Sink<Message, Error = WsProtocolError> + Unpin,
{
    /// A conversation on a freshly opened socket.
    fn new(socket: S, call_id: String, role: &Role, name: String, script: Option<Script>) -> Self {
        Conversation {
            socket,
            call_id,
            name_field: format!("{}_name", role.user_type),
            name,
            script,
            partner: None,
            heard: 0,
            hanging_up: false,
            deadline: None,
        }
    }

    /// Sends `start_call`, then reacts to inputs until the call ends.
    async fn hold(mut self, mut inputs: LocalBoxStream<'static, Input>) -> Result<(), String> {
        self.send_start().await?;
        loop {
            let step = match self.next_input(&mut inputs).await {
                Some(input) => self.react(input).await?,
                None => self.deadline_passed().await?,
            };
            if let Step::Finished = step {
                self.say_goodbye().await;
                return self.verdict();
            }
        }
    }

    /// The next input, or `None` when the deadline passes first.
    async fn next_input(&self, inputs: &mut LocalBoxStream<'static, Input>) -> Option<Input> {
        let next = async { inputs.next().await.unwrap_or(Input::SocketClosed) };
        match self.deadline {
            Some(deadline) => timeout(deadline.saturating_duration_since(Instant::now()), next)
                .await
                .ok(),
            None => Some(next.await),
        }
    }

    /// Handles one input.
    async fn react(&mut self, input: Input) -> Result<Step, String> {
        match input {
            Input::Frame(Ok(frame)) => self.frame(frame).await,
            Input::Frame(Err(error)) => Err(format!("the call socket broke: {error}")),
            Input::SocketClosed => self.socket_closed(None),
            Input::Line(line) => self.typed(line).await,
            Input::StdinEnded => self.hang_up().await,
        }
    }

    /// Handles one WebSocket frame.
    async fn frame(&mut self, frame: Frame) -> Result<Step, String> {
        match frame {
            Frame::Text(bytes) => match serde_json::from_slice::<HubFrame>(&bytes) {
                Ok(hub_frame) => self.hub_frame(hub_frame).await,
                Err(error) => {
                    eprintln!("unreadable frame from the hub ({error}): {bytes:?}");
                    Ok(Step::Continue)
                }
            },
            Frame::Ping(payload) => {
                self.send(Message::Pong(payload)).await?;
                Ok(Step::Continue)
            }
            Frame::Close(reason) => self.socket_closed(reason.map(|reason| {
                format!(
                    "{} {}",
                    u16::from(reason.code),
                    reason.description.unwrap_or_default()
                )
            })),
            other => {
                log::debug!("ignored frame {other:?}");
                Ok(Step::Continue)
            }
        }
    }

    /// Handles one JSON frame of the call protocol.
    async fn hub_frame(&mut self, frame: HubFrame) -> Result<Step, String> {
        match frame {
            HubFrame::QueuePosition { position } => println!("waiting (position {position})"),
            HubFrame::CallMatched {
                partner_call_id,
                partner_name,
            } => return self.matched(partner_call_id, partner_name).await,
            HubFrame::Transcript { speaker, text } => return self.heard(&speaker, &text).await,
            HubFrame::CallEnded { reason } => {
                println!("call ended: {reason}");
                return Ok(Step::Finished);
            }
            HubFrame::Error(HubError { error, detail }) => eprintln!("hub error {error}: {detail}"),
            HubFrame::Other => log::debug!("ignored a frame the client has no use for"),
        }
        Ok(Step::Continue)
    }

    /// The hub paired us: announce it, then say the script or invite typing.
    async fn matched(
        &mut self,
        partner_call_id: String,
        partner_name: String,
    ) -> Result<Step, String> {
        println!("matched with {partner_name} ({partner_call_id})");
        self.partner = Some(partner_name);
        let Some(script) = &self.script else {
            eprintln!("(type a line and press Enter to speak; /quit or end of input hangs up)");
            return Ok(Step::Continue);
        };
        let (lines, linger) = (script.lines.clone(), script.linger);
        for line in &lines {
            self.say(line).await?;
            println!("{} (you): {line}", self.name);
        }
        self.deadline = Some(Instant::now() + linger);
        self.hang_up_if_heard_enough().await
    }

    /// Prints a partner line and, in scripted mode, hangs up once enough have arrived.
    async fn heard(&mut self, speaker: &str, text: &str) -> Result<Step, String> {
        self.heard += 1;
        println!("{}: {text}", self.partner.as_deref().unwrap_or(speaker));
        self.hang_up_if_heard_enough().await
    }

    /// Scripted mode: hangs up when `--expect` (if not zero) partner lines have arrived.
    async fn hang_up_if_heard_enough(&mut self) -> Result<Step, String> {
        match &self.script {
            Some(script) if script.expect > 0 && self.heard >= script.expect => {
                self.hang_up().await
            }
            _ => Ok(Step::Continue),
        }
    }

    /// Interactive mode: relays a typed line, or hangs up on `/quit`.
    async fn typed(&mut self, line: String) -> Result<Step, String> {
        let line = line.trim();
        if line == "/quit" {
            return self.hang_up().await;
        }
        if line.is_empty() {
            return Ok(Step::Continue);
        }
        if self.partner.is_none() {
            eprintln!("(no partner yet: line not sent)");
            return Ok(Step::Continue);
        }
        self.say(line).await?;
        Ok(Step::Continue)
    }

    /// The linger or the hang-up grace is over.
    async fn deadline_passed(&mut self) -> Result<Step, String> {
        if self.hanging_up {
            return Ok(Step::Finished);
        }
        self.hang_up().await
    }

    /// The socket closed, or the hub sent a close frame (described by `how`).
    fn socket_closed(&self, how: Option<String>) -> Result<Step, String> {
        if self.hanging_up {
            return Ok(Step::Finished);
        }
        Err(format!(
            "the hub closed the call socket before the call ended{}",
            how.map(|how| format!(" ({how})")).unwrap_or_default()
        ))
    }

    /// Sends `call_ended` once and waits a little for the hub to confirm.
    async fn hang_up(&mut self) -> Result<Step, String> {
        if !self.hanging_up {
            self.hanging_up = true;
            self.deadline = Some(Instant::now() + HANG_UP_GRACE);
            self.send_json(&json!({ "type": "call_ended" })).await?;
        }
        Ok(Step::Continue)
    }

    /// Whether the run did what was asked: a scripted run must have heard `--expect` lines.
    fn verdict(&self) -> Result<(), String> {
        match &self.script {
            Some(script) if self.heard < script.expect => Err(format!(
                "heard {} of the {} expected partner lines",
                self.heard, script.expect
            )),
            _ => Ok(()),
        }
    }

    /// Sends `start_call` with our name and the time.
    async fn send_start(&mut self) -> Result<(), String> {
        let mut frame = json!({
            "type": "start_call",
            "call_id": self.call_id,
            "timestamp": Utc::now(),
        });
        frame[self.name_field.as_str()] = Value::from(self.name.as_str());
        self.send_json(&frame).await
    }

    /// Sends one transcript line to the partner.
    async fn say(&mut self, text: &str) -> Result<(), String> {
        self.send_json(&json!({ "type": "transcript", "text": text }))
            .await
    }

    /// Sends a JSON text frame.
    async fn send_json(&mut self, frame: &Value) -> Result<(), String> {
        self.send(Message::Text(frame.to_string().into())).await
    }

    /// Sends one WebSocket message.
    async fn send(&mut self, message: Message) -> Result<(), String> {
        self.socket
            .send(message)
            .await
            .map_err(|error| format!("lost the call socket: {error}"))
    }

    /// Closes the socket politely; the call is already over, so a failure changes nothing.
    async fn say_goodbye(&mut self) {
        if let Err(error) = self
            .socket
            .send(Message::Close(Some(CloseCode::Normal.into())))
            .await
        {
            log::debug!("close frame not sent: {error}");
        }
    }
}
