//! Seed 004's agent protocol on `/ws/agent`. Receives `ping`, `agent_query`, `streaming_query`,
//! `tool_call` and `cancel` (the shapes are in [`agent_frames`](crate::wire::agent_frames)); sends
//! `connected` on open, `pong`, `status` then `agent_response`, `stream_start`, the
//! `stream_chunk`s of the answer as the backend gives them (with `tool_call` and `tool_result`
//! when the model runs a tool) and `stream_end`, `tool_result`, `cancelled` and `error`
//! (`{"type":"error","error": what is wrong, "code", "timestamp"}`; `upstream_failed` when the
//! backend fails, then the stream still ends with `stream_end`). One stream runs per socket: a
//! query while it runs gets an error, and `cancel` stops it (and its upstream request) so that
//! no chunk of it follows `cancelled`. Tells the [`AgentStatistics`] when the socket opens, each
//! message and when it closes; answers with the configured [`Backend`], keeping the socket's own
//! earlier questions and answers as the conversation, and runs tools from the bot's registry.

use std::convert::Infallible;

use actix::Addr;
use chrono::Utc;
use futures_util::StreamExt;
use serde_json::json;
use switchboard_actors::agent::AgentStatistics;
use switchboard_actors::agent::statistics::{AgentJoined, AgentLeft, AgentMessage};
use switchboard_actors::bot::answer::Backend;
use switchboard_actors::bot::piece::{Delivery, Piece, Turn};
use switchboard_actors::bot::tools;
use switchboard_actors::kernel::ids::ConnId;

use crate::wire::agent_frames::{AgentInbound, AgentOutbound, unix_now};
use crate::wire::text;
use crate::ws::dialect::envelope;
use crate::ws::dialect::seam::{Dialect, Frame, Refusal, Socket, TaskId};

/// The error code of a backend failure.
const UPSTREAM_FAILED: &str = "upstream_failed";

/// The agent dialect's per-socket state.
pub struct AgentDialect {
    /// Where the socket's figures are kept.
    statistics: Addr<AgentStatistics>,
    /// The backend that answers.
    backend: Backend,
    /// The socket's earlier questions and answers, oldest first, as many as the backend reads.
    history: Vec<Turn>,
    /// The stream in flight, if any.
    streaming: Option<TaskId>,
    /// The question of the stream in flight and what was sent of its answer.
    streamed: Option<Turn>,
}

impl AgentDialect {
    /// A fresh socket's protocol, answered by `backend`.
    pub fn new(statistics: Addr<AgentStatistics>, backend: Backend) -> Self {
        AgentDialect {
            statistics,
            backend,
            history: Vec::new(),
            streaming: None,
            streamed: None,
        }
    }

    /// The question of a query, or the refusal of a missing or blank one.
    fn query(query: Option<String>) -> Result<String, Refusal> {
        match query {
            Some(query) if !query.trim().is_empty() => Ok(query),
            _ => Err(Refusal::new("query_required", "Query is required")),
        }
    }

    /// Keeps a finished turn as context, forgetting what the backend no longer reads.
    fn remember(&mut self, turn: Turn) {
        self.history.push(turn);
        let excess = self
            .history
            .len()
            .saturating_sub(self.backend.history_turns());
        self.history.drain(..excess);
    }

    /// Sends a backend failure as an `error` frame.
    fn upstream_failed(failure: &str, socket: &mut Socket<'_, Self>) {
        socket.send(Self::error_frame(&Refusal::new(UPSTREAM_FAILED, failure)));
    }

    /// `agent_query`: `status` processing, then the whole answer (or the backend's failure).
    fn answer(&mut self, query: String, socket: &mut Socket<'_, Self>) {
        let timestamp = unix_now();
        let status = "processing";
        socket.send(text::encode(&AgentOutbound::Status { status, timestamp }));
        let pieces = self
            .backend
            .answer(&self.history, &query, Delivery::Whole)
            .collect::<Vec<Piece>>();
        let then = |dialect: &mut Self, pieces: Vec<Piece>, socket: &mut Socket<'_, Self>| {
            dialect.answered(query, pieces, socket);
        };
        if socket.start(pieces, then).is_err() {
            socket.refuse(&Refusal::new("too_fast", "too much work in flight"));
        }
    }

    /// The pieces of an `agent_query`'s answer, gathered into one `agent_response`.
    fn answered(&mut self, query: String, pieces: Vec<Piece>, socket: &mut Socket<'_, Self>) {
        let mut content = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(text) => content.push_str(&text),
                Piece::Failed(failure) => return Self::upstream_failed(&failure, socket),
                Piece::ToolCall { .. } | Piece::ToolResult { .. } | Piece::Fallback => {}
            }
        }
        socket.send(text::encode(&AgentOutbound::AgentResponse {
            content: &content,
            vendor: self.backend.vendor(),
            timestamp: unix_now(),
        }));
        self.remember(Turn {
            query,
            answer: content,
        });
    }

    /// `streaming_query`: `stream_start`, the pieces as they come, `stream_end`.
    fn stream(&mut self, query: String, socket: &mut Socket<'_, Self>) {
        if self.streaming.is_some() {
            let detail = "A stream is already running on this connection; wait for stream_end or send cancel";
            return socket.refuse(&Refusal::new("stream_in_progress", detail));
        }
        let pieces = self
            .backend
            .answer(&self.history, &query, Delivery::Streamed);
        let done = |dialect: &mut Self, socket: &mut Socket<'_, Self>| {
            dialect.streaming = None;
            if let Some(turn) = dialect.streamed.take() {
                dialect.remember(turn);
            }
            let timestamp = unix_now();
            socket.send(text::encode(&AgentOutbound::StreamEnd { timestamp }));
        };
        match socket.follow(pieces, Self::streamed_piece, done) {
            Ok(task) => {
                self.streaming = Some(task);
                self.streamed = Some(Turn {
                    query,
                    answer: String::new(),
                });
                let timestamp = unix_now();
                socket.send(text::encode(&AgentOutbound::StreamStart { timestamp }));
            }
            Err(_) => socket.refuse(&Refusal::new("too_fast", "too much work in flight")),
        }
    }

    /// One piece of a streamed answer, as its frame.
    fn streamed_piece(&mut self, piece: Piece, socket: &mut Socket<'_, Self>) {
        let timestamp = unix_now();
        match piece {
            Piece::Text(content) => {
                if let Some(turn) = self.streamed.as_mut() {
                    turn.answer.push_str(&content);
                }
                let content = &content;
                socket.send(text::encode(&AgentOutbound::StreamChunk {
                    content,
                    timestamp,
                }));
            }
            Piece::ToolCall { name, arguments } => {
                socket.send(text::encode(&AgentOutbound::ToolCall {
                    tool_name: &name,
                    params: &arguments,
                    timestamp,
                }));
            }
            Piece::ToolResult { name, result } => {
                let result = result.unwrap_or_else(|error| json!({ "error": error }));
                socket.send(text::encode(&AgentOutbound::ToolResult {
                    tool_name: &name,
                    result: &result,
                    timestamp,
                }));
            }
            Piece::Failed(failure) => {
                self.streamed = None;
                Self::upstream_failed(&failure, socket);
            }
            Piece::Fallback => {}
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
            if let Some(turn) = self.streamed.take().filter(|turn| !turn.answer.is_empty()) {
                self.remember(turn);
            }
        }
        socket.send(text::encode(&AgentOutbound::Cancelled {
            timestamp: unix_now(),
        }));
    }
}

impl Dialect for AgentDialect {
    type Inbound = AgentInbound;
    type Event = Infallible;
    const ENDPOINT: &'static str = "agent";

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
