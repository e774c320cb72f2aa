//! How a held session reaches its agent's desk, as data. Receives and sends nothing: the
//! Session keeps a [`DeskLink`], marks drafts made at a desk ([`at_desk`]), and decides with
//! [`Announce`] when a desk hears `session_assigned`.

use crate::kernel::clock::Instant;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::ConnId;
use crate::takeover::desk_events::DeskEvent;
use crate::takeover::draft::Draft;

/// How a session held by an agent reaches the agent's desk.
pub(crate) enum DeskLink {
    /// No desk involved (the bot answers, nobody took it yet, or the agent works over REST).
    None,
    /// Events go to this desk.
    Attached(ConnHandle<DeskEvent>),
    /// The agent's desk went away at `since` (`last`; unknown after a restart).
    Lost {
        /// When it was noticed.
        since: Instant,
        /// The desk that went away.
        last: Option<ConnId>,
    },
}

impl DeskLink {
    /// The desk the session was last followed by, if any (`Some(None)` for a desk lost
    /// before a restart); `None` when no desk was involved.
    pub(crate) fn last_desk(&self) -> Option<Option<ConnId>> {
        match self {
            DeskLink::Attached(desk) => Some(Some(desk.id())),
            DeskLink::Lost { last, .. } => Some(*last),
            DeskLink::None => None,
        }
    }
}

/// The draft, marked as a session held through a desk when `desk` is given.
pub(crate) fn at_desk(mut draft: Draft, desk: &Option<ConnHandle<DeskEvent>>) -> Draft {
    if desk.is_some() {
        draft.header.at_desk = true;
    }
    draft
}

/// When a desk that takes a session hears `session_assigned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Announce {
    /// Every time (an explicit claim is always answered).
    Always,
    /// Only when the desk did not follow the session yet.
    WhenNew,
}
