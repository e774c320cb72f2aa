//! Seed 002's management API over a real hub: `GET /api/v1/websocket/stats`, `/sessions` and
//! `/sessions/{session_id}` in `{"success": true, "data": ...}`, messages pushed to one
//! session's sockets and broadcast to all, and the `{"error", "detail"}` refusals.

mod support;

use serde_json::json;

use support::auth::{config_in, token};
use support::interview::{answer, open_interview};
use support::{eventually, start_hub, test_config};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

#[actix_rt::test]
async fn stats_and_sessions_show_the_open_interviews() {
    let hub = start_hub(test_config());
    let (mut ws, _) = open_interview(&hub, "/api/v1/ws/managed-1").await;
    answer(&mut ws, "managed-1", "Hello, I'm ready for the interview.").await;
    let (_other, _) = open_interview(&hub, "/api/v1/ws/managed-2").await;

    let (status, stats) = hub.get("/api/v1/websocket/stats").await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["success"], true, "{stats}");
    let figures = &stats["data"]["websocket_stats"];
    assert_eq!(figures["total_connections"], 2, "{stats}");
    assert_eq!(figures["active_connections"], 2, "{stats}");
    assert_eq!(figures["messages_received"], 1, "{stats}");
    assert!(figures["messages_sent"].as_u64() >= Some(3), "{stats}");
    assert_eq!(figures["errors_count"], 0, "{stats}");
    assert!(figures["uptime_seconds"].as_f64().is_some(), "{stats}");
    assert_eq!(
        stats["data"]["active_sessions"],
        json!(["managed-1", "managed-2"])
    );

    let (status, list) = hub.get("/api/v1/websocket/sessions").await;
    assert_eq!((status, &list["success"]), (200, &json!(true)), "{list}");
    assert_eq!(list["data"]["total"], 2, "{list}");
    let first = &list["data"]["sessions"][0];
    assert_eq!(first["session_id"], "managed-1", "{list}");
    assert_eq!(first["kind"], "interview", "{list}");
    assert_eq!(first["active"], true, "{list}");
    assert_eq!(first["exchange_count"], 1, "{list}");
    assert_eq!(first["interview_style"], "formal", "{list}");

    let (status, one) = hub.get("/api/v1/websocket/sessions/managed-1").await;
    assert_eq!(status, 200, "{one}");
    let history = &one["data"]["history"];
    assert_eq!(
        history[0]["user_input"],
        "Hello, I'm ready for the interview."
    );
    assert_eq!(history[0]["strategy_used"], "opening", "{one}");
    assert!(history[0]["timestamp"].is_string(), "{one}");

    let (status, body) = hub.get("/api/v1/websocket/sessions/nobody").await;
    assert_eq!((status, &body["error"]), (404, &json!("session_not_found")));
    drop(ws);
    hub.stop().await;
}

#[actix_rt::test]
async fn messages_are_pushed_to_one_session_or_broadcast_to_all() {
    let hub = start_hub(config_in(AuthMode::Open));
    let admin = token("admin-1", UserRole::Admin);
    let (mut one, _) = open_interview(&hub, "/api/v1/ws/push-1").await;
    let (mut two, _) = open_interview(&hub, "/api/v1/ws/push-2").await;

    let push = json!({"type": "notification", "message": "The interviewer joins in a minute"});
    let (status, body) = hub
        .call_as(
            "POST",
            "/api/v1/websocket/sessions/push-1/message",
            Some(&admin),
            Some(&push),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["delivered"], 1, "{body}");
    let pushed = one.expect("notification").await;
    assert_eq!(pushed["session_id"], "push-1", "{pushed}");
    assert_eq!(
        pushed["data"]["message"],
        "The interviewer joins in a minute"
    );

    let notice = json!({"data": {"notice": "maintenance at noon"}});
    let (status, body) = hub
        .call_as(
            "POST",
            "/api/v1/websocket/broadcast",
            Some(&admin),
            Some(&notice),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["delivered"], 2, "{body}");
    for ws in [&mut one, &mut two] {
        let pushed = ws.expect("message").await;
        assert_eq!(pushed["data"]["notice"], "maintenance at noon", "{pushed}");
    }

    let refusals = [
        (
            "/api/v1/websocket/broadcast",
            json!({}),
            400,
            "invalid_field",
        ),
        (
            "/api/v1/websocket/broadcast",
            json!({"data": [1]}),
            400,
            "invalid_field",
        ),
        (
            "/api/v1/websocket/broadcast",
            json!({"message": " "}),
            400,
            "invalid_field",
        ),
        (
            "/api/v1/websocket/broadcast",
            json!({"type": "", "message": "x"}),
            400,
            "invalid_field",
        ),
        (
            "/api/v1/websocket/sessions/nobody/message",
            json!({"message": "x"}),
            404,
            "session_not_found",
        ),
    ];
    for (path, body, status, code) in refusals {
        let (got, answer) = hub.call_as("POST", path, Some(&admin), Some(&body)).await;
        assert_eq!(
            (got, &answer["error"]),
            (status, &json!(code)),
            "{body}: {answer}"
        );
        assert!(answer["detail"].is_string(), "{answer}");
    }
    let response = hub
        .http
        .post(hub.url("/api/v1/websocket/broadcast"))
        .bearer_auth(&admin)
        .insert_header(("content-type", "application/json"))
        .send_body("{nope")
        .await;
    assert_eq!(response.expect("POST").status().as_u16(), 400);

    two.close().await;
    eventually("the closed socket leaves its session", async || {
        let (_, stats) = hub.get("/api/v1/websocket/stats").await;
        (stats["data"]["active_sessions"] == json!(["push-1"])).then_some(())
    })
    .await;
    hub.stop().await;
}
