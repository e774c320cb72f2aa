//! The hub's figures in seed 003's statistics shape (pure): the socket layer's counters, read
//! through a [`FigureSource`] the web edge provides, and what the known connections say about
//! users and conversations. Receives the figures and the connections; sends back [`HubStats`].

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::admin::user_directory::ConnectionInfo;

/// The socket layer's counters, summed over every endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct SocketFigures {
    /// Sockets ever admitted.
    pub total_connections: u64,
    /// Sockets open now.
    pub active_connections: u64,
    /// Frames sent.
    pub messages_sent: u64,
    /// Whole messages received.
    pub messages_received: u64,
    /// Sockets ended.
    pub disconnections: u64,
    /// Messages refused with an error frame, and sockets cut as slow consumers.
    pub errors: u64,
}

/// Reads the socket layer's counters now.
pub type FigureSource = Arc<dyn Fn() -> SocketFigures + Send + Sync>;

/// Seed 003's statistics, with the number of monitors and the hub's age beside them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HubStats {
    /// The socket layer's counters.
    #[serde(flatten)]
    pub sockets: SocketFigures,
    /// Users with at least one connection.
    pub active_users: usize,
    /// Conversations with at least one connection.
    pub active_sessions: usize,
    /// Connections held by a known user.
    pub total_user_connections: usize,
    /// Connections in a conversation.
    pub total_session_connections: usize,
    /// Admin monitor sockets open.
    pub monitors: usize,
    /// Seconds since the hub started.
    pub uptime_seconds: u64,
}

impl HubStats {
    /// The statistics of `sockets` and the known `connections`.
    pub fn of(
        sockets: SocketFigures,
        connections: &[ConnectionInfo],
        monitors: usize,
        uptime_seconds: u64,
    ) -> HubStats {
        let users: HashSet<&str> = connections.iter().map(|c| c.user_id.as_str()).collect();
        let in_sessions: Vec<&str> = connections
            .iter()
            .filter_map(|c| c.session_id.as_deref())
            .collect();
        let sessions: HashSet<&str> = in_sessions.iter().copied().collect();
        HubStats {
            sockets,
            active_users: users.len(),
            active_sessions: sessions.len(),
            total_user_connections: connections.len(),
            total_session_connections: in_sessions.len(),
            monitors,
            uptime_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn connection(user: &str, session: Option<&str>) -> ConnectionInfo {
        ConnectionInfo {
            connection_id: format!("{user}-{session:?}"),
            user_id: user.into(),
            session_id: session.map(str::to_owned),
            connected_at: Utc::now(),
            last_ping: None,
            last_pong: None,
            is_alive: true,
            metadata: Default::default(),
        }
    }

    #[test]
    fn users_and_sessions_are_counted_once_and_their_connections_each() {
        let connections = [
            connection("ann", Some("s-1")),
            connection("ann", Some("s-2")),
            connection("bob", Some("s-1")),
            connection("cy", None),
        ];
        let stats = HubStats::of(SocketFigures::default(), &connections, 1, 5);
        assert_eq!(
            (stats.active_users, stats.active_sessions),
            (3, 2),
            "distinct users and conversations"
        );
        assert_eq!(
            (
                stats.total_user_connections,
                stats.total_session_connections
            ),
            (4, 3)
        );
    }
}
