//! What a JSON body that cannot be read is answered. Receives the JSON extractor's failures
//! (including the gate's body timer running out); sends 408 `request_timeout` when the body did
//! not arrive in time, 413 `payload_too_large` when it is over the limit (both close the
//! connection and count as refusals), else 400 `invalid_body`.

use std::io::ErrorKind;

use actix_web::error::{JsonPayloadError, PayloadError};
use actix_web::{HttpRequest, web};

use crate::api_error::ApiError;
use crate::refusals::{Refusal, Refusals};

/// The answer to a JSON body that could not be read.
pub fn json_error(error: JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    let refused = match &error {
        JsonPayloadError::OverflowKnownLength { length, limit } => Some(too_large(format!(
            "the body of {length} bytes is over the limit of {limit} bytes"
        ))),
        JsonPayloadError::Overflow { limit } => Some(too_large(format!(
            "the body is over the limit of {limit} bytes"
        ))),
        JsonPayloadError::Payload(PayloadError::Overflow) => {
            Some(too_large("the body is over the limit".into()))
        }
        JsonPayloadError::Payload(PayloadError::Io(io)) if io.kind() == ErrorKind::TimedOut => {
            Some((
                Refusal::BodyTimeout,
                ApiError::RequestTimeout(io.to_string()),
            ))
        }
        _ => None,
    };
    let Some((kind, answer)) = refused else {
        return ApiError::InvalidBody(error.to_string()).into();
    };
    if let Some(refusals) = req.app_data::<web::Data<Refusals>>() {
        refusals.record(kind);
    }
    answer.into()
}

/// A 413 saying `detail`.
fn too_large(detail: String) -> (Refusal, ApiError) {
    (Refusal::BodyTooLarge, ApiError::PayloadTooLarge(detail))
}
