//! Frames as text. Receives any wire shape and sends back its JSON text; the shapes here are
//! plain structs and enums with string keys, so encoding cannot fail in practice, and if it
//! ever did the client gets an error frame saying so instead of nothing.

use serde::Serialize;

/// The JSON text of `frame`.
pub fn encode<T: Serialize>(frame: &T) -> String {
    serde_json::to_string(frame).unwrap_or_else(|error| {
        format!(
            r#"{{"type":"error","error":"internal","detail":"could not encode a frame: {error}"}}"#
        )
    })
}
