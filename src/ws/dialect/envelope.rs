//! The one decoder of JSON `{"type": ...}` envelopes, shared by every JSON dialect. Receives a
//! message (only text is JSON: [`text_only`]) and the `type`s a socket accepts; sends back the
//! typed inbound message or the
//! [`Refusal`] that names exactly what is wrong, with the codes the README documents:
//! `invalid_json`, `invalid_message` (not an object), `missing_type` (absent or not a
//! string), `unknown_type` and `invalid_fields`.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ws::dialect::seam::{Frame, Refusal};

/// The text of a message, for a dialect that speaks JSON text only: a binary message is
/// refused with `binary_not_supported`.
pub fn text_only(frame: Frame<'_>) -> Result<&str, Refusal> {
    match frame {
        Frame::Text(text) => Ok(text),
        Frame::Binary(_) => Err(Refusal::new(
            "binary_not_supported",
            "this socket speaks JSON text messages only",
        )),
    }
}

/// Deepest nesting a single-pass decoder may take; deeper text goes through [`decode`].
const FAST_PATH_DEPTH: usize = 32;

/// Whether `text` may go through a dialect's single-pass decoder and be sorted exactly as
/// [`decode`] would sort it: a JSON object (serde reads an array into a struct by position)
/// nested no deeper than [`FAST_PATH_DEPTH`] (serde skips unknown fields without the depth
/// limit that [`decode`] enforces).
pub fn fast_path_fits(text: &str) -> bool {
    if !text.trim_start().starts_with('{') {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for byte in text.bytes() {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'{' | b'[') => {
                depth += 1;
                if depth > FAST_PATH_DEPTH {
                    return false;
                }
            }
            (false, _, b'}' | b']') => depth = depth.saturating_sub(1),
            (false, _, _) => {}
        }
    }
    true
}

/// Decodes `text` into `T` (an enum tagged by `type`), accepting only the `types` listed.
pub fn decode<T: DeserializeOwned>(text: &str, types: &[&str]) -> Result<T, Refusal> {
    let value: Value = serde_json::from_str(text)
        .map_err(|error| Refusal::new("invalid_json", format!("not JSON: {error}")))?;
    let kind = match value.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(_) => return Err(Refusal::new("missing_type", "\"type\" must be a string")),
        None if value.is_object() => {
            return Err(Refusal::new(
                "missing_type",
                "the message has no \"type\" field",
            ));
        }
        None => {
            return Err(Refusal::new(
                "invalid_message",
                "a message must be a JSON object",
            ));
        }
    };
    if !types.contains(&kind.as_str()) {
        return Err(Refusal::new(
            "unknown_type",
            format!(
                "unknown message type '{}'; this socket accepts {}",
                kind.chars().take(64).collect::<String>(),
                listed(types)
            ),
        ));
    }
    serde_json::from_value(value)
        .map_err(|error| Refusal::new("invalid_fields", format!("{kind}: {error}")))
}

/// `a, b and c`.
fn listed(types: &[&str]) -> String {
    match types {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A small protocol to decode.
    #[derive(Debug, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Sample {
        /// Needs a name.
        Hello {
            /// Who.
            name: String,
        },
        /// Nothing else.
        Ping,
    }

    fn code(text: &str) -> &'static str {
        match decode::<Sample>(text, &["hello", "ping"]) {
            Ok(_) => "accepted",
            Err(refusal) => refusal.error,
        }
    }

    #[test]
    fn every_kind_of_bad_envelope_has_its_code() {
        assert_eq!(code("{nope"), "invalid_json");
        assert_eq!(code("[1]"), "invalid_message");
        assert_eq!(code("\"text\""), "invalid_message");
        assert_eq!(code(r#"{"name":"x"}"#), "missing_type");
        assert_eq!(code(r#"{"type":7}"#), "missing_type");
        assert_eq!(code(r#"{"type":"dance"}"#), "unknown_type");
        assert_eq!(code(r#"{"type":"hello"}"#), "invalid_fields");
        assert_eq!(code(r#"{"type":"hello","name":"x","extra":1}"#), "accepted");
        assert_eq!(code(r#"{"type":"ping"}"#), "accepted");
    }

    #[test]
    fn a_good_envelope_decodes_into_its_variant() {
        match decode::<Sample>(r#"{"type":"hello","name":"Ann"}"#, &["hello", "ping"]) {
            Ok(Sample::Hello { name }) => assert_eq!(name, "Ann"),
            other => panic!("expected hello, got {other:?}"),
        }
    }

    #[test]
    fn only_shallow_objects_fit_the_fast_path() {
        assert!(fast_path_fits(r#" {"type":"ping","x":[{"a":"[[[["}]}"#));
        assert!(!fast_path_fits(r#"["call_ended"]"#));
        assert!(!fast_path_fits(&format!(
            "{{\"a\":{}1{}}}",
            "[".repeat(40),
            "]".repeat(40)
        )));
        let quoted = format!("{{\"a\":\"{}\"}}", "[".repeat(40));
        assert!(fast_path_fits(&quoted), "brackets in strings do not nest");
    }

    #[test]
    fn the_unknown_type_refusal_lists_what_is_accepted() {
        let refusal =
            decode::<Sample>(r#"{"type":"dance"}"#, &["hello", "ping"]).expect_err("unknown");
        assert!(
            refusal.detail.ends_with("accepts hello and ping"),
            "{}",
            refusal.detail
        );
    }
}
