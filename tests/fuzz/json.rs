//! JSON for the property tests: arbitrary values and almost-JSON text, text a person would
//! type, JSON objects written with their keys in a chosen order, and the mutations a broken or
//! hostile client makes to a valid object. Receives proptest's random source; sends values and
//! text.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};

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

/// Scalars, short arrays and objects: values a client puts in fields the hub ignores.
pub fn shallow_json() -> impl Strategy<Value = Value> {
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

/// Every `type` and field name of the protocols and the REST bodies, so that arbitrary JSON
/// often looks like a frame or a body.
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
    "user_type",
    "user_name",
    "customer",
    "agent",
    "user",
    "role",
    "reason",
    "details",
    "agent_info",
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

/// What a broken or hostile client does to a valid JSON object (a frame or a request body).
/// Field indexes wrap around.
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
    /// The object of `fields` mutated, as text.
    pub fn apply(&self, fields: &[(String, Value)]) -> String {
        let mut fields = fields.to_vec();
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
