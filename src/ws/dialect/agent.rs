//! Seed 004's agent protocol on `/ws/agent`. Receives `ping`, `agent_query`, `streaming_query`,
//! `tool_call` and `cancel` (the shapes are in [`agent_frames`](crate::wire::agent_frames)); sends
//! `connected` on open, `pong`, `status` then `agent_response`, `stream_start`, the
//! `stream_chunk`s of the answer at the bot's pace and `stream_end`, `tool_result`, `cancelled`
//! and `error` (`{"type":"error","error": what is wrong, "code", "timestamp"}`). One stream runs
//! per socket: a query while it runs gets an error, and `cancel` stops it so that no chunk of
//! it follows `cancelled`. Tells the [`AgentStatistics`] when the socket opens, each message and
//! when it closes; answers with the built-in bot and runs tools from the bot's registry.

use std::convert::Infallible;
use std::sync::Arc;

use actix::Addr;
use chrono::Utc;
use switchboard_actors::agent::AgentStatistics;
use switchboard_actors::agent::statistics::{AgentJoined, AgentLeft, AgentMessage};
use switchboard_actors::bot::bot_config::BotConfig;
use switchboard_actors::bot::builtin;
use switchboard_actors::bot::pacing::paced;
use switchboard_actors::bot::tools;
use switchboard_actors::kernel::ids::ConnId;

use crate::wire::agent_frames::{AgentInbound, AgentOutbound, unix_now};
use crate::wire::text;
use crate::ws::dialect::envelope;
use crate::ws::dialect::seam::{Dialect, Frame, Refusal, Socket, TaskId};

/// The backend that answers, named in `agent_response`.
const VENDOR: &str = "builtin";

/// The agent dialect's per-socket state.
pub struct AgentDialect {
    /// Where the socket's figures are kept.
    statistics: Addr<AgentStatistics>,
    /// The bot's pace.
    bot: Arc<BotConfig>,
    /// The stream in flight, if any.
    streaming: Option<TaskId>,
}

impl AgentDialect {
    /// A fresh socket's protocol.
    pub fn new(statistics: Addr<AgentStatistics>, bot: Arc<BotConfig>) -> Self {
        AgentDialect {
            statistics,
            bot,
            streaming: None,
        }
    }

    /// The question of a query, or the refusal of a missing or blank one.
    fn query(query: Option<String>) -> Result<String, Refusal> {
        match query {
            Some(query) if !query.trim().is_empty() => Ok(query),
            _ => Err(Refusal::new("query_required", "Query is required")),
        }
    }

    /// `agent_query`: `status` processing, then the whole answer.
    fn answer(&mut self, query: String, socket: &mut Socket<'_, Self>) {
        let timestamp = unix_now();
        let status = "processing";
        socket.send(text::encode(&AgentOutbound::Status { status, timestamp }));
        let reply = builtin::reply(&query);
        socket.send(text::encode(&AgentOutbound::AgentResponse {
            content: &reply.text,
            vendor: VENDOR,
            timestamp: unix_now(),
        }));
    }

    /// `streaming_query`: `stream_start`, the chunks at the bot's pace, `stream_end`.
    fn stream(&mut self, query: String, socket: &mut Socket<'_, Self>) {
        if self.streaming.is_some() {
            let detail = "A stream is already running on this connection; wait for stream_end or send cancel";
            return socket.refuse(&Refusal::new("stream_in_progress", detail));
        }
        let chunks = paced(builtin::reply(&query).chunks(), self.bot.chunk_interval);
        let each = |_: &mut Self, chunk: String, socket: &mut Socket<'_, Self>| {
            let content = &chunk;
            let timestamp = unix_now();
            socket.send(text::encode(&AgentOutbound::StreamChunk {
                content,
                timestamp,
            }));
        };
        let done = |dialect: &mut Self, socket: &mut Socket<'_, Self>| {
            dialect.streaming = None;
            let timestamp = unix_now();
            socket.send(text::encode(&AgentOutbound::StreamEnd { timestamp }));
        };
        match socket.follow(chunks, each, done) {
            Ok(task) => {
                self.streaming = Some(task);
                let timestamp = unix_now();
                socket.send(text::encode(&AgentOutbound::StreamStart { timestamp }));
            }
            Err(_) => socket.refuse(&Refusal::new("too_fast", "too much work in flight")),
        }
    }

    /// `tool_call`: the tool's answer, or why it could not run.
    fn tool(
        &mut self,
        tool_name: Option<String>,
        params: &serde_json::Value,
        socket: &mut Socket<'_, Self>,
    ) {
        let Some(tool_name) = tool_name.filter(|name| !name.trim().is_empty()) else {
            return socket.refuse(&Refusal::new("tool_name_required", "Tool name is required"));
        };
        match tools::call(&tool_name, params) {
            Ok(result) => socket.send(text::encode(&AgentOutbound::ToolResult {
                tool_name: &tool_name,
                result: &result,
                timestamp: unix_now(),
            })),
            Err(error) => socket.refuse(&Refusal::new("tool_failed", error.to_string())),
        }
    }

    /// `cancel`: stops the stream in flight; `cancelled` either way.
    fn cancel(&mut self, socket: &mut Socket<'_, Self>) {
        if let Some(task) = self.streaming.take() {
            socket.cancel(task);
        }
        socket.send(text::encode(&AgentOutbound::Cancelled {
            timestamp: unix_now(),
        }));
    }
}

impl Dialect for AgentDialect {
    type Inbound = AgentInbound;
    type Event = Infallible;

    fn decode(&self, frame: Frame<'_>) -> Result<AgentInbound, Refusal> {
        envelope::text_only(frame).and_then(|text| envelope::decode(text, AgentInbound::TYPES))
    }

    fn error_frame(refusal: &Refusal) -> String {
        text::encode(&AgentOutbound::Error {
            error: &refusal.detail,
            code: refusal.error,
            timestamp: unix_now(),
        })
    }

    fn opened(&mut self, socket: &mut Socket<'_, Self>) {
        let conn_id = socket.id();
        self.statistics.do_send(AgentJoined {
            conn_id,
            at: Utc::now(),
        });
        socket.send(text::encode(&AgentOutbound::Connected {
            connection_id: conn_id,
            message: "Connected to Agent WebSocket",
        }));
    }

    fn handle(&mut self, inbound: AgentInbound, socket: &mut Socket<'_, Self>) {
        self.statistics.do_send(AgentMessage {
            conn_id: socket.id(),
        });
        let refused = match inbound {
            AgentInbound::Ping => {
                let timestamp = unix_now();
                socket.send(text::encode(&AgentOutbound::Pong { timestamp }));
                Ok(())
            }
            AgentInbound::AgentQuery { query } => {
                Self::query(query).map(|query| self.answer(query, socket))
            }
            AgentInbound::StreamingQuery { query } => {
                Self::query(query).map(|query| self.stream(query, socket))
            }
            AgentInbound::ToolCall { tool_name, params } => {
                self.tool(tool_name, &params, socket);
                Ok(())
            }
            AgentInbound::Cancel => {
                self.cancel(socket);
                Ok(())
            }
        };
        if let Err(refusal) = refused {
            socket.refuse(&refusal);
        }
    }

    fn deliver(&mut self, event: Infallible, _: &mut Socket<'_, Self>) {
        match event {}
    }

    fn closed(&mut self, conn_id: ConnId, _shutdown: bool) {
        self.statistics.do_send(AgentLeft { conn_id });
    }
}
