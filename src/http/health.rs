//! `GET /api/health`: receives nothing, asks the Monitor for its counters and sends
//! `{"status": "ok", "version": ..., ...counters}`.

use actix::Addr;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use switchboard_actors::monitor::{GetStats, Monitor, Stats};
use utoipa::ToSchema;

use crate::api_error::ApiError;

/// The health body: `{"status": "ok", "version", "started_at", "uptime_seconds", ...}` with
/// every counter of [`Stats`].
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the hub answers.
    pub status: &'static str,
    /// The hub's version.
    pub version: &'static str,
    /// The counters.
    #[serde(flatten)]
    pub stats: Stats,
}

/// `GET /api/health`.
pub async fn health(monitor: web::Data<Addr<Monitor>>) -> Result<HttpResponse, ApiError> {
    let stats = monitor.send(GetStats).await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        stats,
    }))
}
