//! Names that cannot spoof: every name a client chooses (session names in paths, bodies and
//! desk frames, agent ids and names, reasons, call ids) refuses control, bidi, zero-width and
//! byte-order-mark characters with a 400 `invalid_field` (or, on a socket, an error frame)
//! naming the field, the rule and the codepoint; message content refuses NUL and keeps
//! newlines, tabs and bidi text.

mod support;

use serde_json::{Value, json};

use support::takeover::{agent, assert_error};
use support::ws::WsClient;
use support::{TestHub, start_hub, test_config};

/// U+202E RIGHT-TO-LEFT OVERRIDE, percent-encoded for a path.
const RLO_IN_PATH: &str = "%E2%80%AE";

/// Asserts a 400 `invalid_field` whose detail is exactly `detail`.
fn assert_refused(status: u16, body: &Value, detail: &str) {
    assert_eq!(status, 400, "{body}");
    assert_error(body, "invalid_field");
    assert_eq!(body["detail"], detail, "{body}");
}

/// A desk that said `available` as `agent_01`.
async fn ready_desk(hub: &TestHub) -> WsClient {
    let mut desk = hub.socket("/ws/desk").await;
    desk.send_json(json!({"type": "available", "agent_id": "agent_01", "agent_name": "Ann"}))
        .await;
    desk.expect("desk_status").await;
    desk
}

#[actix_rt::test]
async fn a_session_name_with_a_bidi_override_is_refused_in_paths_and_bodies() {
    let hub = start_hub(test_config());
    let bidi = "session_name must not contain bidi control characters (U+202E)";
    for path in [
        format!("/api/sessions/invoice{RLO_IN_PATH}fdp.exe"),
        format!("/api/sessions/x{RLO_IN_PATH}/audit"),
    ] {
        let (status, body) = hub.get(&path).await;
        assert_refused(status, &body, bidi);
    }
    let (status, body) = hub
        .post(&format!("/api/sessions/x{RLO_IN_PATH}/release"), json!({}))
        .await;
    assert_refused(status, &body, bidi);

    let spoofed = "invoice\u{202E}fdp.exe";
    let (status, body) = hub
        .post(
            "/api/chat",
            json!({"session_name": spoofed, "message": "hi"}),
        )
        .await;
    assert_refused(status, &body, bidi);
    let (status, body) = hub
        .post(
            "/api/manual/escalate",
            json!({"session_name": "a\u{200B}b", "reason": "user_request"}),
        )
        .await;
    assert_refused(
        status,
        &body,
        "session_name must not contain zero-width characters (U+200B)",
    );
    let (status, body) = hub
        .post(
            "/api/chat",
            json!({"session_name": "\u{FEFF}bom", "message": "hi"}),
        )
        .await;
    assert_refused(
        status,
        &body,
        "session_name must not contain byte order marks (U+FEFF)",
    );
    let (status, body) = hub.get("/api/sessions/nul%00name").await;
    assert_refused(
        status,
        &body,
        "session_name must not contain control characters (U+0000)",
    );
    let (status, body) = hub.get("/api/sessions?status=x%E2%80%AEy").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("x\\u{202e}y")),
        "client text is quoted with its bidi control escaped: {body}"
    );
}

#[actix_rt::test]
async fn agent_names_and_reasons_refuse_invisible_characters() {
    let hub = start_hub(test_config());
    hub.chat("named", "hello").await;
    let (status, body) = hub
        .post(
            "/api/manual/escalate",
            json!({"session_name": "named", "reason": "user\u{2066}request"}),
        )
        .await;
    assert_refused(
        status,
        &body,
        "reason must not contain bidi control characters (U+2066)",
    );
    hub.escalate("named", "user_request").await;
    let (status, body) = hub
        .post("/api/sessions/named/claim", agent("agent\u{200F}01", "Ann"))
        .await;
    assert_refused(
        status,
        &body,
        "agent_info.agent_id must not contain bidi control characters (U+200F)",
    );
    let (status, body) = hub
        .post(
            "/api/manual/messages",
            json!({
                "session_name": "named", "role": "agent", "content": "hi",
                "agent_info": agent("agent_01", "A\u{2060}nn"),
            }),
        )
        .await;
    assert_refused(
        status,
        &body,
        "agent_info.agent_name must not contain zero-width characters (U+2060)",
    );
    let accepted = hub
        .agent_says("named", "agent_01", "مرحبا، كيف أساعدك؟")
        .await;
    assert_eq!(accepted["assigned_agent"]["agent_id"], "agent_01");
}

#[actix_rt::test]
async fn content_refuses_nul_and_keeps_newlines_tabs_and_bidi_text() {
    let hub = start_hub(test_config());
    let (status, body) = hub
        .post(
            "/api/chat",
            json!({"session_name": "texts", "message": "hi\u{0}there"}),
        )
        .await;
    assert_refused(
        status,
        &body,
        "message must not contain NUL characters (U+0000)",
    );
    let kept = "line one\n\tline two \u{202E}עברית";
    hub.chat("texts", kept).await;
    let session = hub.session("texts").await;
    assert_eq!(session["history"][0]["content"], kept);

    hub.escalate("texts", "user_request").await;
    let (status, body) = hub
        .post(
            "/api/manual/messages",
            json!({"session_name": "texts", "role": "user", "content": "\u{0}"}),
        )
        .await;
    assert_refused(
        status,
        &body,
        "content must not contain NUL characters (U+0000)",
    );
}

#[actix_rt::test]
async fn desk_frames_with_spoofing_names_get_error_frames_and_the_socket_stays() {
    let hub = start_hub(test_config());
    let mut desk = hub.socket("/ws/desk").await;
    desk.send_json(json!({"type": "available", "agent_id": "agent\u{202E}10", "agent_name": "A"}))
        .await;
    let refused = desk.expect_error("invalid_fields").await;
    assert_eq!(
        refused["detail"],
        "available: agent_id must not contain bidi control characters (U+202E)"
    );
    desk.assert_alive().await;

    let mut desk = ready_desk(&hub).await;
    desk.send_json(json!({"type": "claim", "session_name": "s\u{200D}1"}))
        .await;
    let refused = desk.expect_error("invalid_fields").await;
    assert_eq!(
        refused["detail"],
        "claim: session_name must not contain zero-width characters (U+200D)"
    );
    hub.chat("desk-texts", "hello").await;
    hub.escalate("desk-texts", "user_request").await;
    desk.expect("session_assigned").await;
    desk.send_json(json!({"type": "message", "session_name": "desk-texts", "content": "a\u{0}"}))
        .await;
    let refused = desk.expect_error("invalid_fields").await;
    assert_eq!(
        refused["detail"],
        "message: content must not contain NUL characters (U+0000)"
    );
    desk.send_json(json!({"type": "release", "session_name": "desk-texts\u{061C}"}))
        .await;
    let refused = desk.expect_error("invalid_fields").await;
    assert_eq!(
        refused["detail"],
        "release: session_name must not contain bidi control characters (U+061C)"
    );
    desk.assert_alive().await;
}

#[actix_rt::test]
async fn a_call_id_with_a_bidi_override_is_refused_naming_the_rule() {
    let hub = start_hub(test_config());
    let mut ws = hub
        .call_socket(&format!("call_0123{RLO_IN_PATH}456789ab"))
        .await;
    let refused = ws.expect_error("unknown_call").await;
    assert_eq!(
        refused["detail"],
        "call_id must not contain bidi control characters (U+202E)"
    );
    ws.expect_close(4004).await;

    let customer = hub.start_call("customer", "Ann").await;
    let call_id = customer["call_id"].as_str().expect("call id");
    let mut ws = hub.call_socket(call_id).await;
    ws.expect("queue_position").await;
    ws.send_json(json!({"type": "start_call", "call_id": "call_\u{202E}0"}))
        .await;
    let refused = ws.expect_error("invalid_fields").await;
    assert_eq!(
        refused["detail"],
        "start_call: call_id must not contain bidi control characters (U+202E)"
    );
    ws.send_json(json!({"type": "start_call", "call_id": "call_999999999999"}))
        .await;
    let mismatch = ws.expect_error("call_id_mismatch").await;
    assert_eq!(
        mismatch["detail"],
        format!("start_call names call_999999999999 but this socket is {call_id}")
    );
}

#[actix_rt::test]
async fn a_caller_name_with_a_bidi_override_is_refused_and_echoes_are_escaped() {
    let hub = start_hub(test_config());
    let (status, body) = hub
        .post(
            "/api/calls/start",
            json!({"user_type": "customer", "user_name": "Ann\u{202E}nimda"}),
        )
        .await;
    assert_refused(
        status,
        &body,
        "user_name must not contain bidi control characters (U+202E)",
    );
    let (status, body) = hub
        .get(&format!("/api/calls/match/call_{RLO_IN_PATH}x"))
        .await;
    assert_eq!(status, 404, "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("call_\\u{202e}x") && !detail.contains('\u{202E}'),
        "the echo is escaped: {body}"
    );
    let (status, body) = hub.get(&format!("/api/no{RLO_IN_PATH}where")).await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.to_string().contains('\u{202E}'), "{body}");
}
