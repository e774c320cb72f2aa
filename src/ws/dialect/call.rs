//! Seed 000's call protocol on `/ws/call/{call_id}`. Receives `start_call`, `transcript`,
//! `call_ended` and `ping` from the client; sends `queue_position`, `call_matched`,
//! `transcript`, `call_ended`, `call_started`, `pong` and `error` frames. Talks to the
//! Matchmaker while the leg waits and straight to the call's Call once matched.
//!
//! Inbound frames (every field but `type` optional unless marked):
//!
//! | `type`       | fields                                              |
//! |--------------|-----------------------------------------------------|
//! | `start_call` | `call_id` (must match the path), `customer_name` / `agent_name`, `timestamp` |
//! | `transcript` | `text` (required, non-empty string); a `speaker` is ignored: the hub sets it |
//! | `call_ended` | none: hangs up (or leaves the queue)                |
//! | `ping`       | none: answered with `pong`                          |

use std::borrow::Cow;

use actix::{Addr, dev::SendError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_actors::{
    AttachLeg, Call, CallId, CloseCode, ConnHandle, ConnId, EndCall, EndOrigin, Event, LeaveLeg,
    Matchmaker, RelayTranscript, Role,
};

use super::{Dialect, Reply};

/// Where this leg stands, as far as the socket knows.
enum LegState {
    /// The Matchmaker has not answered the attach yet.
    Connecting,
    /// Queued.
    Waiting,
    /// Paired; transcripts go to the call.
    Matched(Addr<Call>),
    /// The call is over, or the socket was refused.
    Finished,
}

/// The call dialect's per-socket state.
pub struct CallDialect {
    /// The call id from the path, as given.
    path_call_id: String,
    /// The parsed call id, once known good.
    call_id: Option<CallId>,
    /// This socket's id, once admitted.
    conn_id: Option<ConnId>,
    /// `call_ended` was already passed on.
    hung_up: bool,
    /// The call directory.
    matchmaker: Addr<Matchmaker>,
    /// Where the leg stands.
    state: LegState,
    /// A `start_call` arrived before the Matchmaker placed the leg; acknowledge it with the
    /// placement.
    start_ack_pending: bool,
}

/// Frames this dialect sends.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Outbound<'a> {
    QueuePosition {
        call_id: &'a CallId,
        role: Role,
        position: usize,
        timestamp: DateTime<Utc>,
    },
    CallMatched {
        call_id: &'a CallId,
        role: Role,
        partner_call_id: &'a CallId,
        partner_name: &'a str,
        started_at: DateTime<Utc>,
        timestamp: DateTime<Utc>,
    },
    Transcript {
        speaker: Role,
        text: &'a str,
        seq: u64,
        timestamp: DateTime<Utc>,
    },
    CallEnded {
        call_id: &'a CallId,
        reason: &'static str,
        timestamp: DateTime<Utc>,
    },
    CallStarted {
        call_id: &'a str,
        status: &'static str,
        timestamp: DateTime<Utc>,
    },
    Pong {
        timestamp: DateTime<Utc>,
    },
    Error {
        error: &'a str,
        detail: &'a str,
        timestamp: DateTime<Utc>,
    },
}

fn encode(frame: &Outbound<'_>) -> String {
    serde_json::to_string(frame).unwrap_or_else(|error| {
        format!(
            r#"{{"type":"error","error":"internal","detail":"could not encode a frame: {error}"}}"#
        )
    })
}

/// The `start_call` fields the hub checks.
#[derive(Deserialize)]
struct StartCallFrame {
    /// Must equal the call id in the path when present.
    call_id: Option<String>,
}

/// The `transcript` fields the hub reads.
#[derive(Deserialize)]
struct TranscriptFrame {
    /// What was said.
    text: String,
}

/// A decoded inbound frame.
enum Inbound {
    StartCall(StartCallFrame),
    Transcript(TranscriptFrame),
    CallEnded,
    Ping,
}

/// Why an inbound frame was refused: an error code and a sentence.
type Refusal = (&'static str, String);

fn fields<T: for<'de> Deserialize<'de>>(kind: &str, value: Value) -> Result<T, Refusal> {
    serde_json::from_value(value).map_err(|e| ("invalid_fields", format!("{kind}: {e}")))
}

/// Every accepted frame's fields, read in one pass without building a JSON tree.
#[derive(Deserialize)]
struct Flat<'a> {
    /// Frame type.
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    /// `transcript` text.
    #[serde(default)]
    text: Option<String>,
    /// `start_call` call id.
    #[serde(default, borrow)]
    call_id: Option<Cow<'a, str>>,
}

/// Decodes a frame: a single pass for well-formed frames, and [`decode_strictly`] (which names
/// exactly what is wrong) for anything else.
fn decode(text: &str) -> Result<Inbound, Refusal> {
    if let Ok(flat) = serde_json::from_str::<Flat<'_>>(text) {
        match (flat.kind.as_ref(), flat.text) {
            ("transcript", Some(text)) if !text.trim().is_empty() => {
                return Ok(Inbound::Transcript(TranscriptFrame { text }));
            }
            ("start_call", _) => {
                let call_id = flat.call_id.map(Cow::into_owned);
                return Ok(Inbound::StartCall(StartCallFrame { call_id }));
            }
            ("call_ended", _) => return Ok(Inbound::CallEnded),
            ("ping", _) => return Ok(Inbound::Ping),
            _ => {}
        }
    }
    decode_strictly(text)
}

fn decode_strictly(text: &str) -> Result<Inbound, Refusal> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ("invalid_json", format!("not JSON: {e}")))?;
    let kind = match value.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(_) => return Err(("missing_type", "\"type\" must be a string".into())),
        None if value.is_object() => {
            return Err(("missing_type", "the message has no \"type\" field".into()));
        }
        None => return Err(("invalid_message", "a message must be a JSON object".into())),
    };
    match kind.as_str() {
        "start_call" => Ok(Inbound::StartCall(fields(&kind, value)?)),
        "transcript" => {
            let frame: TranscriptFrame = fields(&kind, value)?;
            if frame.text.trim().is_empty() {
                return Err(("invalid_fields", "transcript: text is empty".into()));
            }
            Ok(Inbound::Transcript(frame))
        }
        "call_ended" => Ok(Inbound::CallEnded),
        "ping" => Ok(Inbound::Ping),
        other => Err((
            "unknown_type",
            format!(
                "unknown message type '{}'; this socket accepts start_call, transcript, call_ended and ping",
                other.chars().take(64).collect::<String>()
            ),
        )),
    }
}

impl CallDialect {
    /// A dialect for the leg named `path_call_id`.
    pub fn new(path_call_id: String, matchmaker: Addr<Matchmaker>) -> Self {
        CallDialect {
            path_call_id,
            call_id: None,
            conn_id: None,
            hung_up: false,
            matchmaker,
            state: LegState::Connecting,
            start_ack_pending: false,
        }
    }

    fn reject(&self, (error, detail): Refusal) -> Reply {
        Reply::reject(self.error_frame(error, &detail))
    }

    fn start_call(&mut self, frame: StartCallFrame) -> Reply {
        if let Some(claimed) = frame.call_id
            && claimed != self.path_call_id
        {
            return self.reject((
                "call_id_mismatch",
                format!(
                    "start_call names {claimed} but this socket is {}",
                    self.path_call_id
                ),
            ));
        }
        if matches!(self.state, LegState::Connecting) {
            self.start_ack_pending = true;
            return Reply::none();
        }
        Reply::send(self.start_ack())
    }

    /// `call_started`, with the leg's current status.
    fn start_ack(&self) -> String {
        let status = match self.state {
            LegState::Connecting | LegState::Waiting => "waiting",
            LegState::Matched(_) => "matched",
            LegState::Finished => "ended",
        };
        encode(&Outbound::CallStarted {
            call_id: &self.path_call_id,
            status,
            timestamp: Utc::now(),
        })
    }

    /// Adds the deferred `call_started` acknowledgement once the leg is placed (a refused leg
    /// gets only its error).
    fn with_pending_ack(&mut self, reply: Reply) -> Reply {
        let pending = std::mem::take(&mut self.start_ack_pending);
        if pending && !matches!(self.state, LegState::Finished) {
            reply.then_send(self.start_ack())
        } else {
            reply
        }
    }

    fn transcript(&self, frame: TranscriptFrame) -> Reply {
        match (&self.state, &self.call_id) {
            (LegState::Matched(call), Some(call_id)) => {
                let relay = RelayTranscript {
                    call_id: call_id.clone(),
                    text: frame.text,
                };
                match call.try_send(relay) {
                    Ok(()) => Reply::none(),
                    Err(SendError::Full(_)) => self.reject((
                        "too_fast",
                        "the call is not keeping up with this socket; the line was not sent".into(),
                    )),
                    Err(SendError::Closed(_)) => {
                        self.reject(("call_ended", "this call has already ended".into()))
                    }
                }
            }
            (LegState::Finished, _) => {
                self.reject(("call_ended", "this call has already ended".into()))
            }
            _ => self.reject((
                "not_matched",
                "no partner yet: wait for call_matched before sending transcripts".into(),
            )),
        }
    }

    fn hang_up(&mut self) -> Reply {
        let (Some(call_id), Some(conn_id)) = (self.call_id.clone(), self.conn_id) else {
            return Reply::none();
        };
        if std::mem::replace(&mut self.hung_up, true) {
            return Reply::none();
        }
        let end = EndCall {
            call_id,
            origin: EndOrigin::Hangup(conn_id),
        };
        match &self.state {
            LegState::Matched(call) => call.do_send(end),
            LegState::Connecting | LegState::Waiting => self.matchmaker.do_send(end),
            LegState::Finished => {}
        }
        Reply::none()
    }

    /// The frame (and state change) for an event pushed to this leg.
    fn encode_event(&mut self, event: Event) -> Reply {
        let timestamp = Utc::now();
        match event {
            Event::QueuePosition {
                call_id,
                role,
                position,
            } => {
                self.state = LegState::Waiting;
                Reply::send(encode(&Outbound::QueuePosition {
                    call_id: &call_id,
                    role,
                    position,
                    timestamp,
                }))
            }
            Event::CallMatched {
                call_id,
                role,
                partner_call_id,
                partner_name,
                started_at,
                call,
            } => {
                self.state = LegState::Matched(call);
                Reply::send(encode(&Outbound::CallMatched {
                    call_id: &call_id,
                    role,
                    partner_call_id: &partner_call_id,
                    partner_name: &partner_name,
                    started_at,
                    timestamp,
                }))
            }
            Event::Transcript {
                speaker,
                text,
                seq,
                timestamp,
            } => Reply::send(encode(&Outbound::Transcript {
                speaker,
                text: &text,
                seq,
                timestamp,
            })),
            Event::CallEnded { call_id, reason } => {
                self.state = LegState::Finished;
                Reply::send(encode(&Outbound::CallEnded {
                    call_id: &call_id,
                    reason: reason.as_str(),
                    timestamp,
                }))
                .and_close(CloseCode::Normal, "call ended")
            }
            Event::Refused {
                error,
                detail,
                close,
            } => {
                self.state = LegState::Finished;
                self.reject((error, detail)).and_close(close, error)
            }
            Event::Error { error, detail } => self.reject((error, detail)),
            Event::SessionAssigned { .. } | Event::SessionUpdate { .. } => Reply::none(),
        }
    }
}

impl Dialect for CallDialect {
    fn opened(&mut self, conn: &ConnHandle) -> Reply {
        self.conn_id = Some(conn.id);
        match CallId::parse(&self.path_call_id) {
            Ok(call_id) => {
                self.call_id = Some(call_id.clone());
                self.matchmaker.do_send(AttachLeg {
                    call_id,
                    conn: conn.clone(),
                });
                Reply::none()
            }
            Err(invalid) => {
                self.state = LegState::Finished;
                self.reject(("unknown_call", invalid.to_string()))
                    .and_close(CloseCode::UnknownCall, "unknown call id")
            }
        }
    }

    fn received(&mut self, text: &str) -> Reply {
        match decode(text) {
            Ok(Inbound::StartCall(frame)) => self.start_call(frame),
            Ok(Inbound::Transcript(frame)) => self.transcript(frame),
            Ok(Inbound::CallEnded) => self.hang_up(),
            Ok(Inbound::Ping) => Reply::send(encode(&Outbound::Pong {
                timestamp: Utc::now(),
            })),
            Err(refusal) => self.reject(refusal),
        }
    }

    fn deliver(&mut self, event: Event) -> Reply {
        let reply = self.encode_event(event);
        self.with_pending_ack(reply)
    }

    fn closed(&mut self, conn_id: ConnId, shutdown: bool) {
        let Some(call_id) = self.call_id.clone() else {
            return;
        };
        let leave = LeaveLeg {
            call_id,
            conn_id,
            shutdown,
        };
        match &self.state {
            LegState::Matched(call) => call.do_send(leave),
            LegState::Connecting | LegState::Waiting => self.matchmaker.do_send(leave),
            LegState::Finished => {}
        }
    }

    fn error_frame(&self, error: &str, detail: &str) -> String {
        encode(&Outbound::Error {
            error,
            detail,
            timestamp: Utc::now(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> &'static str {
        match decode(text) {
            Err((code, _)) => code,
            Ok(_) => "accepted",
        }
    }

    #[test]
    fn bad_frames_get_specific_codes() {
        assert_eq!(refusal("{not json"), "invalid_json");
        assert_eq!(refusal("[1,2]"), "invalid_message");
        assert_eq!(refusal(r#"{"text":"hi"}"#), "missing_type");
        assert_eq!(refusal(r#"{"type":7}"#), "missing_type");
        assert_eq!(refusal(r#"{"type":"dance"}"#), "unknown_type");
        assert_eq!(refusal(r#"{"type":"transcript"}"#), "invalid_fields");
        assert_eq!(
            refusal(r#"{"type":"transcript","text":5}"#),
            "invalid_fields"
        );
        assert_eq!(
            refusal(r#"{"type":"transcript","text":"  "}"#),
            "invalid_fields"
        );
    }

    #[test]
    fn seed_frames_decode() {
        assert_eq!(
            refusal(
                r#"{"type":"start_call","call_id":"call_0123456789ab","customer_name":"Ann","timestamp":"2024-01-01T00:00:00Z"}"#
            ),
            "accepted"
        );
        assert_eq!(
            refusal(r#"{"type":"transcript","text":"hello","speaker":"agent"}"#),
            "accepted"
        );
        assert_eq!(refusal(r#"{"type":"call_ended"}"#), "accepted");
        assert_eq!(refusal(r#"{"type":"ping"}"#), "accepted");
    }
}
