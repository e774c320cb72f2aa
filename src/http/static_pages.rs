//! Pages the hub serves from its own binary, so that `cargo run --release` needs no build step
//! and no network: seed 004's agent socket test page, the customer chat widget, the script
//! that embeds it in any page, the agent desk (with its calls panel's script) and the admin
//! console. Receives `GET` on their paths; sends the file as it was embedded at build time.

use actix_web::HttpResponse;

/// Seed 004's test page: connect, pick a message type, send, watch the log, the streamed
/// answer and the statistics.
const AGENT_TEST_PAGE: &str = include_str!("../../static/test_websocket.html");

/// The customer chat: streamed answers, the handover, typing, receipts, resuming.
const WIDGET_PAGE: &str = include_str!("../../static/widget.html");

/// The agent desk: sign in, availability, the handover queue, history, reply, release, the
/// customer typing.
const DESK_PAGE: &str = include_str!("../../static/desk.html");

/// The desk's calls panel: seed-000 callers waiting, taking one, the transcript, hanging up.
const DESK_CALLS_SCRIPT: &str = include_str!("../../static/desk_calls.js");

/// The script that puts the chat bubble on any page.
const WIDGET_SCRIPT: &str = include_str!("../../static/widget.js");

/// The admin console: live figures from the monitor socket, the management API and the
/// metrics, with disconnect, broadcast, notify and a conversation's audit log.
const ADMIN_PAGE: &str = include_str!("../../static/admin.html");

/// `GET /static/test_websocket.html`.
pub async fn agent_test_page() -> HttpResponse {
    embedded("text/html; charset=utf-8", AGENT_TEST_PAGE)
}

/// `GET /widget`.
pub async fn widget_page() -> HttpResponse {
    embedded("text/html; charset=utf-8", WIDGET_PAGE)
}

/// `GET /desk`.
pub async fn desk_page() -> HttpResponse {
    embedded("text/html; charset=utf-8", DESK_PAGE)
}

/// `GET /desk/calls.js`.
pub async fn desk_calls_script() -> HttpResponse {
    embedded("text/javascript; charset=utf-8", DESK_CALLS_SCRIPT)
}

/// `GET /widget.js`.
pub async fn widget_script() -> HttpResponse {
    embedded("text/javascript; charset=utf-8", WIDGET_SCRIPT)
}

/// `GET /admin`.
pub async fn admin_page() -> HttpResponse {
    embedded("text/html; charset=utf-8", ADMIN_PAGE)
}

/// One embedded file, revalidated on every load.
fn embedded(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}
