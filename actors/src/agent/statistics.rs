//! AgentStatistics: the one actor that knows every open agent socket. Receives [`AgentJoined`],
//! [`AgentMessage`] and [`AgentLeft`] from the sockets, and [`GetAgentStatistics`]; sends back
//! [`AgentFigures`]: sockets open now and ever, messages ever, and for each open socket when
//! it connected and how many messages it sent.

use std::collections::HashMap;

use actix::prelude::*;
use chrono::{DateTime, Utc};

use crate::kernel::ids::ConnId;

/// An agent socket opened.
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub struct AgentJoined {
    /// The socket.
    pub conn_id: ConnId,
    /// When it connected.
    pub at: DateTime<Utc>,
}

/// An agent socket sent a message.
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub struct AgentMessage {
    /// The socket.
    pub conn_id: ConnId,
}

/// An agent socket closed.
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub struct AgentLeft {
    /// The socket.
    pub conn_id: ConnId,
}

/// Asks for the figures.
#[derive(Message, Debug, Clone, Copy)]
#[rtype(result = "AgentFigures")]
pub struct GetAgentStatistics;

/// One open socket, as the figures show it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAgent {
    /// The socket.
    pub conn_id: ConnId,
    /// When it connected.
    pub connected_at: DateTime<Utc>,
    /// Messages it sent.
    pub message_count: u64,
}

/// The figures of every agent socket.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentFigures {
    /// Sockets ever opened.
    pub total_connections: u64,
    /// Messages ever received.
    pub total_messages: u64,
    /// The open sockets, oldest first.
    pub open: Vec<OpenAgent>,
}

/// Keeps the figures.
#[derive(Default)]
pub struct AgentStatistics {
    /// Open sockets: when each connected and its messages.
    open: HashMap<ConnId, (DateTime<Utc>, u64)>,
    /// Sockets ever opened.
    total_connections: u64,
    /// Messages ever received.
    total_messages: u64,
}

impl Actor for AgentStatistics {
    type Context = Context<Self>;
}

impl Handler<AgentJoined> for AgentStatistics {
    type Result = ();

    fn handle(&mut self, msg: AgentJoined, _: &mut Context<Self>) {
        self.total_connections += 1;
        self.open.insert(msg.conn_id, (msg.at, 0));
    }
}

impl Handler<AgentMessage> for AgentStatistics {
    type Result = ();

    fn handle(&mut self, msg: AgentMessage, _: &mut Context<Self>) {
        self.total_messages += 1;
        if let Some((_, count)) = self.open.get_mut(&msg.conn_id) {
            *count += 1;
        }
    }
}

impl Handler<AgentLeft> for AgentStatistics {
    type Result = ();

    fn handle(&mut self, msg: AgentLeft, _: &mut Context<Self>) {
        self.open.remove(&msg.conn_id);
    }
}

impl Handler<GetAgentStatistics> for AgentStatistics {
    type Result = MessageResult<GetAgentStatistics>;

    fn handle(&mut self, _: GetAgentStatistics, _: &mut Context<Self>) -> Self::Result {
        let mut open: Vec<OpenAgent> = self
            .open
            .iter()
            .map(|(conn_id, (connected_at, message_count))| OpenAgent {
                conn_id: *conn_id,
                connected_at: *connected_at,
                message_count: *message_count,
            })
            .collect();
        open.sort_by_key(|agent| agent.connected_at);
        MessageResult(AgentFigures {
            total_connections: self.total_connections,
            total_messages: self.total_messages,
            open,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_rt::test]
    async fn sockets_and_messages_are_counted_and_open_ones_listed() {
        let statistics = AgentStatistics::default().start();
        let (first, second) = (ConnId::generate(), ConnId::generate());
        let at = Utc::now();
        statistics.do_send(AgentJoined { conn_id: first, at });
        statistics.do_send(AgentJoined {
            conn_id: second,
            at: at + chrono::Duration::seconds(1),
        });
        for conn_id in [first, first, second] {
            statistics.do_send(AgentMessage { conn_id });
        }
        statistics.do_send(AgentLeft { conn_id: first });
        let figures = statistics.send(GetAgentStatistics).await.expect("figures");
        assert_eq!(figures.total_connections, 2);
        assert_eq!(figures.total_messages, 3);
        assert_eq!(
            figures.open,
            [OpenAgent {
                conn_id: second,
                connected_at: at + chrono::Duration::seconds(1),
                message_count: 1
            }]
        );
    }
}
