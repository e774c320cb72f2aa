//! Generators for the dialect property tests: the valid frames of each WebSocket protocol (with
//! what each must decode to), arbitrary JSON and JSON-like text, and the mutations a broken or
//! hostile client makes to a valid frame. Receives proptest's random source; sends frames as
//! text.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value, json};

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

/// `{"k":v,...}` with the keys in the order given (duplicates kept, as a client may send them).
pub fn object_text(fields: &[(String, Value)]) -> String {
    let members: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}:{value}", Value::from(key.as_str())))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// Text a person would type: 1 to 64 characters, no control or format characters, no
/// surrounding whitespace; anything, in any script, that every input rule accepts.
pub fn label() -> impl Strategy<Value = String> {
    "[^\\p{C}\\s]([^\\p{C}]{0,62}[^\\p{C}\\s])?"
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

/// Scalars, short arrays and objects: values a client puts in fields the hub ignores.
fn shallow_json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec(("[a-z_]{0,8}", inner), 0..4)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Any JSON scalar: null, booleans, integers, finite floats, and strings (the protocols' own
/// words among them).
pub fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        any::<String>().prop_map(Value::from),
        select(WORDS).prop_map(Value::from),
    ]
}

/// Every `type` and field name of the protocols, so that arbitrary JSON often looks like a
/// frame.
pub const WORDS: &[&str] = &[
    "type",
    "start_call",
    "transcript",
    "call_ended",
    "ping",
    "available",
    "unavailable",
    "claim",
    "message",
    "release",
    "text",
    "call_id",
    "agent_id",
    "agent_name",
    "capacity",
    "session_name",
    "content",
];

/// Any JSON value, nested a few levels, whose objects use the protocols' keys half the time.
pub fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![select(WORDS).prop_map(str::to_owned), any::<String>()];
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((key, inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Any JSON value, or an array that starts like a frame (`["ping", ...]`): what a client
/// that got the envelope wrong sends.
pub fn json_value_or_frame_like_array() -> impl Strategy<Value = Value> {
    let array = (select(WORDS), vec(scalar(), 0..3)).prop_map(|(word, rest)| {
        Value::Array(std::iter::once(Value::from(word)).chain(rest).collect())
    });
    prop_oneof![3 => json_value(), 1 => array]
}

/// Text assembled from JSON's punctuation and the protocols' words: mostly almost-JSON, which
/// reaches deeper into a decoder than random characters do.
pub fn json_like_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        select(
            &[
                "{", "}", "[", "]", ":", ",", " ", "null", "true", "-1", "1e400", "0.5"
            ][..]
        )
        .prop_map(str::to_owned),
        select(WORDS).prop_map(|word| format!("\"{word}\"")),
        any::<String>().prop_map(|text| Value::from(text).to_string()),
    ];
    vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

/// What a broken or hostile client does to a valid frame. Field indexes count from `type` and
/// wrap around.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// A field left out.
    Drop(usize),
    /// A field's value replaced by any other value.
    Replace(usize, Value),
    /// A field's value replaced by a string of this many characters.
    Huge(usize, usize),
    /// A field's value replaced by arbitrary Unicode.
    Unicode(usize, String),
    /// A field's value wrapped in this many arrays.
    Nest(usize, usize),
    /// A field written twice, the second time with this value.
    Repeat(usize, Value),
    /// The text cut after this many characters (wrapping around, never the whole).
    Truncate(usize),
}

/// Any mutation.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0usize..8;
    prop_oneof![
        at.clone().prop_map(Mutation::Drop),
        (at.clone(), json_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        (at.clone(), 1usize..100_000).prop_map(|(i, n)| Mutation::Huge(i, n)),
        (at.clone(), any::<String>()).prop_map(|(i, s)| Mutation::Unicode(i, s)),
        (at.clone(), 1usize..1_000).prop_map(|(i, n)| Mutation::Nest(i, n)),
        (at.clone(), scalar()).prop_map(|(i, v)| Mutation::Repeat(i, v)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

impl Mutation {
    /// `frame` mutated, as text.
    pub fn apply(&self, frame: &ValidFrame) -> String {
        let mut fields = frame.fields.clone();
        let count = fields.len();
        let slot = |i: &usize| i % count;
        match self {
            Mutation::Drop(i) => _ = fields.remove(slot(i)),
            Mutation::Replace(i, value) => fields[slot(i)].1 = value.clone(),
            Mutation::Huge(i, n) => fields[slot(i)].1 = Value::from("é".repeat(*n)),
            Mutation::Unicode(i, text) => fields[slot(i)].1 = Value::from(text.as_str()),
            Mutation::Repeat(i, value) => {
                let key = fields[slot(i)].0.clone();
                fields.push((key, value.clone()));
            }
            Mutation::Nest(i, depth) => {
                let at = slot(i);
                let inner = fields[at].1.to_string();
                let nested = format!("{}{inner}{}", "[".repeat(*depth), "]".repeat(*depth));
                let key = Value::from(fields[at].0.as_str());
                return replace_member(&fields, at, &format!("{key}:{nested}"));
            }
            Mutation::Truncate(n) => {
                let text = object_text(&fields);
                let chars = text.chars().count();
                return text.chars().take(n % chars).collect();
            }
        }
        object_text(&fields)
    }
}

/// The object text of `fields` with member `at` written as `member` (already JSON).
fn replace_member(fields: &[(String, Value)], at: usize, member: &str) -> String {
    let members: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, (key, value))| match i == at {
            true => member.to_owned(),
            false => format!("{}:{value}", Value::from(key.as_str())),
        })
        .collect();
    format!("{{{}}}", members.join(","))
}
