//! `GET /metrics`: receives nothing; sends every series of the hub in the Prometheus text
//! format (version 0.0.4), as the [`Exposition`] writes it.

use actix_web::{HttpResponse, web};

use crate::api_error::ApiError;
use crate::exposition::{CONTENT_TYPE, Exposition};

/// `GET /metrics`.
pub async fn metrics(exposition: web::Data<Exposition>) -> Result<HttpResponse, ApiError> {
    match exposition.scrape().await {
        Ok(text) => Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(text)),
        Err(error) => {
            log::error!("metrics: the series could not be written: {error}");
            Err(ApiError::Unavailable)
        }
    }
}
