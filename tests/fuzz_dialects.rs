//! Property tests of the WebSocket dialects' decoders: seed 000's call socket
//! (`CallDialect`), the agent desk (`DeskDialect`) and the shared `{"type": ...}` envelope
//! they build on. Feeds them arbitrary text, bytes and JSON, valid frames of each protocol and
//! mutated ones (a field dropped, a wrong type, huge strings, arbitrary Unicode, deep nesting,
//! repeated keys, cut text), and checks that nothing panics, that every refusal carries a code
//! the README documents for that socket, that valid frames decode to exactly what was sent,
//! and that error frames are JSON in the socket's format. The decoders are pure: no hub runs.

mod fuzz;

use actix::{Actor, Addr, AsyncContext, Context};
use fuzz::frames::{self, ValidFrame};
use fuzz::json::{Mutation, json_like_text, json_value, json_value_or_frame_like_array, mutation};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};
use switchboard::wire::matching::CallInbound;
use switchboard::wire::takeover::desk_frames::DeskInbound;
use switchboard::ws::dialect::call::CallDialect;
use switchboard::ws::dialect::desk::DeskDialect;
use switchboard::ws::dialect::envelope;
use switchboard::ws::dialect::seam::{Dialect, Frame, Refusal};
use switchboard_actors::takeover::Sessions;

/// The codes of the shared envelope decoder.
const ENVELOPE_CODES: &[&str] = &[
    "invalid_json",
    "invalid_message",
    "missing_type",
    "unknown_type",
    "invalid_fields",
];

/// The README's error codes of `/ws/call/{call_id}`.
const CALL_CODES: &[&str] = &[
    "invalid_json",
    "invalid_message",
    "missing_type",
    "unknown_type",
    "invalid_fields",
    "invalid_utf8",
    "binary_not_supported",
    "message_too_large",
    "not_matched",
    "call_ended",
    "call_id_mismatch",
    "partner_not_connected",
    "too_fast",
    "unknown_call",
    "already_connected",
    "too_many_connections",
];

/// The README's error codes of `/ws/desk`, with the envelope's and `binary_not_supported`,
/// which every JSON socket shares.
const DESK_CODES: &[&str] = &[
    "invalid_json",
    "invalid_message",
    "missing_type",
    "unknown_type",
    "invalid_fields",
    "binary_not_supported",
    "not_available",
    "session_not_found",
    "invalid_state",
    "too_fast",
    "store_unavailable",
    "unavailable",
];

/// Deeper than serde_json's recursion limit (128), so certainly refused as `invalid_json`.
const TOO_DEEP: usize = 200;

/// Most characters of a refusal's detail: enough to name the problem, never the client's
/// whole input echoed back.
const MAX_DETAIL_CHARS: usize = 1_000;

/// One socket's protocol as the properties see it.
struct Protocol {
    /// Decodes a message into the decoded frame written as JSON, or refuses it.
    decode: fn(Frame<'_>) -> Result<Value, Refusal>,
    /// The error frame of a refusal.
    error_frame: fn(&Refusal) -> String,
    /// Whether an error frame's `timestamp` has the protocol's form.
    timestamp_ok: fn(&Value) -> bool,
    /// The `type`s it accepts.
    types: &'static [&'static str],
    /// The codes its refusals may carry.
    codes: &'static [&'static str],
}

/// An address of an actor that is never started: decoding never sends to it.
fn unstarted<A: Actor<Context = Context<A>>>() -> Addr<A> {
    Context::new().address()
}

/// Seed 000's call socket.
const CALL: Protocol = Protocol {
    decode: |frame| {
        let dialect = CallDialect::new("call_0123456789ab".into(), unstarted());
        dialect.decode(frame).map(call_json)
    },
    error_frame: <CallDialect as Dialect>::error_frame,
    timestamp_ok: |stamp| {
        let text = stamp.as_str().unwrap_or_default();
        chrono::DateTime::parse_from_rfc3339(text).is_ok()
    },
    types: CallInbound::TYPES,
    codes: CALL_CODES,
};

/// The agent desk.
const DESK: Protocol = Protocol {
    decode: |frame| {
        let sessions = Sessions::new(unstarted(), unstarted());
        DeskDialect::new(sessions, unstarted(), None)
            .decode(frame)
            .map(desk_json)
    },
    error_frame: <DeskDialect as Dialect>::error_frame,
    timestamp_ok: Value::is_i64,
    types: DeskInbound::TYPES,
    codes: DESK_CODES,
};

/// A decoded call frame, written as JSON with every field it keeps.
fn call_json(inbound: CallInbound) -> Value {
    match inbound {
        CallInbound::StartCall { call_id } => json!({"type": "start_call", "call_id": call_id}),
        CallInbound::Transcript { text } => json!({"type": "transcript", "text": text}),
        CallInbound::CallEnded => json!({"type": "call_ended"}),
        CallInbound::Ping => json!({"type": "ping"}),
    }
}

/// A decoded desk frame, written as JSON with every field it keeps.
fn desk_json(inbound: DeskInbound) -> Value {
    match inbound {
        DeskInbound::Available {
            agent_id,
            agent_name,
            capacity,
        } => json!({"type": "available", "agent_id": agent_id, "agent_name": agent_name,
                    "capacity": capacity}),
        DeskInbound::Unavailable => json!({"type": "unavailable"}),
        DeskInbound::Claim { session_name } => {
            json!({"type": "claim", "session_name": session_name})
        }
        DeskInbound::Message {
            session_name,
            content,
        } => json!({"type": "message", "session_name": session_name, "content": content}),
        DeskInbound::Release { session_name } => {
            json!({"type": "release", "session_name": session_name})
        }
        DeskInbound::Ping => json!({"type": "ping"}),
    }
}

impl Protocol {
    /// Decodes text: the decoded frame as JSON, or the refusal's code.
    fn outcome(&self, text: &str) -> Result<Value, &'static str> {
        (self.decode)(Frame::Text(text)).map_err(|refusal| refusal.error)
    }

    /// Decodes text and checks that a refusal carries a documented code.
    fn decode_known(&self, text: &str) -> Result<Result<Value, &'static str>, TestCaseError> {
        let outcome = self.outcome(text);
        if let Err(code) = outcome {
            prop_assert!(self.codes.contains(&code), "undocumented code {code}");
        }
        Ok(outcome)
    }

    /// Any text: decoded or refused with a documented code.
    fn any_text(&self, text: &str) -> Result<(), TestCaseError> {
        self.decode_known(text).map(drop)
    }

    /// Any bytes: a binary message is refused as such; the same bytes as text (lossily) are
    /// decoded or refused with a documented code.
    fn any_bytes(&self, bytes: &[u8]) -> Result<(), TestCaseError> {
        let refused = (self.decode)(Frame::Binary(bytes)).map_err(|r| r.error);
        prop_assert_eq!(refused, Err("binary_not_supported"));
        self.any_text(&String::from_utf8_lossy(bytes))
    }

    /// Any JSON value: decoded or refused with a documented code; an object that decodes
    /// keeps its type.
    fn any_json(&self, value: &Value) -> Result<(), TestCaseError> {
        let outcome = self.decode_known(&value.to_string())?;
        if let (Ok(decoded), true) = (outcome, value.is_object()) {
            prop_assert_eq!(&decoded["type"], &value["type"]);
        }
        Ok(())
    }

    /// Any JSON value is sorted by the envelope's rules: not an object, no string `type`, a
    /// `type` not accepted here, or bad fields, each with its own code.
    fn envelope_rules(&self, value: &Value) -> Result<(), TestCaseError> {
        let outcome = self.outcome(&value.to_string());
        let expected = match value.get("type") {
            _ if !value.is_object() => Some("invalid_message"),
            None => Some("missing_type"),
            Some(Value::String(kind)) if !self.types.contains(&kind.as_str()) => {
                Some("unknown_type")
            }
            Some(Value::String(_)) => None,
            Some(_) => Some("missing_type"),
        };
        match (outcome, expected) {
            (Ok(decoded), None) => prop_assert_eq!(&decoded["type"], &value["type"]),
            (Err(code), None) => prop_assert_eq!(code, "invalid_fields"),
            (outcome, Some(code)) => prop_assert_eq!(outcome, Err(code)),
        }
        Ok(())
    }

    /// A valid frame, its fields in `order`: decodes to exactly what it says.
    fn round_trip(&self, frame: &ValidFrame, order: &[usize]) -> Result<(), TestCaseError> {
        let fields: Vec<_> = order.iter().map(|&i| frame.fields[i].clone()).collect();
        let text = fuzz::json::object_text(&fields);
        prop_assert_eq!(
            self.outcome(&text),
            Ok(frame.decodes_to.clone()),
            "{}",
            text
        );
        Ok(())
    }

    /// A mutated frame: decoded or refused with a documented code, and with the one code the
    /// mutation leaves no doubt about.
    fn mutated(&self, frame: &ValidFrame, mutation: &Mutation) -> Result<(), TestCaseError> {
        let text = mutation.apply(&frame.fields);
        let outcome = self.decode_known(&text)?;
        let on_type = |i: &usize| i.is_multiple_of(frame.fields.len());
        let expected = match mutation {
            Mutation::Truncate(_) => Some("invalid_json"),
            Mutation::Drop(i) if on_type(i) => Some("missing_type"),
            Mutation::Replace(i, value) if on_type(i) && !value.is_string() => Some("missing_type"),
            Mutation::Huge(i, _) if on_type(i) => Some("unknown_type"),
            _ => None,
        };
        if let Some(code) = expected {
            let shown: String = text.chars().take(200).collect();
            prop_assert_eq!(outcome, Err(code), "{}", shown);
        }
        Ok(())
    }

    /// An error frame: `{"type": "error", "error", "detail", "timestamp"}`, the refusal's own
    /// code and detail, and the protocol's timestamp.
    fn error_frame(&self, code: &'static str, detail: &str) -> Result<(), TestCaseError> {
        let frame = (self.error_frame)(&Refusal::new(code, detail));
        let parsed: Value =
            serde_json::from_str(&frame).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.as_object().map(|object| object.len()), Some(4));
        prop_assert_eq!(&parsed["type"], "error");
        prop_assert_eq!(&parsed["error"], code);
        prop_assert_eq!(&parsed["detail"], detail);
        prop_assert!((self.timestamp_ok)(&parsed["timestamp"]), "{}", frame);
        Ok(())
    }
}

/// A valid frame of `frames`, with an order of its fields.
fn shuffled(
    frames: impl Strategy<Value = ValidFrame>,
) -> impl Strategy<Value = (ValidFrame, Vec<usize>)> {
    frames.prop_flat_map(|frame| {
        let order = Just((0..frame.fields.len()).collect::<Vec<_>>()).prop_shuffle();
        (Just(frame), order)
    })
}

/// The call dialect as the shared decoder alone would decode `text` (a blank transcript is
/// refused by the dialect's own rule).
fn call_by_envelope(text: &str) -> Result<Value, &'static str> {
    match envelope::decode::<CallInbound>(text, CallInbound::TYPES) {
        Ok(CallInbound::Transcript { text }) if text.trim().is_empty() => Err("invalid_fields"),
        decoded => decoded.map(call_json).map_err(|refusal| refusal.error),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn call_decodes_or_refuses_any_text(text in any::<String>()) {
        CALL.any_text(&text)?;
    }

    #[test]
    fn desk_decodes_or_refuses_any_text(text in any::<String>()) {
        DESK.any_text(&text)?;
    }

    #[test]
    fn call_decodes_or_refuses_almost_json(text in json_like_text()) {
        CALL.any_text(&text)?;
    }

    #[test]
    fn desk_decodes_or_refuses_almost_json(text in json_like_text()) {
        DESK.any_text(&text)?;
    }

    #[test]
    fn call_refuses_binary_and_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        CALL.any_bytes(&bytes)?;
    }

    #[test]
    fn desk_refuses_binary_and_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        DESK.any_bytes(&bytes)?;
    }

    #[test]
    fn call_decodes_or_refuses_any_json(value in json_value()) {
        CALL.any_json(&value)?;
    }

    #[test]
    fn desk_decodes_or_refuses_any_json(value in json_value()) {
        DESK.any_json(&value)?;
    }

    #[test]
    fn desk_sorts_any_json_by_the_envelope_rules(value in json_value_or_frame_like_array()) {
        DESK.envelope_rules(&value)?;
    }

    #[test]
    fn call_sorts_any_json_by_the_envelope_rules(value in json_value_or_frame_like_array()) {
        CALL.envelope_rules(&value)?;
    }

    #[test]
    fn call_frames_round_trip((frame, order) in shuffled(frames::call_frame())) {
        CALL.round_trip(&frame, &order)?;
    }

    #[test]
    fn desk_frames_round_trip((frame, order) in shuffled(frames::desk_frame())) {
        DESK.round_trip(&frame, &order)?;
    }

    #[test]
    fn call_survives_mutated_frames(frame in frames::call_frame(), mutation in mutation()) {
        CALL.mutated(&frame, &mutation)?;
    }

    #[test]
    fn desk_survives_mutated_frames(frame in frames::desk_frame(), mutation in mutation()) {
        DESK.mutated(&frame, &mutation)?;
    }

    #[test]
    fn call_error_frames_are_json(code in select(CALL_CODES), detail in any::<String>()) {
        CALL.error_frame(code, &detail)?;
    }

    #[test]
    fn desk_error_frames_are_json(code in select(DESK_CODES), detail in any::<String>()) {
        DESK.error_frame(code, &detail)?;
    }

    #[test]
    fn call_fast_path_agrees_with_the_envelope(frame in frames::call_frame(), mutation in mutation()) {
        let text = mutation.apply(&frame.fields);
        prop_assert_eq!(CALL.outcome(&text), call_by_envelope(&text));
    }

    #[test]
    fn refusals_quote_little_of_the_input(
        call in frames::call_frame(),
        desk in frames::desk_frame(),
        slot in 0usize..8,
        chars in MAX_DETAIL_CHARS..100_000,
    ) {
        for (protocol, frame) in [(&CALL, call), (&DESK, desk)] {
            let text = Mutation::Huge(slot, chars).apply(&frame.fields);
            if let Err(refusal) = (protocol.decode)(Frame::Text(&text)) {
                prop_assert!(refusal.detail.chars().count() <= MAX_DETAIL_CHARS);
            }
        }
    }

    #[test]
    fn desk_refuses_nesting_past_the_limit(
        frame in frames::desk_frame(),
        slot in 0usize..8,
        depth in TOO_DEEP..1_000,
    ) {
        let text = Mutation::Nest(slot, depth).apply(&frame.fields);
        prop_assert_eq!(DESK.outcome(&text), Err("invalid_json"));
    }

    #[test]
    fn envelope_refuses_nesting_past_its_limit(
        frame in frames::call_frame(),
        slot in 0usize..8,
        depth in TOO_DEEP..1_000,
    ) {
        let text = Mutation::Nest(slot, depth).apply(&frame.fields);
        let refused = envelope::decode::<CallInbound>(&text, CallInbound::TYPES).err();
        prop_assert_eq!(refused.map(|refusal| refusal.error), Some("invalid_json"));
    }

    #[test]
    fn envelope_refuses_only_with_its_five_codes(text in json_like_text(), value in json_value()) {
        for text in [text, value.to_string()] {
            for refused in [
                envelope::decode::<CallInbound>(&text, CallInbound::TYPES).err(),
                envelope::decode::<DeskInbound>(&text, DeskInbound::TYPES).err(),
            ] {
                let code = refused.map_or("accepted", |refusal| refusal.error);
                prop_assert!(code == "accepted" || ENVELOPE_CODES.contains(&code), "{}", code);
            }
        }
    }

    #[test]
    fn envelope_accepts_only_the_types_listed(frame in frames::desk_frame()) {
        let listed = ["ping"];
        let kind = frame.decodes_to["type"].clone();
        let decoded = envelope::decode::<DeskInbound>(&frame.text(), &listed);
        let code = decoded.map(desk_json).map_err(|refusal| refusal.error);
        match kind == "ping" {
            true => prop_assert_eq!(code, Ok(json!({"type": "ping"}))),
            false => prop_assert_eq!(code, Err("unknown_type")),
        }
    }

    #[test]
    fn envelope_takes_text_and_refuses_binary(text in any::<String>(), bytes in any::<Vec<u8>>()) {
        prop_assert_eq!(envelope::text_only(Frame::Text(&text)), Ok(text.as_str()));
        let refused = envelope::text_only(Frame::Binary(&bytes)).map_err(|r| r.error);
        prop_assert_eq!(refused, Err("binary_not_supported"));
    }
}
