//! The escalation state machine of a seed-001 session, pure. Receives a session's status and a
//! requested [`Transition`] (or the author of a manual message) and sends back the next status,
//! or an [`IllegalTransition`] naming the current status. The Session actor is its only caller.
//!
//! ```text
//! bot_active ──escalate──▶ pending_manual ──claim──▶ manual_live ──release──▶ bot_active
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who is answering a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The bot answers the user.
    BotActive,
    /// The user asked for (or the regulator decided on) a human; none has taken it yet.
    PendingManual,
    /// A human agent holds the session; user messages go to the agent.
    ManualLive,
}

impl Status {
    /// Every status, in the order of the machine.
    pub const ALL: [Status; 3] = [Status::BotActive, Status::PendingManual, Status::ManualLive];

    /// The wire form: `bot_active`, `pending_manual` or `manual_live`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::BotActive => "bot_active",
            Status::PendingManual => "pending_manual",
            Status::ManualLive => "manual_live",
        }
    }

    /// The status with this wire form.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A requested change of status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Ask for a human: `bot_active → pending_manual`.
    Escalate,
    /// A human takes the session: `pending_manual → manual_live`.
    Claim,
    /// The human hands back to the bot: `manual_live → bot_active`.
    Release,
}

impl Transition {
    /// The verb, for error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Escalate => "escalate",
            Transition::Claim => "claim",
            Transition::Release => "release",
        }
    }
}

/// A transition the machine does not allow from the current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IllegalTransition {
    /// The status the session is in.
    pub current: Status,
    /// What was asked.
    pub attempted: Transition,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed_from = match self.attempted {
            Transition::Escalate => Status::BotActive,
            Transition::Claim => Status::PendingManual,
            Transition::Release => Status::ManualLive,
        };
        write!(
            f,
            "cannot {} a session that is {} (only from {})",
            self.attempted.as_str(),
            self.current,
            allowed_from
        )
    }
}

impl std::error::Error for IllegalTransition {}

/// The status after `transition`, or why it is not allowed.
pub fn next(current: Status, transition: Transition) -> Result<Status, IllegalTransition> {
    match (current, transition) {
        (Status::BotActive, Transition::Escalate) => Ok(Status::PendingManual),
        (Status::PendingManual, Transition::Claim) => Ok(Status::ManualLive),
        (Status::ManualLive, Transition::Release) => Ok(Status::BotActive),
        _ => Err(IllegalTransition {
            current,
            attempted: transition,
        }),
    }
}

/// Who writes a manual message (`POST /api/manual/messages`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The customer.
    User,
    /// A human agent.
    Agent,
}

/// A manual message that the current status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IllegalMessage {
    /// The status the session is in.
    pub current: Status,
    /// Who tried to write.
    pub author: Author,
}

impl fmt::Display for IllegalMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.author {
            Author::User => write!(
                f,
                "the session is {}: user messages go through /api/chat until it is escalated",
                self.current
            ),
            Author::Agent => write!(
                f,
                "the session is {}: an agent may write only to a pending_manual or manual_live session",
                self.current
            ),
        }
    }
}

/// Whether `author` may write a manual message now, and the transition it causes: the first
/// agent message on a `pending_manual` session claims it.
pub fn manual_message(
    current: Status,
    author: Author,
) -> Result<Option<Transition>, IllegalMessage> {
    match (current, author) {
        (Status::BotActive, _) => Err(IllegalMessage { current, author }),
        (Status::PendingManual, Author::Agent) => Ok(Some(Transition::Claim)),
        (Status::PendingManual, Author::User) | (Status::ManualLive, _) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cycle_is_the_only_way_round() {
        let mut status = Status::BotActive;
        for transition in [Transition::Escalate, Transition::Claim, Transition::Release] {
            status = next(status, transition).expect("the cycle is legal");
        }
        assert_eq!(status, Status::BotActive);
    }

    #[test]
    fn every_other_transition_names_the_current_status() {
        let legal = [
            (Status::BotActive, Transition::Escalate),
            (Status::PendingManual, Transition::Claim),
            (Status::ManualLive, Transition::Release),
        ];
        for current in Status::ALL {
            for attempted in [Transition::Escalate, Transition::Claim, Transition::Release] {
                if legal.contains(&(current, attempted)) {
                    continue;
                }
                let error = next(current, attempted).expect_err("illegal");
                assert_eq!(error, IllegalTransition { current, attempted });
                assert!(error.to_string().contains(current.as_str()));
            }
        }
    }

    #[test]
    fn statuses_round_trip_through_their_wire_form() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("closed"), None);
    }

    #[test]
    fn manual_messages_follow_the_status() {
        assert!(manual_message(Status::BotActive, Author::User).is_err());
        assert!(manual_message(Status::BotActive, Author::Agent).is_err());
        assert_eq!(
            manual_message(Status::PendingManual, Author::User),
            Ok(None)
        );
        assert_eq!(
            manual_message(Status::PendingManual, Author::Agent),
            Ok(Some(Transition::Claim))
        );
        assert_eq!(manual_message(Status::ManualLive, Author::Agent), Ok(None));
        assert_eq!(manual_message(Status::ManualLive, Author::User), Ok(None));
    }
}
