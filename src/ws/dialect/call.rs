//! Seed 000's call protocol on `/ws/call/{call_id}`. Receives `start_call`, `transcript`,
//! `call_ended` and `ping` from the client (the shapes are in
//! [`matching`](crate::wire::matching)); sends `queue_position`, `call_matched`,
//! `transcript`, `call_ended`, `call_started`, `pong` and `error` frames. Talks to the
//! Matchmaker while the leg waits and straight to the call's Call once matched, through the
//! [`CallLink`] it is handed with `call_matched`.

use std::borrow::Cow;

use actix::Addr;
use actix::dev::SendError;
use chrono::Utc;
use serde::Deserialize;
use switchboard_actors::calls::{
    AttachLeg, CallEvent, CallLink, EndCall, EndOrigin, LeaveLeg, Matchmaker, RelayTranscript,
};
use switchboard_actors::kernel::close::CloseCode;
use switchboard_actors::kernel::ids::{CallId, ConnId};

use crate::input;
use crate::wire::matching::{CallInbound, CallOutbound};
use crate::ws::dialect::envelope;
use crate::ws::dialect::seam::{Dialect, Frame, Refusal, Socket};

/// Where this leg stands, as far as the socket knows.
enum LegState {
    /// The Matchmaker has not answered the attach yet.
    Connecting,
    /// Queued.
    Waiting,
    /// Paired; transcripts go to the call.
    Matched(CallLink),
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

/// Decodes a whole message, pure: JSON text only.
fn decode_frame(frame: Frame<'_>) -> Result<CallInbound, Refusal> {
    envelope::text_only(frame).and_then(decode_text)
}

/// Decodes a text frame: a single pass for well-formed frames, and the shared envelope decoder
/// (which names exactly what is wrong) for anything else.
fn decode_text(text: &str) -> Result<CallInbound, Refusal> {
    if envelope::fast_path_fits(text)
        && let Ok(flat) = serde_json::from_str::<Flat<'_>>(text)
    {
        match (flat.kind.as_ref(), flat.text) {
            ("transcript", Some(text)) if !text.trim().is_empty() && !text.contains('\0') => {
                return Ok(CallInbound::Transcript { text });
            }
            ("start_call", _) => {
                let call_id = flat.call_id.map(Cow::into_owned);
                return Ok(CallInbound::StartCall { call_id });
            }
            ("call_ended", _) => return Ok(CallInbound::CallEnded),
            ("ping", _) => return Ok(CallInbound::Ping),
            _ => {}
        }
    }
    match envelope::decode(text, CallInbound::TYPES)? {
        CallInbound::Transcript { text } if text.trim().is_empty() => {
            Err(Refusal::new("invalid_fields", "transcript: text is empty"))
        }
        CallInbound::Transcript { text } => match input::no_nul("transcript: text", &text) {
            Ok(()) => Ok(CallInbound::Transcript { text }),
            Err(problem) => Err(Refusal::new("invalid_fields", problem)),
        },
        inbound => Ok(inbound),
    }
}

/// The frame of an event, pure; `None` for refusals, which go out as error frames.
fn encode_event(event: &CallEvent) -> Option<String> {
    let timestamp = Utc::now();
    let frame = match event {
        CallEvent::QueuePosition {
            call_id,
            role,
            position,
        } => CallOutbound::QueuePosition {
            call_id,
            role: *role,
            position: *position,
            timestamp,
        },
        CallEvent::CallMatched {
            call_id,
            role,
            partner_call_id,
            partner_name,
            started_at,
            ..
        } => CallOutbound::CallMatched {
            call_id,
            role: *role,
            partner_call_id,
            partner_name,
            started_at: *started_at,
            timestamp,
        },
        CallEvent::Transcript {
            speaker,
            text,
            seq,
            timestamp,
        } => CallOutbound::Transcript {
            speaker: *speaker,
            text,
            seq: *seq,
            timestamp: *timestamp,
        },
        CallEvent::CallEnded { call_id, reason } => CallOutbound::CallEnded {
            call_id,
            reason: reason.as_str(),
            timestamp,
        },
        CallEvent::Refused { .. } | CallEvent::Error { .. } => return None,
    };
    Some(frame.encode())
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

    fn start_call(&mut self, claimed: Option<String>, socket: &mut Socket<'_, Self>) {
        if let Some(claimed) = claimed
            && claimed != self.path_call_id
        {
            if let Err(problem) = input::name_chars("start_call: call_id", &claimed) {
                return socket.refuse(&Refusal::new("invalid_fields", problem));
            }
            let detail = format!(
                "start_call names {} but this socket is {}",
                input::shown(&claimed),
                input::shown(&self.path_call_id)
            );
            return socket.refuse(&Refusal::new("call_id_mismatch", detail));
        }
        if matches!(self.state, LegState::Connecting) {
            self.start_ack_pending = true;
            return;
        }
        socket.send(self.start_ack());
    }

    /// `call_started`, with the leg's current status.
    fn start_ack(&self) -> String {
        let status = match self.state {
            LegState::Connecting | LegState::Waiting => "waiting",
            LegState::Matched(_) => "matched",
            LegState::Finished => "ended",
        };
        let call_id = match &self.call_id {
            Some(call_id) => Cow::Borrowed(call_id.as_str()),
            None => Cow::Owned(input::shown(&self.path_call_id)),
        };
        CallOutbound::CallStarted {
            call_id: &call_id,
            status,
            timestamp: Utc::now(),
        }
        .encode()
    }

    fn transcript(&self, text: String, socket: &mut Socket<'_, Self>) {
        let refusal = match (&self.state, &self.call_id) {
            (LegState::Matched(call), Some(call_id)) => {
                let relay = RelayTranscript {
                    call_id: call_id.clone(),
                    text,
                };
                match call.relay.try_send(relay) {
                    Ok(()) => return,
                    Err(SendError::Full(_)) => Refusal::new(
                        "too_fast",
                        "the call is not keeping up with this socket; the line was not sent",
                    ),
                    Err(SendError::Closed(_)) => {
                        Refusal::new("call_ended", "this call has already ended")
                    }
                }
            }
            (LegState::Finished, _) => Refusal::new("call_ended", "this call has already ended"),
            _ => Refusal::new(
                "not_matched",
                "no partner yet: wait for call_matched before sending transcripts",
            ),
        };
        socket.refuse(&refusal);
    }

    fn hang_up(&mut self) {
        let (Some(call_id), Some(conn_id)) = (self.call_id.clone(), self.conn_id) else {
            return;
        };
        if std::mem::replace(&mut self.hung_up, true) {
            return;
        }
        let end = EndCall {
            call_id,
            origin: EndOrigin::Hangup(conn_id),
        };
        match &self.state {
            LegState::Matched(call) => call.end.do_send(end),
            LegState::Connecting | LegState::Waiting => self.matchmaker.do_send(end),
            LegState::Finished => {}
        }
    }
}

impl Dialect for CallDialect {
    type Inbound = CallInbound;
    type Event = CallEvent;
    const ENDPOINT: &'static str = "call";

    fn decode(&self, frame: Frame<'_>) -> Result<CallInbound, Refusal> {
        decode_frame(frame)
    }

    fn error_frame(refusal: &Refusal) -> String {
        CallOutbound::Error {
            error: refusal.error,
            detail: &refusal.detail,
            timestamp: Utc::now(),
        }
        .encode()
    }

    fn opened(&mut self, socket: &mut Socket<'_, Self>) {
        self.conn_id = Some(socket.id());
        let checked = input::name_chars("call_id", &self.path_call_id)
            .and_then(|()| CallId::parse(&self.path_call_id).map_err(|error| error.to_string()));
        match checked {
            Ok(call_id) => {
                self.call_id = Some(call_id.clone());
                self.matchmaker.do_send(AttachLeg {
                    call_id,
                    conn: socket.handle(),
                });
            }
            Err(problem) => {
                self.state = LegState::Finished;
                socket.refuse(&Refusal::new("unknown_call", problem));
                socket.close(CloseCode::UnknownCall, "unknown call id");
            }
        }
    }

    fn handle(&mut self, inbound: CallInbound, socket: &mut Socket<'_, Self>) {
        match inbound {
            CallInbound::StartCall { call_id } => self.start_call(call_id, socket),
            CallInbound::Transcript { text } => self.transcript(text, socket),
            CallInbound::CallEnded => self.hang_up(),
            CallInbound::Ping => socket.send(
                CallOutbound::Pong {
                    timestamp: Utc::now(),
                }
                .encode(),
            ),
        }
    }

    fn deliver(&mut self, event: CallEvent, socket: &mut Socket<'_, Self>) {
        if let Some(frame) = encode_event(&event) {
            socket.send(frame);
        }
        match event {
            CallEvent::QueuePosition { .. } => self.state = LegState::Waiting,
            CallEvent::CallMatched { call, .. } => self.state = LegState::Matched(call),
            CallEvent::Transcript { .. } => {}
            CallEvent::CallEnded { .. } => {
                self.state = LegState::Finished;
                socket.close(CloseCode::Normal, "call ended");
            }
            CallEvent::Refused {
                error,
                detail,
                close,
            } => {
                self.state = LegState::Finished;
                socket.refuse(&Refusal::new(error, detail));
                socket.close(close, error);
            }
            CallEvent::Error { error, detail } => socket.refuse(&Refusal::new(error, detail)),
        }
        if std::mem::take(&mut self.start_ack_pending) && !matches!(self.state, LegState::Finished)
        {
            socket.send(self.start_ack());
        }
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
            LegState::Matched(call) => call.leave.do_send(leave),
            LegState::Connecting | LegState::Waiting => self.matchmaker.do_send(leave),
            LegState::Finished => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> &'static str {
        match decode_text(text) {
            Err(refusal) => refusal.error,
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
            refusal(r#"{"type":"transcript","text":"a\u0000b"}"#),
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

    #[test]
    fn binary_messages_are_refused() {
        let refused = decode_frame(Frame::Binary(b"\x00")).err();
        assert_eq!(refused.map(|r| r.error), Some("binary_not_supported"));
    }
}
