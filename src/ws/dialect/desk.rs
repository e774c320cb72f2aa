//! The agent desk protocol on `/ws/desk`: where human agents take escalated sessions. Receives
//! `available` (with `agent_id`, `agent_name`, `capacity`), `unavailable`, `claim`, `message`,
//! `release` and `ping` (the shapes are in [`desk_frames`](crate::wire::takeover::desk_frames);
//! names and content are checked by [`input`](crate::input)'s rules);
//! sends `desk_status`, `session_assigned` (the session with its newest 100 messages, the
//! message total and the cursor for older pages over REST, when the handover board offers
//! one or a claim succeeds), every later event of the sessions the desk holds
//! (`status_change`, `manual_message`, `system`, `message`, each with `session_name`), `pong`
//! and `error`. Tells the handover board when the desk is ready, paused or gone; asks the
//! sessions directly for claims, messages and releases: each is carried out even if the desk
//! closes right after sending it, and its answer is awaited on the socket (at most
//! [`MAX_TASKS`] at once).

use std::sync::Arc;

use actix::{Addr, MailboxError};
use chrono::Utc;
use switchboard_actors::kernel::ids::ConnId;
use switchboard_actors::takeover::handover::{DeskGone, DeskPaused, DeskReady};
use switchboard_actors::takeover::history::PageRequest;
use switchboard_actors::takeover::model::{AgentInfo, SessionState};
use switchboard_actors::takeover::operations::Writer;
use switchboard_actors::takeover::session_requests::{
    Claim, PostManualMessage, Release, SessionError,
};
use switchboard_actors::takeover::{DeskEvent, HandoverBoard, Sessions};

use crate::api_error::ApiError;
use crate::input;
use crate::wire::takeover::conversation::{PushedEvent, SessionBody};
use crate::wire::takeover::desk_frames::{DeskInbound, DeskOutbound, SessionUpdateFrame};
use crate::ws::dialect::envelope;
use crate::ws::dialect::seam::{Dialect, Frame, MAX_TASKS, Refusal, Socket};

/// Most sessions one desk takes at once.
const MAX_CAPACITY: usize = 100;

/// What a session answers a desk's request with.
type Answer = Result<Result<Arc<SessionState>, SessionError>, MailboxError>;

/// The desk dialect's per-socket state.
pub struct DeskDialect {
    /// The seed-001 sessions.
    sessions: Sessions,
    /// Where desks say they are ready.
    board: Addr<HandoverBoard>,
    /// This socket's id, once admitted.
    conn_id: Option<ConnId>,
    /// The agent, once it said `available`.
    agent: Option<AgentInfo>,
    /// The one `agent_id` this socket may say it is (its token's, in strict mode).
    pinned_agent: Option<String>,
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

impl Request {
    /// The frame's `type`, to name its fields in refusals.
    fn frame_type(&self) -> &'static str {
        match self {
            Request::Claim => "claim",
            Request::Message(_) => "message",
            Request::Release => "release",
        }
    }
}

/// Decodes a whole message, pure: JSON text only.
fn decode_frame(frame: Frame<'_>) -> Result<DeskInbound, Refusal> {
    envelope::text_only(frame).and_then(|text| envelope::decode(text, DeskInbound::TYPES))
}

/// The frame of an event, pure.
fn encode_event(event: &DeskEvent) -> String {
    match event {
        DeskEvent::SessionAssigned { session } => {
            let page = session.page(PageRequest::latest());
            DeskOutbound::SessionAssigned {
                session_name: &session.name,
                session: SessionBody::of(&page),
                timestamp: Utc::now().timestamp(),
            }
            .encode()
        }
        DeskEvent::SessionUpdate {
            session_name,
            event,
        } => SessionUpdateFrame {
            event: PushedEvent::of(event),
            session_name,
        }
        .encode(),
    }
}

impl DeskDialect {
    /// A desk socket; with `pinned_agent`, `available` must name that `agent_id`.
    pub fn new(
        sessions: Sessions,
        board: Addr<HandoverBoard>,
        pinned_agent: Option<String>,
    ) -> Self {
        DeskDialect {
            sessions,
            board,
            conn_id: None,
            agent: None,
            pinned_agent,
        }
    }

    fn status_frame(&self, available: bool, capacity: usize) -> String {
        DeskOutbound::DeskStatus {
            available,
            agent_id: self.agent.as_ref().map(|a| a.agent_id.as_str()),
            agent_name: self.agent.as_ref().map(|a| a.agent_name.as_str()),
            capacity,
            timestamp: Utc::now().timestamp(),
        }
        .encode()
    }

    fn available(
        &mut self,
        agent_id: &str,
        agent_name: &str,
        capacity: usize,
        socket: &mut Socket<'_, Self>,
    ) {
        let agent = input::label("available: agent_id", agent_id).and_then(|agent_id| {
            let agent_name = input::label("available: agent_name", agent_name)?;
            Ok(AgentInfo {
                agent_id,
                agent_name,
            })
        });
        let agent = match agent {
            Ok(agent) => agent,
            Err(problem) => return socket.refuse(&Refusal::new("invalid_fields", problem)),
        };
        if let Some(pinned) = self
            .pinned_agent
            .as_deref()
            .filter(|id| *id != agent.agent_id)
        {
            let problem = format!("this socket's token is agent {pinned}'s; say that agent_id");
            return socket.refuse(&Refusal::new("forbidden", problem));
        }
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            let problem = format!("available: capacity must be between 1 and {MAX_CAPACITY}");
            return socket.refuse(&Refusal::new("invalid_fields", problem));
        }
        self.agent = Some(agent.clone());
        socket.send(self.status_frame(true, capacity));
        self.board.do_send(DeskReady {
            conn: socket.handle(),
            agent,
            capacity,
        });
    }

    fn unavailable(&mut self, socket: &mut Socket<'_, Self>) {
        if let Some(conn_id) = self.conn_id {
            self.board.do_send(DeskPaused { conn_id });
        }
        socket.send(self.status_frame(false, 0));
    }

    /// Sends a request to its session, its answer awaited on this socket; a failure comes
    /// back as an error frame naming the session.
    fn session_request(
        &mut self,
        session_name: &str,
        request: Request,
        socket: &mut Socket<'_, Self>,
    ) {
        let Some(agent) = self.agent.clone() else {
            let detail = "send available with agent_id and agent_name first";
            return socket.refuse(&Refusal::new("not_available", detail));
        };
        let kind = request.frame_type();
        let field = format!("{kind}: session_name");
        let name = match input::session_name(&field, session_name) {
            Ok(name) => name,
            Err(problem) => {
                let refusal = Refusal::new("invalid_fields", problem);
                return refuse_request(socket, &refusal, kind, None);
            }
        };
        let (sessions, desk, target) = (self.sessions.clone(), Some(socket.handle()), name.clone());
        let answer = async move {
            match request {
                Request::Claim => sessions.ask(&target, Claim { agent, desk }).await,
                Request::Message(content) => {
                    let writer = Writer::Agent(agent);
                    let message = PostManualMessage {
                        writer,
                        content,
                        desk,
                    };
                    sessions.ask(&target, message).await
                }
                Request::Release => sessions.ask(&target, Release { by: Some(agent) }).await,
            }
        };
        let started = socket.start_detached(answer, move |_, answer: Answer, socket| {
            let failure = match answer {
                Ok(Ok(_)) => return,
                Ok(Err(error)) => ApiError::from(error),
                Err(mailbox) => ApiError::from(mailbox),
            };
            let refusal = Refusal::new(failure.code(), format!("{name}: {failure}"));
            refuse_request(socket, &refusal, kind, Some(name.as_str()));
        });
        if started.is_err() {
            let detail = format!(
                "{MAX_TASKS} requests are still waiting for their sessions; this one was not sent"
            );
            socket.refuse(&Refusal::new("too_fast", detail));
        }
    }
}

/// Refuses a `claim`, `message` or `release` with an error frame that names the request's
/// type and, when valid, its session, so a desk can tell which of its requests failed.
fn refuse_request(
    socket: &mut Socket<'_, DeskDialect>,
    refusal: &Refusal,
    request: &'static str,
    session_name: Option<&str>,
) {
    let frame = DeskOutbound::Error {
        error: refusal.error,
        detail: &refusal.detail,
        request: Some(request),
        session_name,
        timestamp: Utc::now().timestamp(),
    };
    socket.refuse_with(refusal.error, frame.encode());
}

impl Dialect for DeskDialect {
    type Inbound = DeskInbound;
    type Event = DeskEvent;
    const ENDPOINT: &'static str = "desk";

    fn decode(&self, frame: Frame<'_>) -> Result<DeskInbound, Refusal> {
        decode_frame(frame)
    }

    fn error_frame(refusal: &Refusal) -> String {
        DeskOutbound::Error {
            error: refusal.error,
            detail: &refusal.detail,
            request: None,
            session_name: None,
            timestamp: Utc::now().timestamp(),
        }
        .encode()
    }

    fn opened(&mut self, socket: &mut Socket<'_, Self>) {
        self.conn_id = Some(socket.id());
    }

    fn handle(&mut self, inbound: DeskInbound, socket: &mut Socket<'_, Self>) {
        match inbound {
            DeskInbound::Available {
                agent_id,
                agent_name,
                capacity,
            } => self.available(&agent_id, &agent_name, capacity, socket),
            DeskInbound::Unavailable => self.unavailable(socket),
            DeskInbound::Claim { session_name } => {
                self.session_request(&session_name, Request::Claim, socket)
            }
            DeskInbound::Message {
                session_name,
                content,
            } => match input::content("message: content", content) {
                Ok(content) => {
                    self.session_request(&session_name, Request::Message(content), socket)
                }
                Err(problem) => {
                    let refusal = Refusal::new("invalid_fields", problem);
                    let named = input::session_name("message: session_name", &session_name);
                    let named = named.ok();
                    refuse_request(
                        socket,
                        &refusal,
                        "message",
                        named.as_ref().map(|n| n.as_str()),
                    );
                }
            },
            DeskInbound::Release { session_name } => {
                self.session_request(&session_name, Request::Release, socket)
            }
            DeskInbound::Ping => socket.send(
                DeskOutbound::Pong {
                    timestamp: Utc::now().timestamp(),
                }
                .encode(),
            ),
        }
    }

    fn deliver(&mut self, event: DeskEvent, socket: &mut Socket<'_, Self>) {
        socket.send(encode_event(&event));
    }

    fn closed(&mut self, conn_id: ConnId, _shutdown: bool) {
        self.board.do_send(DeskGone { conn_id });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> &'static str {
        match decode_frame(Frame::Text(text)) {
            Err(refusal) => refusal.error,
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
