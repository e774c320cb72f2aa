//! Why a call ends and who asked. Receives nothing and sends nothing: plain values shared by
//! the Matchmaker, the Call, the call events and the wire.

use crate::kernel::ids::ConnId;
use crate::kernel::role::Role;

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// That side sent `call_ended`.
    HungUp(Role),
    /// That side's socket went away.
    Disconnected(Role),
    /// `POST /api/calls/{call_id}/end`.
    EndedViaApi,
    /// A leg was issued a call id but never connected its socket in time.
    ConnectTimeout,
    /// The hub shut down while the call was in progress.
    ServerShutdown,
}

impl EndReason {
    /// The wire form, e.g. `customer_hung_up`, `agent_disconnected`, `ended_via_api`.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::HungUp(Role::Customer) => "customer_hung_up",
            EndReason::HungUp(Role::Agent) => "agent_hung_up",
            EndReason::Disconnected(Role::Customer) => "customer_disconnected",
            EndReason::Disconnected(Role::Agent) => "agent_disconnected",
            EndReason::EndedViaApi => "ended_via_api",
            EndReason::ConnectTimeout => "connect_timeout",
            EndReason::ServerShutdown => "server_shutdown",
        }
    }

    /// Every reason.
    const ALL: [EndReason; 7] = [
        EndReason::HungUp(Role::Customer),
        EndReason::HungUp(Role::Agent),
        EndReason::Disconnected(Role::Customer),
        EndReason::Disconnected(Role::Agent),
        EndReason::EndedViaApi,
        EndReason::ConnectTimeout,
        EndReason::ServerShutdown,
    ];

    /// The reason whose wire form is `text`, if any.
    pub fn from_wire(text: &str) -> Option<EndReason> {
        EndReason::ALL
            .into_iter()
            .find(|reason| reason.as_str() == text)
    }
}

/// Who asked for a call to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOrigin {
    /// The leg's socket sent `call_ended`; ignored unless it is the leg's current socket.
    Hangup(ConnId),
    /// `POST /api/calls/{call_id}/end`.
    Api,
}

impl EndOrigin {
    /// Why the call ends when this origin asks on behalf of a `role` leg whose current socket is
    /// `current`; `None` when a hang-up comes from a socket that is not the leg's own.
    pub fn reason(self, role: Role, current: Option<ConnId>) -> Option<EndReason> {
        match self {
            EndOrigin::Hangup(conn_id) => {
                (current == Some(conn_id)).then_some(EndReason::HungUp(role))
            }
            EndOrigin::Api => Some(EndReason::EndedViaApi),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_from_its_wire_form() {
        for reason in EndReason::ALL {
            assert_eq!(EndReason::from_wire(reason.as_str()), Some(reason));
        }
        assert_eq!(EndReason::from_wire("lost_in_space"), None);
    }
}
