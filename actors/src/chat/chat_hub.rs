//! ChatHub: seed 003's presence and routing, the one writer of which chat socket belongs to
//! which user and sits in which conversation. Receives the requests of
//! [`chat_requests`](crate::chat::chat_requests) from chat sockets and the management side;
//! sends [`ChatEvent`]s through the sockets' handles (a socket that is gone is skipped; one
//! whose bounded queue is full is cut with 4008 by its handle, never waited for), read marks
//! to the [`Store`], and [`UserStatusChanged`] to the presence recipient when a user's first
//! socket opens or its last closes. It is on the control path and on the path of typing,
//! receipts and notifications only; a conversation's lines go from its session to each
//! socket's own subscription.

use actix::prelude::*;
use chrono::Utc;

use crate::admin::notification::Audience;
use crate::admin::user_directory::{
    ConnectionInfo, DeliverBroadcast, DeliverNotification, DisconnectUser, ListConnections,
    PingUser, UserStatusChanged,
};
use crate::chat::chat_events::{ChatEvent, ReceiptStatus};
use crate::chat::chat_requests::{
    AnnounceAiStatus, ChatConnected, ChatDisconnected, JoinConversation, LeaveConversation,
    ReadMarks, RelayReceipt, RelayTyping, SendToConversation, UserConnectionLimit,
};
use crate::chat::roster::{Member, Roster};
use crate::kernel::close::CloseCode;
use crate::kernel::ids::{ConnId, SessionName};
use crate::store::chat_rows::{ListReadMarks, RecordRead};
use crate::store::database::Store;
use crate::store::store_error::StoreError;

/// The hub actor.
pub struct ChatHub {
    /// Who is connected, and where.
    roster: Roster,
    /// Most chat sockets one user may have open.
    per_user_limit: usize,
    /// Where read marks are kept.
    store: Addr<Store>,
    /// Told when a user comes online or goes offline, if anyone listens.
    presence: Option<Recipient<UserStatusChanged>>,
}

impl ChatHub {
    /// A hub that admits `per_user_limit` sockets per user, keeps read marks in `store` and
    /// tells `presence` (if given) who comes and goes.
    pub fn new(
        per_user_limit: usize,
        store: Addr<Store>,
        presence: Option<Recipient<UserStatusChanged>>,
    ) -> Self {
        ChatHub {
            roster: Roster::default(),
            per_user_limit,
            store,
            presence,
        }
    }

    fn connected(&mut self, msg: ChatConnected) -> Result<(), UserConnectionLimit> {
        let user_id = msg.user_id.clone();
        let member = Member {
            user_id: msg.user_id,
            role: msg.role,
            bound: msg.bound,
            handle: msg.handle,
            connected_at: Utc::now(),
            conversations: Default::default(),
            last_ping: None,
        };
        match self.roster.admit(member, self.per_user_limit) {
            Ok(first) => {
                if first {
                    self.tell_presence(&user_id, true);
                }
                Ok(())
            }
            Err(limit) => Err(UserConnectionLimit { limit }),
        }
    }

    fn disconnected(&mut self, conn_id: ConnId) {
        let Some((user_id, departure)) = self.roster.remove(conn_id) else {
            return;
        };
        for session_id in departure.left {
            self.tell_conversation(&session_id, Some(conn_id), |session_id| {
                ChatEvent::UserStatus {
                    session_id,
                    user_id: user_id.clone(),
                    online: false,
                }
            });
        }
        if departure.offline {
            self.tell_presence(&user_id, false);
        }
    }

    fn join(&mut self, msg: JoinConversation) -> Vec<String> {
        let session_id = msg.session_id;
        if let Some((user_id, true)) = self.roster.join(msg.conn_id, &session_id) {
            let event = |session_id| ChatEvent::UserStatus {
                session_id,
                user_id: user_id.clone(),
                online: true,
            };
            self.tell_conversation(&session_id, Some(msg.conn_id), event);
        }
        self.roster.users_in(&session_id)
    }

    fn leave(&mut self, msg: LeaveConversation) {
        if let Some((user_id, true)) = self.roster.leave(msg.conn_id, &msg.session_id) {
            let event = |session_id| ChatEvent::UserStatus {
                session_id,
                user_id: user_id.clone(),
                online: false,
            };
            self.tell_conversation(&msg.session_id, Some(msg.conn_id), event);
        }
    }

    /// Relays what socket `from` says in `session_id` to the conversation's other sockets,
    /// if `from` is in it; the speaker's user id is the hub's, never the client's.
    fn relay(&self, from: ConnId, session_id: &SessionName, event: impl Fn(String) -> ChatEvent) {
        let Some(member) = self.roster.member(from) else {
            return;
        };
        if !member.conversations.contains(session_id) {
            return;
        }
        let user_id = member.user_id.clone();
        self.tell_conversation(session_id, Some(from), |_| event(user_id.clone()));
    }

    fn receipt(&self, msg: RelayReceipt) {
        let in_conversation = self
            .roster
            .member(msg.conn_id)
            .filter(|member| member.conversations.contains(&msg.session_id));
        let Some(member) = in_conversation else {
            return;
        };
        if msg.status == ReceiptStatus::Read {
            self.store.do_send(RecordRead {
                session_name: msg.session_id.as_str().to_owned(),
                user_id: member.user_id.clone(),
                seq: msg.seq,
            });
        }
        let (status, seq, session) = (msg.status, msg.seq, msg.session_id.clone());
        self.relay(msg.conn_id, &msg.session_id, |user_id| ChatEvent::Receipt {
            session_id: session.clone(),
            user_id,
            status,
            seq,
        });
    }

    /// Pushes the event `make` builds to every socket in `session_id` but `except`; answers
    /// how many took it.
    fn tell_conversation(
        &self,
        session_id: &SessionName,
        except: Option<ConnId>,
        make: impl Fn(SessionName) -> ChatEvent,
    ) -> usize {
        self.roster
            .in_conversation(session_id)
            .filter(|member| Some(member.handle.id()) != except)
            .filter(|member| member.handle.push(make(session_id.clone())))
            .count()
    }

    fn tell_presence(&self, user_id: &str, online: bool) {
        if let Some(presence) = &self.presence {
            presence.do_send(UserStatusChanged {
                user_id: user_id.to_owned(),
                online,
                at: Utc::now(),
            });
        }
    }
}

impl Actor for ChatHub {
    type Context = Context<Self>;
}

impl Handler<ChatConnected> for ChatHub {
    type Result = Result<(), UserConnectionLimit>;

    fn handle(&mut self, msg: ChatConnected, _: &mut Context<Self>) -> Self::Result {
        self.connected(msg)
    }
}

impl Handler<ChatDisconnected> for ChatHub {
    type Result = ();

    fn handle(&mut self, msg: ChatDisconnected, _: &mut Context<Self>) {
        self.disconnected(msg.conn_id);
    }
}

impl Handler<JoinConversation> for ChatHub {
    type Result = Vec<String>;

    fn handle(&mut self, msg: JoinConversation, _: &mut Context<Self>) -> Vec<String> {
        self.join(msg)
    }
}

impl Handler<LeaveConversation> for ChatHub {
    type Result = ();

    fn handle(&mut self, msg: LeaveConversation, _: &mut Context<Self>) {
        self.leave(msg);
    }
}

impl Handler<RelayTyping> for ChatHub {
    type Result = ();

    fn handle(&mut self, msg: RelayTyping, _: &mut Context<Self>) {
        let (session, is_typing) = (msg.session_id.clone(), msg.is_typing);
        self.relay(msg.conn_id, &msg.session_id, |user_id| ChatEvent::Typing {
            session_id: session.clone(),
            user_id,
            is_typing,
        });
    }
}

impl Handler<RelayReceipt> for ChatHub {
    type Result = ();

    fn handle(&mut self, msg: RelayReceipt, _: &mut Context<Self>) {
        self.receipt(msg);
    }
}

impl Handler<ReadMarks> for ChatHub {
    type Result = ResponseFuture<Result<Vec<(String, u64)>, StoreError>>;

    fn handle(&mut self, msg: ReadMarks, _: &mut Context<Self>) -> Self::Result {
        let asked = self.store.send(ListReadMarks {
            session_name: msg.session_id.as_str().to_owned(),
        });
        Box::pin(async move { asked.await.map_err(|_| StoreError::Stopped)? })
    }
}

impl Handler<AnnounceAiStatus> for ChatHub {
    type Result = ();

    fn handle(&mut self, msg: AnnounceAiStatus, _: &mut Context<Self>) {
        let status = msg.status;
        self.tell_conversation(&msg.session_id, None, |session_id| ChatEvent::AiStatus {
            session_id,
            status,
        });
    }
}

impl Handler<SendToConversation> for ChatHub {
    type Result = usize;

    fn handle(&mut self, msg: SendToConversation, _: &mut Context<Self>) -> usize {
        self.tell_conversation(&msg.session_id, None, |_| msg.event.clone())
    }
}

impl ChatHub {
    /// `member` in seed 003's `ConnectionInfo` shape.
    fn connection_info(member: &Member) -> ConnectionInfo {
        let mut metadata = serde_json::Map::new();
        metadata.insert("endpoint".into(), "chat".into());
        metadata.insert("role".into(), member.role.into());
        let sessions = member.conversations.iter();
        let sessions: Vec<serde_json::Value> = sessions.map(|s| s.as_str().into()).collect();
        metadata.insert("sessions".into(), sessions.into());
        ConnectionInfo {
            connection_id: member.handle.id().to_string(),
            user_id: member.user_id.clone(),
            session_id: member.bound.as_ref().map(|s| s.as_str().to_owned()),
            connected_at: member.connected_at,
            last_ping: member.last_ping,
            last_pong: None,
            is_alive: member.handle.is_connected(),
            metadata,
        }
    }

    /// The sockets an audience names.
    fn audience(&self, audience: &Audience) -> Vec<&Member> {
        match audience {
            Audience::Everyone => self.roster.all().collect(),
            Audience::User(user_id) => self.roster.of_user(user_id).collect(),
            Audience::Conversation(name) => match SessionName::parse(name) {
                Ok(name) => self.roster.in_conversation(&name).collect(),
                Err(_) => Vec::new(),
            },
        }
    }
}

impl Handler<ListConnections> for ChatHub {
    type Result = Vec<ConnectionInfo>;

    fn handle(&mut self, msg: ListConnections, _: &mut Context<Self>) -> Vec<ConnectionInfo> {
        let members: Box<dyn Iterator<Item = &Member>> = match &msg.user_id {
            Some(user_id) => Box::new(self.roster.of_user(user_id)),
            None => Box::new(self.roster.all()),
        };
        members.map(ChatHub::connection_info).collect()
    }
}

impl Handler<DisconnectUser> for ChatHub {
    type Result = usize;

    fn handle(&mut self, msg: DisconnectUser, _: &mut Context<Self>) -> usize {
        let members = self.roster.of_user(&msg.user_id);
        let alive = members.filter(|member| member.handle.is_connected());
        alive
            .map(|member| member.handle.close(CloseCode::Normal, &msg.reason))
            .count()
    }
}

impl Handler<PingUser> for ChatHub {
    type Result = usize;

    fn handle(&mut self, msg: PingUser, _: &mut Context<Self>) -> usize {
        self.roster.pinged(&msg.user_id, Utc::now())
    }
}

impl Handler<DeliverNotification> for ChatHub {
    type Result = usize;

    fn handle(&mut self, msg: DeliverNotification, _: &mut Context<Self>) -> usize {
        let event = || ChatEvent::Notification(msg.notification.clone());
        let members = self.audience(&msg.audience);
        members
            .into_iter()
            .filter(|member| member.handle.push(event()))
            .count()
    }
}

impl Handler<DeliverBroadcast> for ChatHub {
    type Result = usize;

    fn handle(&mut self, msg: DeliverBroadcast, _: &mut Context<Self>) -> usize {
        let event = || ChatEvent::Broadcast {
            kind: msg.kind.clone(),
            data: msg.data.clone(),
        };
        let members = self.roster.all();
        members.filter(|member| member.handle.push(event())).count()
    }
}
