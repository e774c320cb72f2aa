//! Seed 002's interview protocol on `/api/v1/ws` and `/api/v1/ws/{session_id}`. Receives
//! `connect`, `text_input`, `audio_input`, `ping` and `disconnect` envelopes (the shapes are in
//! [`interview_frames`](crate::wire::interview_frames)) and messages pushed by the management
//! API; sends `connected` on open (once the interview is loaded or begun) and in answer to
//! `connect`, `ai_response` in answer to `text_input` (nothing else is sent in between by the
//! socket itself; on the `openai` backend the interviewer's words come from the model, and
//! answers go out in the order they were asked), `pong`, the pushed messages, and `error`
//! envelopes (`{"error", "message", "details"}`, `upstream_failed` when the model failed)
//! after which the socket stays open. `disconnect` closes
//! the socket; the interview is kept. `audio_input` is decoded and checked (format, size,
//! WAV header), then answered with `status` (processing), the `transcription` the
//! speech-to-text server gives (the socket keeps serving meanwhile) and the interviewer's
//! `ai_response` to the text, with `transcription_info`; without a server (`STT_BASE_URL`), or
//! when it fails, with an `error`. Asks the [`InterviewDirectory`] for everything about the
//! interview and bumps the [`InterviewCounters`].

use std::sync::Arc;

use actix::Addr;
use switchboard_actors::interview::InterviewDirectory;
use switchboard_actors::interview::audio_clip;
use switchboard_actors::interview::interview_counters::InterviewCounters;
use switchboard_actors::interview::interview_requests::{
    Answer, InterviewError, InterviewEvent, Join, Joined, Leave, Restyle,
};
use switchboard_actors::interview::interviews::Interviews;
use switchboard_actors::interview::speech_config::SpeechConfig;
use switchboard_actors::interview::speech_to_text::{self, Transcription};
use switchboard_actors::interview::transcript::Exchange;
use switchboard_actors::interview::vocabulary::Style;
use switchboard_actors::kernel::close::CloseCode;
use switchboard_actors::kernel::ids::ConnId;

use crate::wire::interview_frames::{
    AiResponseData, AudioData, ConnectedData, Envelope, ErrorData, HeardResponseData,
    InterviewInbound, PongData, SERVER_VERSION, ServerInfo, StatusData, TranscriptionData,
    TranscriptionInfo, iso_time,
};
use crate::wire::text;
use crate::ws::dialect::envelope;
use crate::ws::dialect::seam::{Dialect, Frame, Refusal, Socket};

/// Longest answer accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// What a decoded message is: the message, or why it cannot be read (answered in `handle`, so
/// that the error envelope names the socket's session).
pub type Decoded = Result<InterviewInbound, Refusal>;

/// The interview dialect's per-socket state.
pub struct InterviewDialect {
    /// The socket's session.
    session_id: String,
    /// Where interviews are held.
    directory: Addr<InterviewDirectory>,
    /// The sockets' counters.
    counters: Arc<InterviewCounters>,
    /// Where clips are transcribed.
    speech: Arc<SpeechConfig>,
}

impl InterviewDialect {
    /// A fresh socket's protocol on the interview `session_id` (already checked), in the
    /// room `interviews`.
    pub fn new(session_id: String, interviews: &Interviews) -> Self {
        InterviewDialect {
            session_id,
            directory: interviews.directory.clone(),
            counters: interviews.counters.clone(),
            speech: interviews.speech.clone(),
        }
    }

    /// Sends an envelope of `kind` with `data`.
    fn send<T: serde::Serialize>(&self, kind: &str, data: T, socket: &mut Socket<'_, Self>) {
        self.counters.messages_sent.bump();
        socket.send(text::encode(&Envelope::now(kind, &self.session_id, data)));
    }

    /// Sends an `error` envelope, counted among the hub's refused frames too.
    fn error(&self, refusal: &Refusal, details: &str, socket: &mut Socket<'_, Self>) {
        self.counters.errors.bump();
        self.counters.messages_sent.bump();
        let data = ErrorData {
            error: refusal.error,
            message: &refusal.detail,
            details,
        };
        let frame = text::encode(&Envelope::now("error", &self.session_id, data));
        socket.refuse_with(refusal.error, frame);
    }

    /// Sends `connected` for the interview as it stands.
    fn connected(&self, joined: &Joined, socket: &mut Socket<'_, Self>) {
        let data = ConnectedData {
            status: "connected",
            server_info: ServerInfo {
                version: SERVER_VERSION,
            },
            session_id: &self.session_id,
            interview_style: joined.style.as_str(),
            resumed: joined.resumed,
            exchanges: joined.exchanges,
        };
        self.send("connected", data, socket);
    }

    /// The error envelope of a failure of the room: `upstream_failed` when the model could not
    /// write the interviewer's turn, else `interview_unavailable`.
    fn failed(&self, error: &InterviewError, socket: &mut Socket<'_, Self>) {
        let (code, details) = match error {
            InterviewError::Upstream(_) => (
                "upstream_failed",
                "the interviewer's model did not answer; send the answer again, nothing was stored",
            ),
            _ => ("interview_unavailable", "try again; the interview is kept"),
        };
        self.error(&Refusal::new(code, error.to_string()), details, socket);
    }

    /// `connect`: sets the style if one is given, then `connected`.
    fn connect(&mut self, style: Option<String>, socket: &mut Socket<'_, Self>) {
        let style = match style.as_deref().map(Style::parse) {
            None => None,
            Some(Some(style)) => Some(style),
            Some(None) => {
                let refusal = Refusal::new("invalid_style", "unknown interview_style");
                let details = format!("interview_style is one of {}", Style::NAMES.join(", "));
                return self.error(&refusal, &details, socket);
            }
        };
        let session_id = self.session_id.clone();
        let asked = self.directory.send(Restyle { session_id, style });
        self.await_room(
            asked,
            |dialect, joined: Joined, socket| dialect.connected(&joined, socket),
            socket,
        );
    }

    /// `text_input`: the interviewer's `ai_response`.
    fn answer(&mut self, text: Option<String>, socket: &mut Socket<'_, Self>) {
        let text = match text {
            Some(text) if !text.trim().is_empty() => text,
            _ => {
                let refusal = Refusal::new("text_required", "data.text is required");
                let details = "send {\"type\":\"text_input\",\"data\":{\"text\":\"...\"}}";
                return self.error(&refusal, details, socket);
            }
        };
        if text.chars().count() > MAX_TEXT_CHARS {
            let refusal = Refusal::new("text_too_long", "data.text is too long");
            let details = format!("at most {MAX_TEXT_CHARS} characters");
            return self.error(&refusal, &details, socket);
        }
        self.ask(text, None, socket);
    }

    /// Asks the interviewer to answer `text`; its `ai_response` carries `heard` when the
    /// answer came as audio.
    fn ask(
        &mut self,
        text: String,
        heard: Option<TranscriptionInfo>,
        socket: &mut Socket<'_, Self>,
    ) {
        let session_id = self.session_id.clone();
        let asked = self.directory.send(Answer { session_id, text });
        self.await_room(
            asked,
            |dialect, exchange: Exchange, socket| {
                let response = AiResponseData::of(&exchange);
                match heard {
                    None => dialect.send("ai_response", response, socket),
                    Some(transcription_info) => {
                        let data = HeardResponseData {
                            response,
                            transcription_info,
                        };
                        dialect.send("ai_response", data, socket);
                    }
                }
            },
            socket,
        );
    }

    /// `audio_input`: the clip is checked, then transcribed (after a `status`) and answered
    /// as text; with no speech-to-text server, an error says so.
    fn audio(&mut self, data: AudioData, socket: &mut Socket<'_, Self>) {
        let format = data.audio_format.as_deref().unwrap_or("wav");
        let base64 = data.audio_data.as_deref().unwrap_or_default();
        let clip = match audio_clip::inspect(format, base64) {
            Ok(clip) => clip,
            Err(refused) => {
                let refusal = Refusal::new(refused.code(), refused.to_string());
                let details = "send base64 of a wav, mp3, m4a or webm clip";
                return self.error(&refusal, details, socket);
            }
        };
        if self.speech.server().is_none() {
            let refusal = Refusal::new(
                "speech_to_text_not_configured",
                "speech-to-text is not configured on this hub; send the answer as text_input",
            );
            let duration = clip
                .duration
                .map(|seconds| format!(", {seconds:.2} s"))
                .unwrap_or_default();
            let details = format!(
                "received {} audio, {} bytes{duration}",
                clip.format, clip.bytes
            );
            return self.error(&refusal, &details, socket);
        }
        let status = StatusData {
            status: "processing",
            message: "transcribing the audio",
        };
        self.send("status", status, socket);
        let speech = self.speech.clone();
        let work = async move { speech_to_text::transcribe(&speech, &clip).await };
        let started = socket.start(work, |dialect: &mut Self, outcome, socket| match outcome {
            Ok(heard) => dialect.heard(heard, socket),
            Err(failed) => {
                let refusal = Refusal::new("transcription_failed", failed.to_string());
                let details = "try again, or send the answer as text_input";
                dialect.error(&refusal, details, socket);
            }
        });
        if started.is_err() {
            let refusal = Refusal::new("too_fast", "too much work in flight on this socket");
            self.error(&refusal, "wait for the answers already asked for", socket);
        }
    }

    /// A clip was transcribed: `transcription`, then the interviewer answers the text.
    fn heard(&mut self, heard: Transcription, socket: &mut Socket<'_, Self>) {
        let data = TranscriptionData {
            transcription: &heard.text,
            confidence: None,
            processing_time: heard.processing_time,
            duration: heard.duration,
            language: heard.language.as_deref(),
            audio_format: heard.format,
        };
        self.send("transcription", data, socket);
        if heard.text.is_empty() {
            let refusal = Refusal::new("no_speech_heard", "no speech was heard in the clip");
            return self.error(
                &refusal,
                "speak closer to the microphone, or send text_input",
                socket,
            );
        }
        let text: String = heard.text.chars().take(MAX_TEXT_CHARS).collect();
        let info = TranscriptionInfo {
            confidence: None,
            duration: heard.duration,
            language: heard.language,
            audio_format: heard.format,
        };
        self.ask(text, Some(info), socket);
    }

    /// Waits for the room's answer to `asked`, then runs `then` with it, or sends the error.
    fn await_room<T, F, R>(&mut self, asked: F, then: R, socket: &mut Socket<'_, Self>)
    where
        T: 'static,
        F: Future<Output = Result<Result<T, InterviewError>, actix::MailboxError>> + 'static,
        R: FnOnce(&mut Self, T, &mut Socket<'_, Self>) + 'static,
    {
        let started = socket.start(
            asked,
            move |dialect: &mut Self, outcome, socket| match outcome {
                Ok(Ok(value)) => then(dialect, value, socket),
                Ok(Err(error)) => dialect.failed(&error, socket),
                Err(_) => {
                    dialect.failed(&InterviewError::NotOpen(dialect.session_id.clone()), socket)
                }
            },
        );
        if started.is_err() {
            let refusal = Refusal::new("too_fast", "too much work in flight on this socket");
            self.error(&refusal, "wait for the answers already asked for", socket);
        }
    }
}

impl Dialect for InterviewDialect {
    type Inbound = Decoded;
    type Event = InterviewEvent;
    const ENDPOINT: &'static str = "interview";

    fn decode(&self, frame: Frame<'_>) -> Result<Decoded, Refusal> {
        Ok(envelope::text_only(frame)
            .and_then(|text| envelope::decode(text, InterviewInbound::TYPES)))
    }

    fn error_frame(refusal: &Refusal) -> String {
        let data = ErrorData {
            error: refusal.error,
            message: &refusal.detail,
            details: "the message was refused before it was read",
        };
        text::encode(&Envelope::now("error", "", data))
    }

    fn opened(&mut self, socket: &mut Socket<'_, Self>) {
        self.counters.connections.bump();
        let session_id = self.session_id.clone();
        let conn = socket.handle();
        let asked = self.directory.send(Join { session_id, conn });
        self.await_room(
            asked,
            |dialect, joined: Joined, socket| dialect.connected(&joined, socket),
            socket,
        );
    }

    fn handle(&mut self, inbound: Decoded, socket: &mut Socket<'_, Self>) {
        self.counters.messages_received.bump();
        match inbound {
            Err(refusal) => {
                let details = "a message is {\"type\", \"session_id\", \"timestamp\", \"data\"}";
                self.error(&refusal, details, socket);
            }
            Ok(InterviewInbound::Connect { data }) => self.connect(data.interview_style, socket),
            Ok(InterviewInbound::TextInput { data }) => self.answer(data.text, socket),
            Ok(InterviewInbound::AudioInput { data }) => self.audio(data, socket),
            Ok(InterviewInbound::Ping) => {
                let timestamp = iso_time(chrono::Utc::now());
                self.send("pong", PongData { timestamp }, socket);
            }
            Ok(InterviewInbound::Disconnect) => socket.close(CloseCode::Normal, "disconnect"),
        }
    }

    fn deliver(&mut self, event: InterviewEvent, socket: &mut Socket<'_, Self>) {
        self.send(&event.kind, event.data, socket);
    }

    fn closed(&mut self, conn_id: ConnId, _shutdown: bool) {
        let session_id = self.session_id.clone();
        self.directory.do_send(Leave {
            session_id,
            conn_id,
        });
    }
}
