//! The one error mapping of the hub's API. Receives failures from HTTP handlers, extractors
//! and socket requests; sends a 4xx/5xx response with the JSON body
//! `{"error": code, "detail": text}`, or (for sockets) the same code and detail for the
//! dialect's error frame, so REST and the desk socket name a failure alike.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use switchboard_actors::takeover::escalation::Status;
use switchboard_actors::takeover::session_requests::SessionError;
use utoipa::ToSchema;

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
    /// The session has its limit of user lines waiting for the bot.
    #[error("{0}")]
    TooManyLines(String),
    /// The store did not commit the change; nothing changed.
    #[error("{0}")]
    StoreUnavailable(String),
    /// An actor did not answer (the hub is shutting down).
    #[error("the hub is shutting down")]
    Unavailable,
    /// The request's body did not arrive within the body timeout; the connection is closed.
    #[error("{0}")]
    RequestTimeout(String),
    /// The request's body is over the limit; the connection is closed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The client's address holds its limit of connections; this one is closed.
    #[error("this address already holds {0} connections; close some and try again")]
    TooManyConnections(usize),
    /// The hub holds its limit of event streams.
    #[error("the hub already serves {0} event streams; try again later")]
    TooManyStreams(usize),
    /// The request carries no valid token (missing, malformed, expired or badly signed).
    #[error("{0}")]
    Unauthorized(String),
    /// The token is valid but its holder may not do this (wrong role, not their
    /// conversation), or the browser page's origin is not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// A POST body that is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
}

/// The JSON error body.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody<'a> {
    /// Machine-readable code.
    error: &'a str,
    /// Human-readable explanation.
    detail: String,
    /// The session's current status, on a 409.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "pending_manual")]
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
            ApiError::TooManyLines(_) => "too_many_lines",
            ApiError::StoreUnavailable(_) => "store_unavailable",
            ApiError::Unavailable => "unavailable",
            ApiError::RequestTimeout(_) => "request_timeout",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::TooManyConnections(_) => "too_many_connections",
            ApiError::TooManyStreams(_) => "too_many_streams",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
        }
    }

    /// Whether the connection is closed after the answer: the client sent more than it was
    /// allowed, or holds more than it may, or its body is still on its way.
    fn closes_connection(&self) -> bool {
        matches!(
            self,
            ApiError::RequestTimeout(_)
                | ApiError::PayloadTooLarge(_)
                | ApiError::TooManyConnections(_)
        )
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
            error @ SessionError::TooManyLines(_) => ApiError::TooManyLines(error.to_string()),
            error @ SessionError::TooManySubscribers(_) => {
                ApiError::TooManySubscribers(error.to_string())
            }
            SessionError::DeskClosed | SessionError::Stopped => ApiError::Unavailable,
            error @ SessionError::NotYours(_) => ApiError::Forbidden(error.to_string()),
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
            ApiError::TooManySubscribers(_) | ApiError::TooManyLines(_) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable | ApiError::QueueFull(_) | ApiError::TooManyStreams(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyConnections(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::MethodNotAllowed { allowed, .. } = self {
            response.insert_header(("Allow", *allowed));
        }
        if let ApiError::Unauthorized(_) = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if self.closes_connection() {
            response.force_close();
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
