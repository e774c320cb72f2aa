//! The REST surface's edges: health, bad bodies (400 with `{"error", "detail"}`), unknown calls
//! and unknown routes (404 JSON).

mod support;

use serde_json::json;

use support::{start_hub, test_config};

#[actix_rt::test]
async fn health_reports_ok_and_counters() {
    let hub = start_hub(test_config());
    let (status, body) = hub.get("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert!(body["version"].as_str().is_some());
    assert_eq!(body["connections_open"], 0);
    assert_eq!(body["active_calls"], 0);
    assert!(body["uptime_seconds"].as_i64().is_some());
}

#[actix_rt::test]
async fn bad_start_bodies_are_400_with_a_code_and_detail() {
    let hub = start_hub(test_config());
    let cases = [
        ("{not json", "invalid_body"),
        ("[]", "invalid_body"),
        (r#"{"user_name": "Ann"}"#, "invalid_body"),
        (r#"{"user_type": "customer"}"#, "invalid_body"),
        (
            r#"{"user_type": "robot", "user_name": "R2"}"#,
            "invalid_body",
        ),
        (
            r#"{"user_type": "customer", "user_name": 5}"#,
            "invalid_body",
        ),
        (
            r#"{"user_type": "customer", "user_name": "   "}"#,
            "invalid_field",
        ),
    ];
    for (body, code) in cases {
        let (status, reply) = hub.post_raw("/api/calls/start", body).await;
        assert_eq!(status, 400, "{body} → {reply}");
        assert_eq!(reply["error"], code, "{body} → {reply}");
        assert!(reply["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    let long_name = "n".repeat(101);
    let (status, reply) = hub
        .post(
            "/api/calls/start",
            json!({"user_type": "agent", "user_name": long_name}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(reply["error"], "invalid_field");

    let (_, listing) = hub.get("/api/calls").await;
    assert_eq!(listing["waiting_customers"], json!([]));
    assert_eq!(listing["available_agents"], json!([]));
}

#[actix_rt::test]
async fn unknown_calls_and_routes_are_404_json() {
    let hub = start_hub(test_config());
    for path in [
        "/api/calls/match/call_0123456789ab",
        "/api/calls/match/nonsense",
    ] {
        let (status, body) = hub.get(path).await;
        assert_eq!(status, 404);
        assert_eq!(body["error"], "unknown_call");
    }
    let (status, body) = hub.get("/api/nowhere").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
    assert_eq!(body["detail"], "no endpoint at /api/nowhere");
}

#[actix_rt::test]
async fn a_wrong_method_is_405_naming_the_right_one() {
    let hub = start_hub(test_config());
    let (status, body) = hub.get("/api/calls/start").await;
    assert_eq!(status, 405);
    assert_eq!(body["error"], "method_not_allowed");
    assert_eq!(body["detail"], "GET is not allowed here; use POST");
    let response = hub
        .http
        .delete(hub.url("/api/calls"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET")
    );
}
