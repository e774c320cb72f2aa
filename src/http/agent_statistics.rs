//! `GET /ws/statistics`, seed 004's figures of its agent sockets. Receives nothing; asks the
//! [`AgentStatistics`] and sends `{"active_connections", "total_connections",
//! "total_messages", "connections": [{"id", "connected_at", "message_count", "uptime"}]}`.

use actix::Addr;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use switchboard_actors::agent::AgentStatistics;
use switchboard_actors::agent::statistics::GetAgentStatistics;

use crate::api_error::ApiError;
use crate::wire::agent_frames::{ConnectionStats, StatisticsBody, unix_seconds};

/// `GET /ws/statistics`.
pub async fn statistics(
    statistics: web::Data<Addr<AgentStatistics>>,
) -> Result<HttpResponse, ApiError> {
    let figures = statistics.send(GetAgentStatistics).await?;
    let now = Utc::now();
    let connections: Vec<ConnectionStats> = figures
        .open
        .iter()
        .map(|agent| ConnectionStats {
            id: agent.conn_id,
            connected_at: unix_seconds(agent.connected_at),
            message_count: agent.message_count,
            uptime: (now - agent.connected_at).num_milliseconds().max(0) as f64 / 1e3,
        })
        .collect();
    Ok(HttpResponse::Ok().json(StatisticsBody {
        active_connections: connections.len(),
        total_connections: figures.total_connections,
        total_messages: figures.total_messages,
        connections,
    }))
}
