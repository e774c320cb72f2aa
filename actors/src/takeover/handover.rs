//! What the handover board receives (it answers nothing): by sessions, as they start and stop waiting for an agent
//! or holding a desk ([`QueueHandoff`], [`WithdrawHandoff`], [`HandoffTaken`], [`HandoffFreed`],
//! [`AwaitDesk`]), and by desk sockets, as they become ready, pause or close ([`DeskReady`],
//! [`DeskPaused`], [`DeskGone`]). All fire and forget.

use actix::prelude::*;

use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{ConnId, SessionName};
use crate::takeover::desk_events::DeskEvent;
use crate::takeover::model::AgentInfo;
use crate::takeover::session_requests::SessionLink;

/// An escalated session waits for an agent.
#[derive(Message)]
#[rtype(result = "()")]
pub struct QueueHandoff {
    /// The session.
    pub name: SessionName,
    /// Its actor, to send the offer to.
    pub session: SessionLink,
}

/// A session no longer waits (claimed, or back to the bot).
#[derive(Message)]
#[rtype(result = "()")]
pub struct WithdrawHandoff {
    /// The session.
    pub name: SessionName,
}

/// An agent desk takes sessions, up to `capacity` at once. Sent again to change the capacity.
#[derive(Message)]
#[rtype(result = "()")]
pub struct DeskReady {
    /// The desk's socket.
    pub conn: ConnHandle<DeskEvent>,
    /// The agent at the desk.
    pub agent: AgentInfo,
    /// Sessions the agent handles at once.
    pub capacity: usize,
}

/// A desk takes no new sessions for now (it keeps the ones it has).
#[derive(Message)]
#[rtype(result = "()")]
pub struct DeskPaused {
    /// The desk's socket.
    pub conn_id: ConnId,
}

/// A desk's socket closed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct DeskGone {
    /// The desk's socket.
    pub conn_id: ConnId,
}

/// A desk now holds this session (it follows the session's events).
#[derive(Message)]
#[rtype(result = "()")]
pub struct HandoffTaken {
    /// The desk's socket.
    pub conn_id: ConnId,
    /// The session.
    pub name: SessionName,
    /// Its actor, to tell it if the desk goes.
    pub session: SessionLink,
}

/// A desk no longer holds this session (released, or another desk took it).
#[derive(Message)]
#[rtype(result = "()")]
pub struct HandoffFreed {
    /// The desk's socket, if the session had one.
    pub conn_id: Option<ConnId>,
    /// The session.
    pub name: SessionName,
}

/// A session held by `agent_id` lost its desk: hand it to another desk of that agent, now or
/// when one says it is available. Sent again while it waits; repeating it is harmless.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AwaitDesk {
    /// The agent holding the session.
    pub agent_id: String,
    /// The session.
    pub name: SessionName,
    /// Its actor, to send the claim to.
    pub session: SessionLink,
}
