//! Seed 001's chat API. Receives `POST /api/chat` and `POST /api/chat/stream` with the user's
//! message; hands it to the session (which asks the regulator and the bot, or keeps the
//! message for the agent) and sends the answer as JSON, or as an SSE stream: the events
//! queued for the user since the last streaming turn first, then the bot's answer in chunks,
//! then this turn's own status changes and notices (not the user's own line), then `done`.

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use switchboard_actors::SessionName;
use switchboard_actors::session::{TurnOutcome, UserTurn};

use super::error::ApiError;
use super::events::{frame, sse_response};
use super::fields;
use crate::session_json;
use crate::state::AppState;

/// Body of `POST /api/chat` and `POST /api/chat/stream`.
#[derive(Deserialize)]
pub struct ChatBody {
    /// What the user wrote (`content` is accepted too).
    #[serde(alias = "content")]
    message: String,
    /// The conversation; a new one is named when absent.
    #[serde(default)]
    session_name: Option<String>,
}

impl ChatBody {
    fn checked(self) -> Result<(SessionName, String), ApiError> {
        let name = match self.session_name {
            Some(name) => fields::session_name(&name)?,
            None => SessionName::generate(),
        };
        Ok((name, fields::content("message", self.message)?))
    }
}

async fn turn(
    body: ChatBody,
    stream: bool,
    state: &AppState,
) -> Result<(SessionName, TurnOutcome), ApiError> {
    let (name, text) = body.checked()?;
    let outcome = state
        .ask_session(&name, UserTurn { text, stream })
        .await??;
    Ok((name, outcome))
}

/// `POST /api/chat`: one turn, answered as JSON. `message` is the bot's answer, or null while
/// a human is asked for or holds the session.
pub async fn chat(
    body: web::Json<ChatBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (name, outcome) = turn(body.into_inner(), false, &state).await?;
    Ok(HttpResponse::Ok().json(json!({
        "success": true,
        "session_name": name,
        "status": outcome.status,
        "message": outcome.reply.as_ref().map(|reply| &reply.text),
        "escalated": outcome.trigger.is_some(),
        "rule": outcome.trigger.map(|trigger| trigger.to_string()),
        "seq": outcome.appended.last().map(|event| event.seq),
    })))
}

/// `POST /api/chat/stream`: one turn, answered as server-sent events.
pub async fn chat_stream(
    body: web::Json<ChatBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (name, outcome) = turn(body.into_inner(), true, &state).await?;
    let mut frames: Vec<Bytes> = outcome
        .queued
        .iter()
        .map(|event| frame(Some(event.seq), &session_json::pushed(event)))
        .collect();
    if let Some(reply) = &outcome.reply {
        frames.extend(
            reply
                .chunks()
                .iter()
                .map(|chunk| frame(None, &json!({"type": "message", "content": chunk}))),
        );
    }
    frames.extend(
        outcome
            .appended
            .iter()
            .filter(|event| event.is_pushed_to_user() && !event.is_user_message())
            .map(|event| frame(Some(event.seq), &session_json::pushed(event))),
    );
    frames.push(frame(
        None,
        &json!({
            "type": "done",
            "session_name": name,
            "status": outcome.status,
            "message": outcome.reply.as_ref().map(|reply| &reply.text),
        }),
    ));
    let body = futures_util::stream::iter(frames.into_iter().map(Ok::<_, actix_web::Error>));
    Ok(sse_response().streaming(body))
}
