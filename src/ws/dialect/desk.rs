//! The agent desk protocol on `/ws/desk`: where human agents take escalated sessions. Receives
//! `available` (with `agent_id`, `agent_name`, `capacity`), `unavailable`, `claim`, `message`,
//! `release` and `ping`; sends `desk_status`, `session_assigned` (the whole session, when the
//! handover queue offers one or a claim succeeds), every later event of the sessions the desk
//! holds (`status_change`, `manual_message`, `system`, `message`, each with `session_name`),
//! `pong` and `error`. Tells the Matchmaker when the desk is ready, paused or gone; asks the
//! sessions directly for claims, messages and releases.
//!
//! Inbound frames:
//!
//! | `type`        | fields                                                              |
//! |---------------|---------------------------------------------------------------------|
//! | `available`   | `agent_id`, `agent_name` (required), `capacity` (1 to 100, default 1) |
//! | `unavailable` | none: no new sessions; the ones held stay                            |
//! | `claim`       | `session_name`: take a `pending_manual` session now                  |
//! | `message`     | `session_name`, `content`: write to the user                         |
//! | `release`     | `session_name`: hand back to the bot                                 |
//! | `ping`        | none: answered with `pong`                                           |

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use switchboard_actors::session::{
    AgentInfo, Claim, PostManualMessage, Release, SessionError, SessionState, Writer,
};
use switchboard_actors::{ConnHandle, ConnId, DeskGone, DeskPaused, DeskReady, Event, SessionName};

use super::{Dialect, Reply};
use crate::http::ApiError;
use crate::input;
use crate::session_json;
use crate::state::AppState;

/// Most sessions one desk takes at once.
const MAX_CAPACITY: usize = 100;

/// Most session requests (claim, message, release) of one desk waiting for their sessions;
/// more get `too_fast`.
const MAX_IN_FLIGHT: usize = 16;

/// A decoded inbound frame.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Inbound {
    /// The agent takes sessions.
    Available {
        /// The agent's id.
        agent_id: String,
        /// The agent's display name.
        agent_name: String,
        /// Sessions at once.
        #[serde(default = "one")]
        capacity: usize,
    },
    /// The agent takes no new sessions.
    Unavailable,
    /// Take this session.
    Claim {
        /// Which.
        session_name: String,
    },
    /// Write to the user.
    Message {
        /// Which session.
        session_name: String,
        /// The text.
        content: String,
    },
    /// Hand back to the bot.
    Release {
        /// Which session.
        session_name: String,
    },
    /// Keep-alive.
    Ping,
}

fn one() -> usize {
    1
}

/// The desk dialect's per-socket state.
pub struct DeskDialect {
    /// Actor addresses.
    state: AppState,
    /// This socket, once admitted.
    conn: Option<ConnHandle>,
    /// The agent, once it said `available`.
    agent: Option<AgentInfo>,
    /// Session requests sent and not yet answered (shared with the tasks that wait for them,
    /// which run on this socket's thread).
    in_flight: Rc<Cell<usize>>,
}

/// Why an inbound frame was refused: an error code and a sentence.
type Refusal = (&'static str, String);

impl DeskDialect {
    /// A desk socket.
    pub fn new(state: AppState) -> Self {
        DeskDialect {
            state,
            conn: None,
            agent: None,
            in_flight: Rc::new(Cell::new(0)),
        }
    }

    fn reject(&self, (error, detail): Refusal) -> Reply {
        Reply::reject(self.error_frame(error, &detail))
    }

    fn status_frame(&self, available: bool, capacity: usize) -> String {
        json!({
            "type": "desk_status",
            "available": available,
            "agent_id": self.agent.as_ref().map(|a| &a.agent_id),
            "agent_name": self.agent.as_ref().map(|a| &a.agent_name),
            "capacity": capacity,
            "timestamp": Utc::now().timestamp(),
        })
        .to_string()
    }

    fn available(&mut self, agent_id: String, agent_name: String, capacity: usize) -> Reply {
        let checked = input::label("available: agent_id", &agent_id).and_then(|agent_id| {
            Ok((
                agent_id,
                input::label("available: agent_name", &agent_name)?,
            ))
        });
        let (agent_id, agent_name) = match checked {
            Ok(checked) => checked,
            Err(problem) => return self.reject(("invalid_fields", problem)),
        };
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            return self.reject((
                "invalid_fields",
                format!("available: capacity must be between 1 and {MAX_CAPACITY}"),
            ));
        }
        let Some(conn) = self.conn.clone() else {
            return Reply::none();
        };
        let agent = AgentInfo {
            agent_id,
            agent_name,
        };
        self.agent = Some(agent.clone());
        let reply = Reply::send(self.status_frame(true, capacity));
        self.state.matchmaker.do_send(DeskReady {
            conn,
            agent,
            capacity,
        });
        reply
    }

    fn unavailable(&mut self) -> Reply {
        if let Some(conn) = &self.conn {
            self.state
                .matchmaker
                .do_send(DeskPaused { conn_id: conn.id });
        }
        Reply::send(self.status_frame(false, 0))
    }

    /// The agent and socket for a session request, or why there are none.
    fn identified(&self) -> Result<(AgentInfo, ConnHandle), Refusal> {
        match (&self.agent, &self.conn) {
            (Some(agent), Some(conn)) => Ok((agent.clone(), conn.clone())),
            _ => Err((
                "not_available",
                "send available with agent_id and agent_name first".into(),
            )),
        }
    }

    /// Runs a session request in the background; a failure comes back as an error frame.
    fn request<F>(&self, conn: ConnHandle, name: SessionName, ask: F) -> Reply
    where
        F: Future<Output = Result<Result<Arc<SessionState>, SessionError>, actix::MailboxError>>
            + 'static,
    {
        if self.in_flight.get() >= MAX_IN_FLIGHT {
            return self.reject((
                "too_fast",
                format!(
                    "{MAX_IN_FLIGHT} requests are still waiting for their sessions; this one was not sent"
                ),
            ));
        }
        let in_flight = self.in_flight.clone();
        in_flight.set(in_flight.get() + 1);
        actix_rt::spawn(async move {
            let answer = ask.await;
            in_flight.set(in_flight.get().saturating_sub(1));
            let failure = match answer {
                Ok(Ok(_)) => None,
                Ok(Err(error)) => Some(ApiError::from(error)),
                Err(mailbox) => Some(ApiError::from(mailbox)),
            }
            .map(|error| (error.code(), error.to_string()));
            if let Some((error, detail)) = failure {
                conn.push(Event::Error {
                    error,
                    detail: format!("{name}: {detail}"),
                });
            }
        });
        Reply::none()
    }

    fn session_request(&self, session_name: &str, request: Request) -> Reply {
        let (agent, conn) = match self.identified() {
            Ok(identified) => identified,
            Err(refusal) => return self.reject(refusal),
        };
        let name = match SessionName::parse(session_name) {
            Ok(name) => name,
            Err(error) => return self.reject(("invalid_fields", error.to_string())),
        };
        let state = self.state.clone();
        let desk = Some(conn.clone());
        let target = name.clone();
        match request {
            Request::Claim => self.request(conn, name, async move {
                state.ask_session(&target, Claim { agent, desk }).await
            }),
            Request::Message(content) => self.request(conn, name, async move {
                let writer = Writer::Agent(agent);
                let message = PostManualMessage {
                    writer,
                    content,
                    desk,
                };
                state.ask_session(&target, message).await
            }),
            Request::Release => self.request(conn, name, async move {
                let by = Some(agent);
                state.ask_session(&target, Release { by }).await
            }),
        }
    }

    fn session_frame(&self, session_name: &SessionName, event: Value) -> String {
        let mut event = event;
        if let Some(fields) = event.as_object_mut() {
            fields.insert("session_name".into(), json!(session_name));
        }
        event.to_string()
    }
}

/// A request about one session.
enum Request {
    /// `claim`.
    Claim,
    /// `message`, with its text.
    Message(String),
    /// `release`.
    Release,
}

fn decode(text: &str) -> Result<Inbound, Refusal> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ("invalid_json", format!("not JSON: {e}")))?;
    match value.get("type") {
        Some(Value::String(_)) => {}
        Some(_) | None if value.is_object() => {
            return Err(("missing_type", "the message needs a string \"type\"".into()));
        }
        _ => return Err(("invalid_message", "a message must be a JSON object".into())),
    }
    serde_json::from_value(value).map_err(|error| {
        let text = error.to_string();
        if text.starts_with("unknown variant") {
            (
                "unknown_type",
                "this socket accepts available, unavailable, claim, message, release and ping"
                    .into(),
            )
        } else {
            ("invalid_fields", text)
        }
    })
}

impl Dialect for DeskDialect {
    fn opened(&mut self, conn: &ConnHandle) -> Reply {
        self.conn = Some(conn.clone());
        Reply::none()
    }

    fn received(&mut self, text: &str) -> Reply {
        match decode(text) {
            Ok(Inbound::Available {
                agent_id,
                agent_name,
                capacity,
            }) => self.available(agent_id, agent_name, capacity),
            Ok(Inbound::Unavailable) => self.unavailable(),
            Ok(Inbound::Claim { session_name }) => {
                self.session_request(&session_name, Request::Claim)
            }
            Ok(Inbound::Message {
                session_name,
                content,
            }) => match input::content("message: content", content) {
                Ok(content) => self.session_request(&session_name, Request::Message(content)),
                Err(problem) => self.reject(("invalid_fields", problem)),
            },
            Ok(Inbound::Release { session_name }) => {
                self.session_request(&session_name, Request::Release)
            }
            Ok(Inbound::Ping) => Reply::send(
                json!({"type": "pong", "timestamp": Utc::now().timestamp()}).to_string(),
            ),
            Err(refusal) => self.reject(refusal),
        }
    }

    fn deliver(&mut self, event: Event) -> Reply {
        match event {
            Event::SessionAssigned { session } => Reply::send(
                json!({
                    "type": "session_assigned",
                    "session_name": session.name,
                    "session": session_json::session(&session),
                    "timestamp": Utc::now().timestamp(),
                })
                .to_string(),
            ),
            Event::SessionUpdate {
                session_name,
                event,
            } => Reply::send(self.session_frame(&session_name, session_json::pushed(&event))),
            Event::Error { error, detail } => self.reject((error, detail)),
            _ => Reply::none(),
        }
    }

    fn closed(&mut self, conn_id: ConnId, _shutdown: bool) {
        self.state.matchmaker.do_send(DeskGone { conn_id });
    }

    fn error_frame(&self, error: &str, detail: &str) -> String {
        json!({
            "type": "error",
            "error": error,
            "detail": detail,
            "timestamp": Utc::now().timestamp(),
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> &'static str {
        match decode(text) {
            Err((code, _)) => code,
            Ok(_) => "accepted",
        }
    }

    #[test]
    fn bad_frames_get_specific_codes() {
        assert_eq!(refusal("{nope"), "invalid_json");
        assert_eq!(refusal("[1]"), "invalid_message");
        assert_eq!(refusal(r#"{"session_name":"s"}"#), "missing_type");
        assert_eq!(refusal(r#"{"type":"dance"}"#), "unknown_type");
        assert_eq!(refusal(r#"{"type":"claim"}"#), "invalid_fields");
        assert_eq!(
            refusal(r#"{"type":"available","agent_id":"a"}"#),
            "invalid_fields"
        );
        assert_eq!(refusal(r#"{"type":"ping"}"#), "accepted");
        assert_eq!(
            refusal(r#"{"type":"available","agent_id":"a","agent_name":"A"}"#),
            "accepted"
        );
    }
}
