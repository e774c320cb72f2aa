//! Seed 004's agent sockets: the room that keeps their statistics. Receives a socket's arrival,
//! its messages and its departure; sends the figures `GET /ws/statistics` shows. What a socket
//! answers is the bot's business ([`crate::bot`]); the socket's protocol lives in the web edge.

pub mod statistics;

pub use statistics::AgentStatistics;
