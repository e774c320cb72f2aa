//! Seed 003's chat protocol on `/ws/chat` (one socket, many conversations) and
//! `/ws/chat/session/{session_id}` (bound to one). Receives `ping`, `join_session`,
//! `leave_session`, `switch_session`, `new_message`, `typing` and `message_status_update` (the
//! shapes are in [`chat_frames`](crate::wire::chat_frames)), each paid for from the socket's
//! token bucket (`rate_limited` when it is empty); sends `connection_established`, `pong`,
//! `session_joined` (with the lines after `since`, or the newest ones), every committed line
//! of a joined conversation as `new_message` and every handover as `session_status_update`
//! (each with its `seq`, in order, each once), `session_left`, the `message_status_update`
//! `sent` that acknowledges a line with its `client_message_id` and `seq`, and what the
//! [`ChatHub`] pushes: `typing`, receipts, `ai_processing_status`, `notification`,
//! `user_status_update`; bad input gets `error` and the socket stays open. A conversation is a
//! seed-001 session: the socket follows it through its own session subscription (resubscribing
//! after the last `seq` it sent if the session let it go), and a user's line is a user turn,
//! so the bot, the regulator and agents answer as they answer `/api/chat`. Tells the ChatHub
//! when the socket opens (closing with 4029 when its user has its limit open), joins, leaves,
//! types, reads and closes.

use std::collections::HashMap;

use actix::Addr;
use chrono::Utc;
use switchboard_actors::chat::ChatHub;
use switchboard_actors::chat::chat_events::{ChatEvent, ReceiptStatus};
use switchboard_actors::chat::chat_requests::{
    ChatConnected, ChatDisconnected, LeaveConversation, RelayReceipt, RelayTyping,
    UserConnectionLimit,
};
use switchboard_actors::kernel::close::CloseCode;
use switchboard_actors::kernel::ids::{ConnId, SessionName};
use switchboard_actors::takeover::Sessions;
use switchboard_actors::takeover::model::SessionEvent;
use switchboard_actors::takeover::session_requests::{Subscribe, Subscription};
use tokio::sync::mpsc;

use crate::api_error::ApiError;
use crate::input;
use crate::wire::chat_frames::{ChatInbound, ChatOutbound, event_frame, hub_event_text};
use crate::wire::text;
use crate::ws::dialect::chat_work::{self, ChatUser, Following, Joined, busy, stream_of};
use crate::ws::dialect::envelope;
use crate::ws::dialect::seam::{Dialect, Frame, Refusal, Socket};
use crate::ws::dialect::token_bucket::TokenBucket;

/// Most lines `session_joined` carries when the client gives no `since`.
pub const JOIN_HISTORY: usize = 50;

/// Resubscriptions in a row without a new event before the socket gives a conversation up.
const RESUBSCRIBE_ATTEMPTS: u32 = 3;

/// The chat dialect's per-socket state.
pub struct ChatDialect {
    /// Presence and routing.
    hub: Addr<ChatHub>,
    /// Seed 001's conversations.
    sessions: Sessions,
    /// Who the socket serves.
    user: ChatUser,
    /// The one conversation of a bound socket, and the `since` it opened with.
    bound: Option<(SessionName, Option<u64>)>,
    /// The socket's pace.
    bucket: TokenBucket,
    /// The socket's id, once open.
    conn_id: Option<ConnId>,
    /// The conversations followed.
    following: HashMap<SessionName, Following>,
}

impl ChatDialect {
    /// A chat socket for `user`; `bound` to one conversation (with the client's `since`) for
    /// `/ws/chat/session/{session_id}`.
    pub fn new(
        hub: Addr<ChatHub>,
        sessions: Sessions,
        user: ChatUser,
        bound: Option<(SessionName, Option<u64>)>,
        bucket: TokenBucket,
    ) -> Self {
        ChatDialect {
            hub,
            sessions,
            user,
            bound,
            bucket,
            conn_id: None,
            following: HashMap::new(),
        }
    }

    /// The ChatHub admitted the socket (or refused it at its user's limit).
    fn admitted(&mut self, admitted: bool, limit: usize, socket: &mut Socket<'_, Self>) {
        if !admitted {
            let detail = format!(
                "user {} already has {limit} chat sockets open",
                self.user.user_id
            );
            socket.refuse(&Refusal::new("too_many_connections", detail));
            return socket.close(
                CloseCode::TooManyUserConnections,
                "too many connections for this user",
            );
        }
        let now = Utc::now();
        socket.send(text::encode(&ChatOutbound::ConnectionEstablished {
            connection_id: socket.id().to_string(),
            user_id: &self.user.user_id,
            role: self.user.role,
            session_id: self.bound.as_ref().map(|(name, _)| name.as_str()),
            connected_at: now,
            timestamp: now,
        }));
        if let Some((name, since)) = self.bound.clone() {
            self.join(name, since, socket);
        }
    }

    /// The conversation `session_id` names, or the refusal of a bad name or of another
    /// conversation than a bound socket's.
    fn conversation(&self, session_id: &str) -> Result<SessionName, Refusal> {
        let name = input::session_name("session_id", session_id)
            .map_err(|problem| Refusal::new("invalid_fields", problem))?;
        match &self.bound {
            Some((bound, _)) if *bound != name => Err(Refusal::new(
                "bound_socket",
                format!("this socket is bound to conversation {bound}"),
            )),
            _ => Ok(name),
        }
    }

    /// A conversation the socket has joined, or the refusal.
    fn joined(&self, session_id: &str) -> Result<SessionName, Refusal> {
        let name = self.conversation(session_id)?;
        match self.following.contains_key(&name) {
            true => Ok(name),
            false => Err(Refusal::new(
                "not_joined",
                format!("join conversation {name} first"),
            )),
        }
    }

    /// Joins `name`: checks access, subscribes after `since`, tells the hub, reads the marks.
    fn join(&mut self, name: SessionName, since: Option<u64>, socket: &mut Socket<'_, Self>) {
        if let Some(old) = self.following.remove(&name) {
            old.task.map(|task| socket.cancel(task));
        }
        let (sessions, hub, caller) = (
            self.sessions.clone(),
            self.hub.clone(),
            self.user.caller.clone(),
        );
        let (conn_id, target) = (socket.id(), name.clone());
        let work = chat_work::join(sessions, hub, caller, conn_id, target, since);
        let then = move |dialect: &mut Self,
                         joined: Result<Joined, ApiError>,
                         socket: &mut Socket<'_, Self>| {
            match joined {
                Ok(joined) => dialect.send_joined(name, since, joined, socket),
                Err(error) => {
                    socket.refuse(&Refusal::new(error.code(), format!("{name}: {error}")))
                }
            }
        };
        if socket.start(work, then).is_err() {
            socket.refuse(&busy());
        }
    }

    /// Sends `session_joined` and follows the live events.
    fn send_joined(
        &mut self,
        name: SessionName,
        since: Option<u64>,
        joined: Joined,
        socket: &mut Socket<'_, Self>,
    ) {
        let Joined {
            subscription,
            members,
            read_marks,
        } = joined;
        let replay = subscription
            .as_ref()
            .map_or(&[][..], |s| s.replay.as_slice());
        let shown = match since {
            Some(_) => replay,
            None => &replay[replay.len().saturating_sub(JOIN_HISTORY)..],
        };
        let newest = subscription.as_ref().map_or(0, |s| s.last_seq);
        let last_seq = replay.last().map_or(newest, |event| event.seq);
        let marks = read_marks
            .into_iter()
            .map(|(user, seq)| (user, seq.into()))
            .collect();
        socket.send(text::encode(&ChatOutbound::SessionJoined {
            session_id: name.as_str(),
            last_seq,
            history: shown
                .iter()
                .map(|event| event_frame(name.as_str(), event))
                .collect(),
            members: &members,
            read_marks: marks,
            timestamp: Utc::now(),
        }));
        let following = Following {
            task: None,
            last_seq,
            attempts: 0,
        };
        self.following.insert(name.clone(), following);
        if let Some(subscription) = subscription {
            self.follow_live(name, subscription.live, socket);
        }
    }

    /// Follows a subscription's live events; when the session lets it go, resubscribes after
    /// the last event sent.
    fn follow_live(
        &mut self,
        name: SessionName,
        live: mpsc::Receiver<SessionEvent>,
        socket: &mut Socket<'_, Self>,
    ) {
        let events = stream_of(live);
        let each_name = name.clone();
        let each = move |dialect: &mut Self, event: SessionEvent, socket: &mut Socket<'_, Self>| {
            dialect.live_event(&each_name, &event, socket);
        };
        let done_name = name.clone();
        let done = move |dialect: &mut Self, socket: &mut Socket<'_, Self>| {
            dialect.resubscribe(done_name, socket)
        };
        match socket.follow(events, each, done) {
            Ok(task) => {
                if let Some(following) = self.following.get_mut(&name) {
                    following.task = Some(task);
                }
            }
            Err(_) => self.give_up(&name, "too_busy", socket),
        }
    }

    /// A live event: sent unless it was already sent.
    fn live_event(
        &mut self,
        name: &SessionName,
        event: &SessionEvent,
        socket: &mut Socket<'_, Self>,
    ) {
        let Some(following) = self.following.get_mut(name) else {
            return;
        };
        if event.seq <= following.last_seq {
            return;
        }
        following.last_seq = event.seq;
        following.attempts = 0;
        socket.send(text::encode(&event_frame(name.as_str(), event)));
    }

    /// The session let the subscription go: follow again after the last event sent, or give
    /// the conversation up after [`RESUBSCRIBE_ATTEMPTS`] tries without progress.
    fn resubscribe(&mut self, name: SessionName, socket: &mut Socket<'_, Self>) {
        let Some(following) = self.following.get_mut(&name) else {
            return;
        };
        following.task = None;
        following.attempts += 1;
        if following.attempts > RESUBSCRIBE_ATTEMPTS {
            return self.give_up(&name, "unavailable", socket);
        }
        let after = Some(following.last_seq);
        let (sessions, target, again) = (self.sessions.clone(), name.clone(), name.clone());
        let work = async move { sessions.ask(&target, Subscribe { after }).await };
        let then = move |dialect: &mut Self,
                         answer: Result<Result<Subscription, _>, _>,
                         socket: &mut Socket<'_, Self>| {
            let Ok(Ok(subscription)) = answer else {
                return dialect.give_up(&name, "unavailable", socket);
            };
            for event in &subscription.replay {
                dialect.live_event(&name, event, socket);
            }
            if dialect.following.contains_key(&name) {
                dialect.follow_live(name, subscription.live, socket);
            }
        };
        if socket.start(work, then).is_err() {
            self.give_up(&again, "too_busy", socket);
        }
    }

    /// Stops following `name` and tells the client why.
    fn give_up(&mut self, name: &SessionName, reason: &str, socket: &mut Socket<'_, Self>) {
        if let Some(following) = self.following.remove(name) {
            following.task.map(|task| socket.cancel(task));
            self.hub.do_send(LeaveConversation {
                conn_id: socket.id(),
                session_id: name.clone(),
            });
            socket.send(text::encode(&ChatOutbound::SessionLeft {
                session_id: name.as_str(),
                reason,
                timestamp: Utc::now(),
            }));
        }
    }

    /// `new_message`: a user turn; acknowledged with `sent`, its seq and the client's id.
    fn new_message(
        &mut self,
        name: SessionName,
        content: String,
        client_message_id: Option<String>,
        socket: &mut Socket<'_, Self>,
    ) {
        let (sessions, hub, caller) = (
            self.sessions.clone(),
            self.hub.clone(),
            self.user.caller.clone(),
        );
        let target = name.clone();
        let work = chat_work::send_line(sessions, hub, caller, target, content);
        let then = move |dialect: &mut Self,
                         sent: Result<Option<u64>, ApiError>,
                         socket: &mut Socket<'_, Self>| {
            match sent {
                Ok(seq) => socket.send(text::encode(&ChatOutbound::MessageStatusUpdate {
                    session_id: name.as_str(),
                    user_id: &dialect.user.user_id,
                    status: "sent",
                    seq: seq.unwrap_or(0),
                    client_message_id: client_message_id.as_deref(),
                    timestamp: Utc::now(),
                })),
                Err(error) => {
                    socket.refuse(&Refusal::new(error.code(), format!("{name}: {error}")))
                }
            }
        };
        if socket.start_detached(work, then).is_err() {
            socket.refuse(&busy());
        }
    }

    /// A decoded message, once paid for.
    fn command(
        &mut self,
        inbound: ChatInbound,
        socket: &mut Socket<'_, Self>,
    ) -> Result<(), Refusal> {
        match inbound {
            ChatInbound::Ping => socket.send(text::encode(&ChatOutbound::Pong {
                timestamp: Utc::now(),
            })),
            ChatInbound::Pong => {}
            ChatInbound::JoinSession { session_id, since } => {
                let name = self.conversation(&session_id)?;
                self.join(name, since, socket);
            }
            ChatInbound::LeaveSession { session_id } => {
                let name = self.joined(&session_id)?;
                self.give_up(&name, "left", socket);
            }
            ChatInbound::SwitchSession { session_id, since } => {
                let name = self.conversation(&session_id)?;
                let others: Vec<SessionName> = self
                    .following
                    .keys()
                    .filter(|other| **other != name)
                    .cloned()
                    .collect();
                for other in others {
                    self.give_up(&other, "switched", socket);
                }
                self.join(name, since, socket);
            }
            ChatInbound::NewMessage {
                session_id,
                content,
                client_message_id,
            } => {
                let name = self.joined(&session_id)?;
                let content = input::content("new_message: content", content)
                    .map_err(|problem| Refusal::new("invalid_fields", problem))?;
                self.new_message(name, content, client_message_id, socket);
            }
            ChatInbound::Typing {
                session_id,
                is_typing,
            } => {
                let name = self.joined(&session_id)?;
                self.hub.do_send(RelayTyping {
                    conn_id: socket.id(),
                    session_id: name,
                    is_typing,
                });
            }
            ChatInbound::MessageStatusUpdate {
                session_id,
                status,
                seq,
            } => {
                let name = self.joined(&session_id)?;
                let status = match status.as_str() {
                    "delivered" => ReceiptStatus::Delivered,
                    "read" => ReceiptStatus::Read,
                    _ => {
                        return Err(Refusal::new(
                            "invalid_fields",
                            "message_status_update: status must be delivered or read",
                        ));
                    }
                };
                self.hub.do_send(RelayReceipt {
                    conn_id: socket.id(),
                    session_id: name,
                    status,
                    seq,
                });
            }
        }
        Ok(())
    }
}

impl Dialect for ChatDialect {
    type Inbound = ChatInbound;
    type Event = ChatEvent;
    const ENDPOINT: &'static str = "chat";

    fn decode(&self, frame: Frame<'_>) -> Result<ChatInbound, Refusal> {
        envelope::text_only(frame).and_then(|text| envelope::decode(text, ChatInbound::TYPES))
    }

    fn error_frame(refusal: &Refusal) -> String {
        text::encode(&ChatOutbound::Error {
            error: refusal.error,
            detail: &refusal.detail,
            timestamp: Utc::now(),
        })
    }

    fn opened(&mut self, socket: &mut Socket<'_, Self>) {
        self.conn_id = Some(socket.id());
        let connected = self.hub.send(ChatConnected {
            user_id: self.user.user_id.clone(),
            role: self.user.role,
            bound: self.bound.as_ref().map(|(name, _)| name.clone()),
            handle: socket.handle(),
        });
        let then = |dialect: &mut Self,
                    answer: Result<Result<(), _>, _>,
                    socket: &mut Socket<'_, Self>| match answer {
            Ok(Ok(())) => dialect.admitted(true, 0, socket),
            Ok(Err(UserConnectionLimit { limit })) => dialect.admitted(false, limit, socket),
            Err(_) => socket.close(CloseCode::GoingAway, "server shutting down"),
        };
        if socket.start(connected, then).is_err() {
            socket.close(CloseCode::InternalError, "could not register the socket");
        }
    }

    fn handle(&mut self, inbound: ChatInbound, socket: &mut Socket<'_, Self>) {
        if let Err(wait) = self.bucket.take(tokio::time::Instant::now()) {
            let detail = format!(
                "too many messages; the next may be sent in {} ms",
                wait.as_millis().max(1)
            );
            return socket.refuse(&Refusal::new("rate_limited", detail));
        }
        if let Err(refusal) = self.command(inbound, socket) {
            socket.refuse(&refusal);
        }
    }

    fn deliver(&mut self, event: ChatEvent, socket: &mut Socket<'_, Self>) {
        if let ChatEvent::ConversationStarted { session_id } = &event {
            let waiting = self
                .following
                .get(session_id)
                .is_some_and(|f| f.task.is_none());
            if waiting {
                self.resubscribe(session_id.clone(), socket);
            }
        }
        if let Some(frame) = hub_event_text(&event) {
            socket.send(frame);
        }
    }

    fn closed(&mut self, conn_id: ConnId, _shutdown: bool) {
        self.hub.do_send(ChatDisconnected { conn_id });
    }
}
