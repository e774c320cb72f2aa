//! Pages the hub serves from its own binary, so that `cargo run --release` needs no build step
//! and no network: seed 004's agent socket test page. Receives `GET` on their paths; sends the
//! page as it was embedded at build time.

use actix_web::HttpResponse;

/// Seed 004's test page: connect, pick a message type, send, watch the log, the streamed
/// answer and the statistics.
const AGENT_TEST_PAGE: &str = include_str!("../../static/test_websocket.html");

/// `GET /static/test_websocket.html`.
pub async fn agent_test_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(AGENT_TEST_PAGE)
}
