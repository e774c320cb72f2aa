//! Checks on client text shared by the REST API and the sockets: the one place that says what
//! a name may hold (session names, call ids, agent ids and names, reasons: everything a client
//! chooses to name something by) and what message content may hold. Receives raw strings and
//! the field's name; sends back the accepted text, or a sentence naming the field and the rule
//! it breaks, with the offending codepoint.
//!
//! A name must not contain anything that changes how the text around it reads while staying
//! invisible itself: control characters (C0, DEL and C1, NUL included), bidi controls, zero-width
//! characters and byte order marks. Content keeps newlines, tabs and bidi text; it refuses only
//! NUL, which ends strings early in too many places downstream.

use switchboard_actors::kernel::ids::SessionName;

/// Longest message accepted, in characters.
pub const MAX_CONTENT_CHARS: usize = 10_000;

/// Longest reason, details, agent id or agent name accepted, in characters.
const MAX_LABEL_CHARS: usize = 200;

/// Most characters of client text quoted back in an error detail.
const MAX_SHOWN_CHARS: usize = 64;

/// A class of characters no name may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invisible {
    /// C0 controls, DEL and C1 controls (`U+0000`–`U+001F`, `U+007F`–`U+009F`).
    Control,
    /// Bidi embeddings, overrides and isolates (`U+202A`–`U+202E`, `U+2066`–`U+2069`) and the
    /// direction marks `U+200E`, `U+200F` and `U+061C`.
    Bidi,
    /// `U+200B`–`U+200D`, `U+2060` (word joiner) and `U+180E` (Mongolian vowel separator).
    ZeroWidth,
    /// `U+FEFF`.
    ByteOrderMark,
}

impl Invisible {
    /// The class of `c`, if names refuse it.
    fn of(c: char) -> Option<Invisible> {
        match c {
            c if c.is_control() => Some(Invisible::Control),
            '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}' => Some(Invisible::Bidi),
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{180E}' => Some(Invisible::ZeroWidth),
            '\u{FEFF}' => Some(Invisible::ByteOrderMark),
            _ => None,
        }
    }

    /// The rule's words, as in "must not contain ...".
    fn words(self) -> &'static str {
        match self {
            Invisible::Control => "control characters",
            Invisible::Bidi => "bidi control characters",
            Invisible::ZeroWidth => "zero-width characters",
            Invisible::ByteOrderMark => "byte order marks",
        }
    }
}

/// `U+202E`.
fn codepoint(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// A name's characters: refuses the first control, bidi, zero-width or byte-order-mark
/// character, naming `field`, the rule and the codepoint.
pub fn name_chars(field: &str, text: &str) -> Result<(), String> {
    match text
        .chars()
        .find_map(|c| Invisible::of(c).map(|class| (c, class)))
    {
        Some((c, class)) => Err(format!(
            "{field} must not contain {} ({})",
            class.words(),
            codepoint(c)
        )),
        None => Ok(()),
    }
}

/// A session name, from a body, a path or a desk frame: the name rules, then the session
/// name's own (1 to 128 characters, no surrounding whitespace).
pub fn session_name(field: &str, text: &str) -> Result<SessionName, String> {
    name_chars(field, text)?;
    SessionName::parse(text).map_err(|error| format!("{field} {}", error.problem))
}

/// Free text (message content, a call's transcript line): no NUL, which C-based clients and
/// logs would cut the text at.
pub fn no_nul(field: &str, text: &str) -> Result<(), String> {
    match text.contains('\0') {
        true => Err(format!("{field} must not contain NUL characters (U+0000)")),
        false => Ok(()),
    }
}

/// Message text: not blank, no NUL, at most [`MAX_CONTENT_CHARS`] characters. Newlines, tabs
/// and bidi text are kept.
pub fn content(field: &str, text: String) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    no_nul(field, &text)?;
    if text.chars().count() > MAX_CONTENT_CHARS {
        return Err(format!(
            "{field} is longer than {MAX_CONTENT_CHARS} characters"
        ));
    }
    Ok(text)
}

/// A short label (reason, agent id, agent name, ...): trimmed, not empty, at most 200
/// characters, and the name rules.
pub fn label(field: &str, text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if text.chars().count() > MAX_LABEL_CHARS {
        return Err(format!(
            "{field} is longer than {MAX_LABEL_CHARS} characters"
        ));
    }
    name_chars(field, text)?;
    Ok(text.to_owned())
}

/// Client text quoted back in an error detail: at most 64 characters, each character names
/// refuse written as `\u{202e}`, so a detail cannot be turned around by what it quotes.
pub fn shown(text: &str) -> String {
    text.chars()
        .take(MAX_SHOWN_CHARS)
        .map(|c| match Invisible::of(c) {
            Some(_) => c.escape_unicode().to_string(),
            None => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refused codepoint, with the words of its rule.
    const REFUSED: &[(char, &str)] = &[
        ('\u{0000}', "control characters (U+0000)"),
        ('\u{0007}', "control characters (U+0007)"),
        ('\n', "control characters (U+000A)"),
        ('\u{001F}', "control characters (U+001F)"),
        ('\u{007F}', "control characters (U+007F)"),
        ('\u{0085}', "control characters (U+0085)"),
        ('\u{009F}', "control characters (U+009F)"),
        ('\u{202A}', "bidi control characters (U+202A)"),
        ('\u{202B}', "bidi control characters (U+202B)"),
        ('\u{202C}', "bidi control characters (U+202C)"),
        ('\u{202D}', "bidi control characters (U+202D)"),
        ('\u{202E}', "bidi control characters (U+202E)"),
        ('\u{2066}', "bidi control characters (U+2066)"),
        ('\u{2067}', "bidi control characters (U+2067)"),
        ('\u{2068}', "bidi control characters (U+2068)"),
        ('\u{2069}', "bidi control characters (U+2069)"),
        ('\u{200E}', "bidi control characters (U+200E)"),
        ('\u{200F}', "bidi control characters (U+200F)"),
        ('\u{061C}', "bidi control characters (U+061C)"),
        ('\u{200B}', "zero-width characters (U+200B)"),
        ('\u{200C}', "zero-width characters (U+200C)"),
        ('\u{200D}', "zero-width characters (U+200D)"),
        ('\u{2060}', "zero-width characters (U+2060)"),
        ('\u{180E}', "zero-width characters (U+180E)"),
        ('\u{FEFF}', "byte order marks (U+FEFF)"),
    ];

    #[test]
    fn names_refuse_each_invisible_class_naming_field_rule_and_codepoint() {
        for &(c, rule) in REFUSED {
            let text = format!("agent{c}01");
            let expected = format!("agent_id must not contain {rule}");
            assert_eq!(label("agent_id", &text), Err(expected.clone()), "{c:?}");
            assert_eq!(name_chars("agent_id", &text), Err(expected), "{c:?}");
            let session = session_name("session_name", &text);
            assert_eq!(
                session,
                Err(format!("session_name must not contain {rule}")),
                "{c:?}"
            );
        }
    }

    #[test]
    fn names_in_any_script_are_accepted() {
        for good in ["agent_01", "小王", "Zoë", "محمد", "會話 1", "a-b.c@d"] {
            assert_eq!(label("agent_name", good), Ok(good.to_owned()));
            assert!(session_name("session_name", good).is_ok(), "{good}");
        }
        assert_eq!(
            label("reason", "  user_request "),
            Ok("user_request".into())
        );
    }

    #[test]
    fn the_first_refused_character_is_named() {
        let text = "a\u{200B}b\u{202E}c";
        assert_eq!(
            name_chars("session_name", text),
            Err("session_name must not contain zero-width characters (U+200B)".into())
        );
    }

    #[test]
    fn session_names_keep_their_own_rules() {
        assert_eq!(
            session_name("session_name", ""),
            Err("session_name must not be empty".into())
        );
        assert_eq!(
            session_name("claim: session_name", " padded"),
            Err("claim: session_name must not start or end with whitespace".into())
        );
        assert!(session_name("session_name", &"x".repeat(129)).is_err());
    }

    #[test]
    fn labels_are_bounded_and_not_empty() {
        assert_eq!(
            label("reason", "   "),
            Err("reason must not be empty".into())
        );
        assert_eq!(
            label("reason", &"r".repeat(201)),
            Err("reason is longer than 200 characters".into())
        );
        assert!(label("reason", &"r".repeat(200)).is_ok());
    }

    #[test]
    fn content_refuses_nul_and_keeps_other_text() {
        assert_eq!(
            content("content", "hi\0there".into()),
            Err("content must not contain NUL characters (U+0000)".into())
        );
        for kept in [
            "line one\nline two\ttabbed",
            "שלום \u{202E}reversed\u{202C}",
            "a\u{200D}b",
            "\u{FEFF}text",
        ] {
            assert_eq!(content("content", kept.into()), Ok(kept.to_owned()));
        }
        assert_eq!(
            content("message", " \n ".into()),
            Err("message must not be empty".into())
        );
        assert!(content("message", "x".repeat(MAX_CONTENT_CHARS)).is_ok());
        assert_eq!(
            content("message", "x".repeat(MAX_CONTENT_CHARS + 1)),
            Err("message is longer than 10000 characters".into())
        );
    }

    #[test]
    fn shown_text_cannot_reorder_a_detail() {
        assert_eq!(shown("abc\u{202E}def"), "abc\\u{202e}def");
        assert_eq!(shown("nul\0"), "nul\\u{0}");
        assert_eq!(shown("小王"), "小王");
        assert_eq!(shown(&"y".repeat(100)).len(), MAX_SHOWN_CHARS);
    }
}
