//! Seed 001's chat API. Receives `POST /api/chat` and `POST /api/chat/stream` with the user's
//! message, and `POST /api/chat/cancel`; hands the line to the session (which asks the
//! regulator, then the bot, or keeps the line for the agent) and follows the bot's answer as
//! the session passes it on. `/api/chat` answers JSON once the answer is stored;
//! `/api/chat/stream` answers server-sent events: the events queued for the user since the
//! last streaming turn, the line's own notices, the bot's answer as it comes (text chunks,
//! tool calls and results, an `error` frame if the backend fails), the answer's own notices,
//! then `done`. A client that leaves mid-answer cancels it: what was sent is stored, marked
//! cancelled.

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use futures_util::stream::LocalBoxStream;
use serde_json::json;
use switchboard_actors::bot::piece::Piece;
use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::Sessions;
use switchboard_actors::takeover::model::SessionEvent;
use switchboard_actors::takeover::session_requests::{
    AnswerStored, AnswerUpdate, CancelAnswer, TurnOutcome, UserTurn, answer_ending,
};
use tokio::sync::mpsc::UnboundedReceiver;

use super::events::{frame, sse_response};
use super::{fields, ownership};
use crate::api_error::ApiError;
use crate::auth::identity::Caller;
use crate::wire::takeover::conversation::PushedEvent;
use crate::wire::takeover::rest::{
    BotError, CancelRequest, CancelResponse, ChatRequest, ChatResponse, ChatStreamFrame,
};

/// The code of a backend failure, in the JSON answer and the stream's `error` frame.
const UPSTREAM_FAILED: &str = "upstream_failed";

/// The user's line in the session the body names (checked against the caller's token), or in
/// a new one; a customer's token makes it the owner of a session it starts.
async fn turn(
    body: ChatRequest,
    stream: bool,
    caller: &Caller,
    sessions: &Sessions,
) -> Result<(SessionName, TurnOutcome), ApiError> {
    let name = match body.session_name {
        Some(name) => fields::session_name(&name)?,
        None => SessionName::generate(),
    };
    let text = fields::content("message", body.message)?;
    ownership::may_speak_as_user(caller, sessions, &name).await?;
    let owner = caller.owner_of_new();
    let outcome = sessions
        .ask(
            &name,
            UserTurn {
                text,
                stream,
                owner,
                owner_only: caller.must_own(name.as_str()),
            },
        )
        .await??;
    Ok((name, outcome))
}

/// `POST /api/chat`: one turn, answered as JSON once the bot's answer is stored. `message` is
/// the bot's answer, or null while a human is asked for or holds the session.
pub async fn chat(
    body: web::Json<ChatRequest>,
    caller: Caller,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let (name, outcome) = turn(body.into_inner(), false, &caller, &sessions).await?;
    let line_seq = outcome.appended.last().map(|event| event.seq);
    let Some(mut answer) = outcome.answer else {
        return Ok(HttpResponse::Ok().json(ChatResponse {
            success: true,
            session_name: &name,
            status: outcome.status,
            message: None,
            escalated: outcome.trigger.is_some(),
            rule: outcome.trigger.as_ref().map(ToString::to_string),
            seq: line_seq,
            interrupted: None,
            error: None,
        }));
    };
    let ending = answer_ending(&mut answer)
        .await
        .ok_or(ApiError::Unavailable)?;
    let stored = ending.stored?;
    Ok(HttpResponse::Ok().json(ChatResponse {
        success: true,
        session_name: &name,
        status: stored.status,
        message: stored.answer.as_deref(),
        escalated: stored.trigger.is_some(),
        rule: stored.trigger.as_ref().map(ToString::to_string),
        seq: stored.appended.last().map(|event| event.seq).or(line_seq),
        interrupted: stored.interrupted,
        error: ending.failure.as_deref().map(|detail| BotError {
            error: UPSTREAM_FAILED,
            detail,
        }),
    }))
}

/// `POST /api/chat/stream`: one turn, answered as server-sent events while the bot answers.
pub async fn chat_stream(
    body: web::Json<ChatRequest>,
    caller: Caller,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let (name, outcome) = turn(body.into_inner(), true, &caller, &sessions).await?;
    let mut opening: Vec<Bytes> = outcome
        .queued
        .iter()
        .map(|event| frame(Some(event.seq), &PushedEvent::of(event)))
        .collect();
    opening.extend(notices(&outcome.appended));
    let rest: LocalBoxStream<'static, Bytes> = match outcome.answer {
        Some(answer) => answer_frames(name, answer),
        None => {
            let done = ChatStreamFrame::Done {
                session_name: &name,
                status: outcome.status,
                message: None,
                interrupted: None,
            };
            futures_util::stream::iter([frame(None, &done)]).boxed_local()
        }
    };
    let body = futures_util::stream::iter(opening)
        .chain(rest)
        .map(Ok::<_, actix_web::Error>);
    Ok(sse_response().streaming(body))
}

/// `POST /api/chat/cancel`: cut the bot's answer in flight short; what was sent of it is
/// stored, marked cancelled, and the turn's stream ends with `done`.
pub async fn cancel(
    body: web::Json<CancelRequest>,
    caller: Caller,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&body.session_name)?;
    ownership::may_speak_as_user(&caller, &sessions, &name).await?;
    let cancelled = sessions.ask(&name, CancelAnswer).await??;
    Ok(HttpResponse::Ok().json(CancelResponse {
        success: true,
        session_name: &name,
        cancelled,
    }))
}

/// The events of a turn the user is shown: status changes and notices, not the user's own
/// line nor the bot's answer, which the stream carries in pieces.
fn notices(events: &[SessionEvent]) -> impl Iterator<Item = Bytes> + '_ {
    events
        .iter()
        .filter(|event| event.is_pushed_to_user() && !event.is_user_message())
        .map(|event| frame(Some(event.seq), &PushedEvent::of(event)))
}

/// The bot's answer as stream frames, as the session passes it on, up to `done`.
fn answer_frames(
    name: SessionName,
    answer: UnboundedReceiver<AnswerUpdate>,
) -> LocalBoxStream<'static, Bytes> {
    futures_util::stream::unfold(Some(answer), move |answer| {
        let name = name.clone();
        async move {
            let mut answer = answer?;
            let frames = match answer.recv().await {
                Some(AnswerUpdate::Piece(piece)) => {
                    return Some((piece_frame(piece), Some(answer)));
                }
                Some(AnswerUpdate::End(Ok(stored))) => end_frames(&name, &stored),
                Some(AnswerUpdate::End(Err(error))) => vec![error_frame(&ApiError::from(error))],
                None => vec![error_frame(&ApiError::Unavailable)],
            };
            Some((frames, None))
        }
    })
    .flat_map(futures_util::stream::iter)
    .boxed_local()
}

/// A piece of the answer as its frame.
fn piece_frame(piece: Piece) -> Vec<Bytes> {
    let frame = match piece {
        Piece::Text(content) => frame(None, &ChatStreamFrame::Message { content: &content }),
        Piece::ToolCall { name, arguments } => frame(
            None,
            &ChatStreamFrame::ToolCall {
                tool_name: &name,
                params: &arguments,
            },
        ),
        Piece::ToolResult { name, result } => {
            let result = result.unwrap_or_else(|error| json!({ "error": error }));
            frame(
                None,
                &ChatStreamFrame::ToolResult {
                    tool_name: &name,
                    result: &result,
                },
            )
        }
        Piece::Failed(detail) => frame(
            None,
            &ChatStreamFrame::Error {
                error: UPSTREAM_FAILED,
                detail: &detail,
            },
        ),
        Piece::Fallback => return Vec::new(),
    };
    vec![frame]
}

/// The answer's own notices, then `done`.
fn end_frames(name: &SessionName, stored: &AnswerStored) -> Vec<Bytes> {
    let mut frames: Vec<Bytes> = notices(&stored.appended).collect();
    let done = ChatStreamFrame::Done {
        session_name: name,
        status: stored.status,
        message: stored.answer.as_deref(),
        interrupted: stored.interrupted,
    };
    frames.push(frame(None, &done));
    frames
}

/// A failure to keep the answer, as an `error` frame.
fn error_frame(error: &ApiError) -> Bytes {
    let detail = error.to_string();
    frame(
        None,
        &ChatStreamFrame::Error {
            error: error.code(),
            detail: &detail,
        },
    )
}
