//! The one error type of the HTTP API. Receives failures from handlers and extractors; sends
//! a 4xx/5xx response with the JSON body `{"error": code, "detail": text}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

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
            ApiError::Unavailable => "unavailable",
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
            ApiError::UnknownCall(_) | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable | ApiError::QueueFull(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::MethodNotAllowed { allowed, .. } = self {
            response.insert_header(("Allow", *allowed));
        }
        response.json(ErrorBody {
            error: self.code(),
            detail: self.to_string(),
        })
    }
}
