//! Seed 002's interview socket for tests: open one past its `connected` envelope, answer and
//! read the `ai_response`, and check `error` envelopes (`data.error`, `data.message`).

use serde_json::{Value, json};

use super::HubClient;
use super::ws::WsClient;

/// An interview socket at `path` (`/api/v1/ws` or `/api/v1/ws/{id}`) past its `connected`
/// envelope, and that envelope.
pub async fn open_interview(hub: &HubClient, path: &str) -> (WsClient, Value) {
    let mut ws = hub.socket(path).await;
    let connected = ws.expect("connected").await;
    (ws, connected)
}

/// Sends `text` as `text_input`; the very next frame must be its `ai_response`, whose `data`
/// is returned.
pub async fn answer(ws: &mut WsClient, session_id: &str, text: &str) -> Value {
    ws.send_json(json!({
        "type": "text_input",
        "session_id": session_id,
        "timestamp": "2024-01-01T12:00:00.000Z",
        "data": {"text": text, "context": ""}
    }))
    .await;
    let response = ws.expect("ai_response").await;
    assert_eq!(response["session_id"], session_id, "{response}");
    assert_eq!(response["data"]["user_input"], text, "{response}");
    response["data"].clone()
}

/// The next frame, which must be an `error` envelope with `data.error` = `code` and a message;
/// returns its `data`.
pub async fn expect_interview_error(ws: &mut WsClient, code: &str) -> Value {
    let frame = ws.expect("error").await;
    let data = &frame["data"];
    assert_eq!(data["error"], code, "unexpected error {frame}");
    assert!(
        data["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{frame}"
    );
    assert!(data["details"].is_string(), "{frame}");
    data.clone()
}

/// Proves an interview socket is still open: `ping` must come back as `pong`.
pub async fn assert_interview_alive(ws: &mut WsClient) {
    ws.send_json(json!({"type": "ping", "session_id": "x", "data": {}}))
        .await;
    let pong = ws.expect("pong").await;
    assert!(pong["data"]["timestamp"].is_string(), "{pong}");
}
