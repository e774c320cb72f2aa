//! `GET /api/health`: receives nothing, asks the Monitor for its counters and sends
//! `{"status": "ok", "version": ..., ...counters}`.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use switchboard_actors::{GetStats, Stats};

use super::error::ApiError;
use crate::state::AppState;

/// The health body.
#[derive(Serialize)]
struct Health {
    /// Always `ok` when the hub answers.
    status: &'static str,
    /// The hub's version.
    version: &'static str,
    /// The counters.
    #[serde(flatten)]
    stats: Stats,
}

/// `GET /api/health`.
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let stats = state.monitor.send(GetStats).await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        stats,
    }))
}
