//! Seed 001's chat API. Receives `POST /api/chat` and `POST /api/chat/stream` with the user's
//! message; hands it to the session (which asks the regulator and the bot, or keeps the
//! message for the agent) and sends the answer as JSON, or as an SSE stream: the events
//! queued for the user since the last streaming turn first, then the bot's answer in chunks,
//! then this turn's own status changes and notices (not the user's own line), then `done`.

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::Sessions;
use switchboard_actors::takeover::session_requests::{TurnOutcome, UserTurn};

use super::events::{frame, sse_response};
use super::fields;
use crate::api_error::ApiError;
use crate::wire::takeover::conversation::PushedEvent;
use crate::wire::takeover::rest::{ChatRequest, ChatResponse, ChatStreamFrame};

async fn turn(
    body: ChatRequest,
    stream: bool,
    sessions: &Sessions,
) -> Result<(SessionName, TurnOutcome), ApiError> {
    let name = match body.session_name {
        Some(name) => fields::session_name(&name)?,
        None => SessionName::generate(),
    };
    let text = fields::content("message", body.message)?;
    let outcome = sessions.ask(&name, UserTurn { text, stream }).await??;
    Ok((name, outcome))
}

/// `POST /api/chat`: one turn, answered as JSON. `message` is the bot's answer, or null while
/// a human is asked for or holds the session.
pub async fn chat(
    body: web::Json<ChatRequest>,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let (name, outcome) = turn(body.into_inner(), false, &sessions).await?;
    Ok(HttpResponse::Ok().json(ChatResponse {
        success: true,
        session_name: &name,
        status: outcome.status,
        message: outcome.reply.as_ref().map(|reply| reply.text.as_str()),
        escalated: outcome.trigger.is_some(),
        rule: outcome.trigger.as_ref().map(ToString::to_string),
        seq: outcome.appended.last().map(|event| event.seq),
    }))
}

/// `POST /api/chat/stream`: one turn, answered as server-sent events.
pub async fn chat_stream(
    body: web::Json<ChatRequest>,
    sessions: web::Data<Sessions>,
) -> Result<HttpResponse, ApiError> {
    let (name, outcome) = turn(body.into_inner(), true, &sessions).await?;
    let mut frames: Vec<Bytes> = outcome
        .queued
        .iter()
        .map(|event| frame(Some(event.seq), &PushedEvent::of(event)))
        .collect();
    if let Some(reply) = &outcome.reply {
        frames.extend(
            reply
                .chunks()
                .iter()
                .map(|chunk| frame(None, &ChatStreamFrame::Message { content: chunk })),
        );
    }
    frames.extend(
        outcome
            .appended
            .iter()
            .filter(|event| event.is_pushed_to_user() && !event.is_user_message())
            .map(|event| frame(Some(event.seq), &PushedEvent::of(event))),
    );
    let done = ChatStreamFrame::Done {
        session_name: &name,
        status: outcome.status,
        message: outcome.reply.as_ref().map(|reply| reply.text.as_str()),
    };
    frames.push(frame(None, &done));
    let body = futures_util::stream::iter(frames.into_iter().map(Ok::<_, actix_web::Error>));
    Ok(sse_response().streaming(body))
}
