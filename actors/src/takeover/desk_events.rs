//! The events pushed to agent-desk sockets. Sent by a Session to the desk that holds it inside
//! [`Deliver`](crate::kernel::handle::Deliver); received by the desk dialect of a `/ws/desk`
//! socket, which encodes them as frames.

use std::sync::Arc;

use crate::kernel::ids::SessionName;
use crate::takeover::model::{SessionEvent, SessionState};

/// Something a desk hears about a session it holds.
#[derive(Debug, Clone)]
pub enum DeskEvent {
    /// A session was handed to this desk (by the handover queue or its own claim).
    SessionAssigned {
        /// The session as it is now, history included.
        session: Arc<SessionState>,
    },
    /// Something happened in a session this desk holds.
    SessionUpdate {
        /// The session.
        session_name: SessionName,
        /// What happened.
        event: SessionEvent,
    },
}
