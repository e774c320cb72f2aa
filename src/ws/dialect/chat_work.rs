//! The chat socket's requests that take a while, as futures the socket awaits: joining a
//! conversation and sending a user's line. Receives the handles and the request; sends the
//! access check and the subscription to the session, the join and the bot's progress to the
//! [`ChatHub`], and answers what the socket shows (or the [`ApiError`] to refuse with).

use actix::Addr;
use switchboard_actors::bot::piece::Piece;
use switchboard_actors::chat::ChatHub;
use switchboard_actors::chat::chat_events::{AiStatus, ChatEvent};
use switchboard_actors::chat::chat_requests::{
    AnnounceAiStatus, JoinConversation, ReadMarks, SendToConversation,
};
use switchboard_actors::kernel::ids::{ConnId, SessionName};
use switchboard_actors::takeover::Sessions;
use switchboard_actors::takeover::model::SessionEvent;
use switchboard_actors::takeover::session_requests::{
    AnswerUpdate, SessionError, Subscribe, Subscription, UserTurn,
};
use tokio::sync::mpsc;

use crate::api_error::ApiError;
use crate::auth::identity::Caller;
use crate::http::ownership;
use crate::ws::dialect::seam::{MAX_TASKS, Refusal, TaskId};

/// Who the socket serves, as the edge found out before the upgrade.
#[derive(Debug, Clone)]
pub struct ChatUser {
    /// The user's id.
    pub user_id: String,
    /// `customer`, `agent` or `admin`.
    pub role: &'static str,
    /// The mode and token, for the conversations' access checks.
    pub caller: Caller,
}

/// A conversation the socket follows.
pub struct Following {
    /// The stream of its live events, while it runs.
    pub task: Option<TaskId>,
    /// The last sequence number sent to the client.
    pub last_seq: u64,
    /// Resubscriptions since the last event.
    pub attempts: u32,
}

/// What the join of a conversation found out.
pub struct Joined {
    /// The replay and the live events; none for a conversation with no line yet.
    pub subscription: Option<Subscription>,
    /// The users in it.
    pub members: Vec<String>,
    /// How far each user has read it.
    pub read_marks: Vec<(String, u64)>,
}

/// Joins conversation `name` for socket `conn_id`: checks the caller may read it, subscribes
/// after `since` (from the start without it), tells the hub, reads the marks.
pub async fn join(
    sessions: Sessions,
    hub: Addr<ChatHub>,
    caller: Caller,
    conn_id: ConnId,
    name: SessionName,
    since: Option<u64>,
) -> Result<Joined, ApiError> {
    ownership::may_read(&caller, &sessions, &name).await?;
    let subscribe = Subscribe {
        after: Some(since.unwrap_or(0)),
    };
    let mut subscription = started(sessions.ask(&name, subscribe.clone()).await?)?;
    let session_id = name.clone();
    let members = hub
        .send(JoinConversation {
            conn_id,
            session_id,
        })
        .await?;
    if subscription.is_none() {
        subscription = started(sessions.ask(&name, subscribe).await?)?;
    }
    let read_marks = hub.send(ReadMarks { session_id: name }).await?;
    let read_marks =
        read_marks.map_err(|error| ApiError::from(SessionError::Store(error.to_string())))?;
    Ok(Joined {
        subscription,
        members,
        read_marks,
    })
}

/// A subscription, or none for a conversation with no line yet (the socket follows it once its
/// first line is stored: the hub tells it).
fn started(
    answer: Result<Subscription, SessionError>,
) -> Result<Option<Subscription>, SessionError> {
    match answer {
        Ok(subscription) => Ok(Some(subscription)),
        Err(SessionError::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Sends `content` as the user's line in conversation `name` (a user turn, so the bot, the
/// regulator and agents answer it) and tells the conversation how far the bot is; answers
/// the line's sequence number.
pub async fn send_line(
    sessions: Sessions,
    hub: Addr<ChatHub>,
    caller: Caller,
    name: SessionName,
    content: String,
) -> Result<Option<u64>, ApiError> {
    ownership::may_speak_as_user(&caller, &sessions, &name).await?;
    let turn = UserTurn {
        text: content,
        stream: false,
        owner: caller.owner_of_new(),
        owner_only: caller.must_own(name.as_str()),
    };
    let outcome = sessions.ask(&name, turn).await??;
    if let Some(answer) = outcome.answer {
        hub.do_send(AnnounceAiStatus {
            session_id: name.clone(),
            status: AiStatus::Thinking,
        });
        actix_rt::spawn(announce_progress(hub.clone(), name.clone(), answer));
    }
    let line = outcome
        .appended
        .iter()
        .find(|event| event.is_user_message());
    if outcome.appended.first().is_some_and(|event| event.seq == 1) {
        let event = ChatEvent::ConversationStarted {
            session_id: name.clone(),
        };
        hub.do_send(SendToConversation {
            session_id: name,
            event,
        });
    }
    Ok(line.map(|event| event.seq))
}

/// Tells the conversation how far the bot's answer is: `streaming` at its first piece of
/// text, then `done` (or `failed`) once it is stored.
async fn announce_progress(
    hub: Addr<ChatHub>,
    session_id: SessionName,
    mut answer: mpsc::UnboundedReceiver<AnswerUpdate>,
) {
    let mut streaming = false;
    let mut failed = false;
    let status = loop {
        match answer.recv().await {
            Some(AnswerUpdate::Piece(Piece::Text(_))) if !streaming => {
                streaming = true;
                hub.do_send(AnnounceAiStatus {
                    session_id: session_id.clone(),
                    status: AiStatus::Streaming,
                });
            }
            Some(AnswerUpdate::Piece(Piece::Failed(_))) => failed = true,
            Some(AnswerUpdate::Piece(_)) => {}
            Some(AnswerUpdate::End(Ok(_))) if !failed => break AiStatus::Done,
            Some(AnswerUpdate::End(_)) | None => break AiStatus::Failed,
        }
    };
    hub.do_send(AnnounceAiStatus { session_id, status });
}

/// A receiver as a stream.
pub fn stream_of(
    mut live: mpsc::Receiver<SessionEvent>,
) -> impl futures_util::Stream<Item = SessionEvent> {
    futures_util::stream::poll_fn(move |cx| live.poll_recv(cx))
}

/// The refusal when the socket has [`MAX_TASKS`] requests waiting.
pub fn busy() -> Refusal {
    Refusal::new(
        "too_fast",
        format!("{MAX_TASKS} requests are still waiting; this one was not sent"),
    )
}
