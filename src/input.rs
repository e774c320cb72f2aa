//! Checks on client text shared by the REST API and the sockets: message content and short
//! labels (reasons, agent ids and names). Receives raw strings and the field's name; sends back
//! the accepted text, or a sentence naming the field and what is wrong with it.

/// Longest message accepted, in characters.
pub const MAX_CONTENT_CHARS: usize = 10_000;

/// Longest reason, details, agent id or agent name accepted, in characters.
const MAX_LABEL_CHARS: usize = 200;

/// Message text: not blank, at most [`MAX_CONTENT_CHARS`] characters.
pub fn content(field: &str, text: String) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if text.chars().count() > MAX_CONTENT_CHARS {
        return Err(format!(
            "{field} is longer than {MAX_CONTENT_CHARS} characters"
        ));
    }
    Ok(text)
}

/// A short label (reason, agent id, ...): trimmed, not empty, no control characters.
pub fn label(field: &str, text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if text.chars().count() > MAX_LABEL_CHARS || text.chars().any(char::is_control) {
        return Err(format!(
            "{field} must be at most {MAX_LABEL_CHARS} characters without control characters"
        ));
    }
    Ok(text.to_owned())
}
