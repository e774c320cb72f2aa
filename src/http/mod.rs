//! The HTTP API: one file per resource. Receives REST requests, asks the actors, sends JSON;
//! every failure is a JSON body `{"error", "detail"}` (see [`error::ApiError`]).

mod calls;
mod error;
mod health;

use actix_web::{HttpRequest, HttpResponse, web};

pub use error::ApiError;

/// Largest JSON body accepted by the REST API.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Registers the REST endpoints and the JSON body rules.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_BODY_BYTES)
            .content_type_required(false)
            .error_handler(|err, _| ApiError::InvalidBody(err.to_string()).into()),
    )
    .route("/api/health", web::get().to(health::health))
    .route("/api/calls", web::get().to(calls::list))
    .route("/api/calls/start", web::post().to(calls::start))
    .route(
        "/api/calls/match/{call_id}",
        web::get().to(calls::find_match),
    )
    .route("/api/calls/{call_id}/end", web::post().to(calls::end));
}

/// Any path without an endpoint.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(req.path().chars().take(200).collect()))
}
