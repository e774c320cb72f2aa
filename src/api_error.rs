//! The one error mapping of the hub's API. Receives failures from HTTP handlers, extractors
//! and socket requests; sends a 4xx/5xx response with the JSON body
//! `{"error": code, "detail": text}`, or (for sockets) the same code and detail for the
//! dialect's error frame, so REST and the desk socket name a failure alike.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use switchboard_actors::takeover::escalation::Status;
use switchboard_actors::takeover::session_requests::SessionError;

/// Everything an HTTP handler can refuse with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON or misses a field.
    #[error("{0}")]
    InvalidBody(String),
    /// A field is present but its value is not acceptable.
    #[error("{0}")]
    InvalidField(String),
    /// No call leg has this id.
    #[error("call {0} is not waiting or in progress")]
    UnknownCall(String),
    /// The queue of that side holds its limit of waiting legs.
    #[error("{0} legs are already waiting on this side; try again later")]
    QueueFull(usize),
    /// The path exists but not with this method.
    #[error("{method} is not allowed here; use {allowed}")]
    MethodNotAllowed {
        /// The method the client used.
        method: String,
        /// The method the path accepts.
        allowed: &'static str,
    },
    /// No route matches the path.
    #[error("no endpoint at {0}")]
    NotFound(String),
    /// No seed-001 session has this name.
    #[error("no session is named {0}")]
    UnknownSession(String),
    /// The session's state does not allow the request.
    #[error("{detail}")]
    Conflict {
        /// Why.
        detail: String,
        /// The session's current status, named in the body.
        status: Status,
    },
    /// The session has its limit of SSE subscribers.
    #[error("{0}")]
    TooManySubscribers(String),
    /// The store did not commit the change; nothing changed.
    #[error("{0}")]
    StoreUnavailable(String),
    /// An actor did not answer (the hub is shutting down).
    #[error("the hub is shutting down")]
    Unavailable,
}

/// The JSON error body.
#[derive(Serialize)]
struct ErrorBody<'a> {
    /// Machine-readable code.
    error: &'a str,
    /// Human-readable explanation.
    detail: String,
    /// The session's current status, on a 409.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
}

impl ApiError {
    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::InvalidField(_) => "invalid_field",
            ApiError::UnknownCall(_) => "unknown_call",
            ApiError::NotFound(_) => "not_found",
            ApiError::QueueFull(_) => "queue_full",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::UnknownSession(_) => "session_not_found",
            ApiError::Conflict { .. } => "invalid_state",
            ApiError::TooManySubscribers(_) => "too_many_subscribers",
            ApiError::StoreUnavailable(_) => "store_unavailable",
            ApiError::Unavailable => "unavailable",
        }
    }
}

impl From<SessionError> for ApiError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::NotFound(name) => ApiError::UnknownSession(name.to_string()),
            SessionError::Refused(refusal) => ApiError::Conflict {
                detail: refusal.to_string(),
                status: refusal.current(),
            },
            SessionError::Store(detail) => ApiError::StoreUnavailable(detail),
            error @ SessionError::TooManySubscribers(_) => {
                ApiError::TooManySubscribers(error.to_string())
            }
            SessionError::DeskClosed => ApiError::Unavailable,
        }
    }
}

impl From<actix::MailboxError> for ApiError {
    fn from(_: actix::MailboxError) -> Self {
        ApiError::Unavailable
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidBody(_) | ApiError::InvalidField(_) => StatusCode::BAD_REQUEST,
            ApiError::UnknownCall(_) | ApiError::NotFound(_) | ApiError::UnknownSession(_) => {
                StatusCode::NOT_FOUND
            }
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooManySubscribers(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable | ApiError::QueueFull(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::MethodNotAllowed { allowed, .. } = self {
            response.insert_header(("Allow", *allowed));
        }
        let status = match self {
            ApiError::Conflict { status, .. } => Some(*status),
            _ => None,
        };
        response.json(ErrorBody {
            error: self.code(),
            detail: self.to_string(),
            status,
        })
    }
}
