//! Identifier newtypes. Receives raw strings from clients (`CallId::parse`,
//! `SessionName::parse`) and sends nothing: every other module names call legs, matched pairs,
//! connections and conversations through these types only.

use std::fmt;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One leg of a call, in seed 000's form: `call_` followed by 12 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(transparent)]
pub struct CallId(String);

/// Why a string is not a [`CallId`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCallId {
    /// The text that was offered as a call id: its first 64 characters, anything but printable
    /// ASCII written as `\u{..}` (a call id is ASCII, and the text is quoted back to clients).
    pub offered: String,
}

impl fmt::Display for InvalidCallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a call id (expected call_ followed by 12 hex digits)",
            self.offered
        )
    }
}

impl std::error::Error for InvalidCallId {}

impl CallId {
    const PREFIX: &'static str = "call_";
    const HEX_DIGITS: usize = 12;

    /// A fresh random call id.
    pub fn generate() -> Self {
        let hex = Uuid::new_v4().simple().to_string();
        CallId(format!("{}{}", Self::PREFIX, &hex[..Self::HEX_DIGITS]))
    }

    /// Accepts exactly `call_` + 12 lowercase hex digits.
    pub fn parse(text: &str) -> Result<Self, InvalidCallId> {
        let well_formed = text.strip_prefix(Self::PREFIX).is_some_and(|hex| {
            hex.len() == Self::HEX_DIGITS
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if well_formed {
            Ok(CallId(text.to_owned()))
        } else {
            Err(InvalidCallId {
                offered: text
                    .chars()
                    .take(64)
                    .map(|c| match c {
                        ' '..='~' => c.to_string(),
                        other => other.escape_unicode().to_string(),
                    })
                    .collect(),
            })
        }
    }

    /// The id as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One socket connection, for the whole life of the socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(transparent)]
pub struct ConnId(Uuid);

impl ConnId {
    /// A fresh random connection id.
    pub fn generate() -> Self {
        ConnId(Uuid::new_v4())
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One matched pair of call legs (seed 000). Its wire name is the seed's `session_id`; inside
/// the hub "session" means only a seed-001 conversation ([`SessionName`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(transparent)]
pub struct PairId(Uuid);

impl PairId {
    /// A fresh pair id: time-ordered (UUID v7), so the store's index of calls grows at its end
    /// instead of at a random page per call.
    pub fn generate() -> Self {
        PairId(Uuid::now_v7())
    }
}

impl fmt::Display for PairId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A seed-001 conversation, named by the client (`session_name`): 1 to 128 characters, no
/// control characters, no surrounding whitespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(transparent)]
pub struct SessionName(String);

/// Why a string is not a [`SessionName`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSessionName {
    /// What is wrong with it.
    pub problem: &'static str,
}

impl fmt::Display for InvalidSessionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session_name {}", self.problem)
    }
}

impl std::error::Error for InvalidSessionName {}

impl SessionName {
    /// Longest accepted name, in characters.
    pub const MAX_CHARS: usize = 128;

    /// A fresh name for a client that did not bring one: `session_` + 12 hex digits.
    pub fn generate() -> Self {
        let hex = Uuid::new_v4().simple().to_string();
        SessionName(format!("session_{}", &hex[..12]))
    }

    /// Accepts 1 to [`Self::MAX_CHARS`] characters without control characters or surrounding
    /// whitespace. (The web edge refuses more before a client's name gets here: bidi controls,
    /// zero-width characters and byte order marks.)
    pub fn parse(text: &str) -> Result<Self, InvalidSessionName> {
        let problem = if text.is_empty() {
            Some("must not be empty")
        } else if text.chars().count() > Self::MAX_CHARS {
            Some("is longer than 128 characters")
        } else if text.chars().any(char::is_control) {
            Some("must not contain control characters")
        } else if text.trim() != text {
            Some("must not start or end with whitespace")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(InvalidSessionName { problem }),
            None => Ok(SessionName(text.to_owned())),
        }
    }

    /// The name as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_call_ids_parse_back() {
        let id = CallId::generate();
        assert_eq!(id.as_str().len(), 17);
        assert_eq!(CallId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn session_names_are_checked() {
        assert!(SessionName::parse("session_123").is_ok());
        assert!(SessionName::parse("会话 1").is_ok());
        for bad in ["", " padded", "line\nbreak", &"x".repeat(129)] {
            assert!(
                SessionName::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
        let generated = SessionName::generate();
        assert_eq!(SessionName::parse(generated.as_str()), Ok(generated));
    }

    #[test]
    fn a_refused_call_id_is_quoted_without_its_invisible_characters() {
        let refused = CallId::parse("call_\u{202E}123\u{0}abc").expect_err("malformed");
        assert_eq!(refused.offered, "call_\\u{202e}123\\u{0}abc");
        assert!(refused.to_string().is_ascii());
    }

    #[test]
    fn malformed_call_ids_are_refused() {
        for bad in [
            "",
            "call_",
            "call_12345678901",
            "call_1234567890123",
            "call_ABCDEF012345",
            "call_zzzzzzzzzzzz",
            "cal_123456789012",
            "xcall_12345678901",
        ] {
            assert!(CallId::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
