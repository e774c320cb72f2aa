//! The valid frames of each WebSocket protocol, with what each must decode to, for the
//! dialect property tests. Receives proptest's random source; sends frames.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::json::{label, object_text, shallow_json};

/// A valid frame of a protocol: its fields in the order they are written (`type` first until
/// shuffled), and the canonical JSON of what it must decode to (defaults filled in, fields the
/// protocol ignores left out).
#[derive(Debug, Clone)]
pub struct ValidFrame {
    /// `(key, value)` pairs, `type` among them.
    pub fields: Vec<(String, Value)>,
    /// What the decoder must produce, written as JSON with every field it keeps.
    pub decodes_to: Value,
}

impl ValidFrame {
    /// A frame of `kind` with `fields`, which decodes to `decodes_to`.
    fn new(kind: &str, fields: Vec<(&str, Value)>, decodes_to: Value) -> ValidFrame {
        let mut all = vec![("type".to_owned(), Value::from(kind))];
        all.extend(
            fields
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value)),
        );
        ValidFrame {
            fields: all,
            decodes_to,
        }
    }

    /// The frame as JSON text, its fields in their order.
    pub fn text(&self) -> String {
        object_text(&self.fields)
    }
}

/// A seed-000 `call_...` id.
fn call_id() -> impl Strategy<Value = String> {
    "call_[0-9a-f]{12}"
}

/// Fields a seed's client sends that the protocol ignores (`timestamp`, names, `speaker`), and
/// unknown ones.
fn ignored_fields(known: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, Value)>> {
    let key = prop_oneof![select(known).prop_map(str::to_owned), "x_[a-z]{1,8}",];
    vec((key, shallow_json()), 0..4)
}

/// A valid seed-000 call frame, and the fields the seed adds that the hub ignores.
pub fn call_frame() -> impl Strategy<Value = ValidFrame> {
    let start = (proptest::option::of(call_id()), label()).prop_map(|(call_id, name)| {
        let mut fields = vec![("customer_name", Value::from(name))];
        if let Some(call_id) = &call_id {
            fields.push(("call_id", Value::from(call_id.as_str())));
        }
        let decodes_to = json!({"type": "start_call", "call_id": call_id});
        ValidFrame::new("start_call", fields, decodes_to)
    });
    let transcript = label().prop_map(|text| {
        let decodes_to = json!({"type": "transcript", "text": text});
        ValidFrame::new("transcript", vec![("text", Value::from(text))], decodes_to)
    });
    let bare = select(&["call_ended", "ping"][..])
        .prop_map(|kind| ValidFrame::new(kind, vec![], json!({"type": kind})));
    let ignored = ignored_fields(&["timestamp", "speaker", "agent_name", "seq"]);
    (prop_oneof![start, transcript, bare], ignored).prop_map(with_ignored)
}

/// A valid agent-desk frame, and fields the hub ignores.
pub fn desk_frame() -> impl Strategy<Value = ValidFrame> {
    let available = (label(), label(), proptest::option::of(1usize..=100)).prop_map(
        |(agent_id, agent_name, capacity)| {
            let mut fields = vec![
                ("agent_id", Value::from(agent_id.as_str())),
                ("agent_name", Value::from(agent_name.as_str())),
            ];
            fields.extend(capacity.map(|capacity| ("capacity", Value::from(capacity))));
            let decodes_to = json!({"type": "available", "agent_id": agent_id,
                "agent_name": agent_name, "capacity": capacity.unwrap_or(1)});
            ValidFrame::new("available", fields, decodes_to)
        },
    );
    let named = (select(&["claim", "release"][..]), label()).prop_map(|(kind, session)| {
        let decodes_to = json!({"type": kind, "session_name": session});
        ValidFrame::new(
            kind,
            vec![("session_name", Value::from(session))],
            decodes_to,
        )
    });
    let message = (label(), label()).prop_map(|(session, content)| {
        let fields = vec![
            ("session_name", Value::from(session.as_str())),
            ("content", Value::from(content.as_str())),
        ];
        let decodes_to = json!({"type": "message", "session_name": session, "content": content});
        ValidFrame::new("message", fields, decodes_to)
    });
    let bare = select(&["unavailable", "ping"][..])
        .prop_map(|kind| ValidFrame::new(kind, vec![], json!({"type": kind})));
    let ignored = ignored_fields(&["timestamp", "agent_info", "role"]);
    (prop_oneof![available, named, message, bare], ignored).prop_map(with_ignored)
}

/// Adds the ignored fields whose keys the frame does not already use.
fn with_ignored((mut frame, ignored): (ValidFrame, Vec<(String, Value)>)) -> ValidFrame {
    for (key, value) in ignored {
        if frame.fields.iter().all(|(taken, _)| *taken != key) {
            frame.fields.push((key, value));
        }
    }
    frame
}
