//! Seed 001's refusals: every transition the state machine does not allow is a 409
//! `invalid_state` naming the current status (in `status` and in `detail`) and changes nothing;
//! unknown sessions are 404 `session_not_found` on every endpoint and are not created; bad
//! bodies, fields, filters and `Last-Event-ID`s are 400 with `{"error", "detail"}`.

mod support;

use serde_json::{Value, json};

use support::sse::{SseStream, streaming_client};
use support::takeover::{agent, assert_conflict, assert_error};
use support::{HubClient, start_hub, test_config};

/// The session's state and audit trail, to prove a refusal changed nothing.
async fn snapshot(hub: &HubClient, name: &str) -> (Value, Vec<Value>) {
    (hub.session(name).await, hub.audit(name).await)
}

/// Every request that the state machine may refuse, by name.
async fn attempt(hub: &HubClient, name: &str, what: &str) -> (u16, Value) {
    match what {
        "escalate" => {
            hub.post(
                "/api/manual/escalate",
                json!({"session_name": name, "reason": "user_request"}),
            )
            .await
        }
        "claim" => hub.try_claim(name, "intruder").await,
        "release" => {
            hub.post(&format!("/api/sessions/{name}/release"), json!({}))
                .await
        }
        "user_message" => {
            hub.post(
                "/api/manual/messages",
                json!({"session_name": name, "role": "user", "content": "hi"}),
            )
            .await
        }
        "agent_message" => hub.try_agent_says(name, "intruder", "hi").await,
        other => panic!("unknown attempt {other}"),
    }
}

#[actix_rt::test]
async fn illegal_transitions_are_409_naming_the_current_status_and_change_nothing() {
    let hub = start_hub(test_config());
    let name = "refusals";
    hub.chat(name, "hello").await;

    // bot_active: only escalate (and /api/chat) are allowed.
    let before = snapshot(&hub, name).await;
    for what in ["claim", "release", "user_message", "agent_message"] {
        let (status, body) = attempt(&hub, name, what).await;
        assert_conflict(status, &body, "bot_active");
        assert_eq!(snapshot(&hub, name).await, before, "{what} changed nothing");
    }

    // pending_manual: escalating or releasing again is refused.
    hub.escalate(name, "user_request").await;
    let before = snapshot(&hub, name).await;
    for what in ["escalate", "release"] {
        let (status, body) = attempt(&hub, name, what).await;
        assert_conflict(status, &body, "pending_manual");
        assert_eq!(snapshot(&hub, name).await, before, "{what} changed nothing");
    }

    // manual_live: escalate, and any other agent, are refused.
    hub.agent_says(name, "holder", "I have it").await;
    let before = snapshot(&hub, name).await;
    for what in ["escalate", "claim", "agent_message"] {
        let (status, body) = attempt(&hub, name, what).await;
        assert_conflict(status, &body, "manual_live");
        assert_eq!(snapshot(&hub, name).await, before, "{what} changed nothing");
    }
    let (status, body) = hub.try_claim(name, "intruder").await;
    assert_eq!(status, 409);
    let detail = body["detail"].as_str().expect("detail");
    assert!(
        detail.contains("holder"),
        "a claim refused because another agent holds the session names the holder: {body}"
    );

    // Back to the bot: release again is refused as bot_active.
    hub.release(name).await;
    let (status, body) = attempt(&hub, name, "release").await;
    assert_conflict(status, &body, "bot_active");
    let (status, body) = attempt(&hub, name, "agent_message").await;
    assert_conflict(status, &body, "bot_active");
}

#[actix_rt::test]
async fn unknown_sessions_are_404_everywhere_and_are_not_created() {
    let hub = start_hub(test_config());
    let name = "nobody";
    let expected_detail = format!("no session is named {name}");
    let mut answers = vec![
        ("get", hub.get(&format!("/api/sessions/{name}")).await),
        (
            "audit",
            hub.get(&format!("/api/sessions/{name}/audit")).await,
        ),
    ];
    for what in [
        "escalate",
        "claim",
        "release",
        "user_message",
        "agent_message",
    ] {
        answers.push((what, attempt(&hub, name, what).await));
    }
    for (what, (status, body)) in answers {
        assert_eq!(status, 404, "{what}: {body}");
        assert_error(&body, "session_not_found");
        assert_eq!(body["detail"], expected_detail.as_str(), "{what}");
        assert!(
            body.get("status").is_none(),
            "only 409s carry status: {body}"
        );
    }

    let events = SseStream::open(
        streaming_client().get(hub.url(&format!("/api/sessions/{name}/events"))),
        None,
    )
    .await;
    assert_eq!(events.status, 404);
    assert_error(&events.error_body().await, "session_not_found");

    let (status, all) = hub.get("/api/sessions").await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 0, "no request above created a session: {all}");
    let (status, _) = hub.get(&format!("/api/sessions/{name}")).await;
    assert_eq!(status, 404, "still unknown");
}

#[actix_rt::test]
async fn bad_chat_bodies_are_400() {
    let hub = start_hub(test_config());
    let long_name = "x".repeat(129);
    let long_message = "m".repeat(10_001);
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "invalid_body"),
        ("[]".into(), "invalid_body"),
        ("{}".into(), "invalid_body"),
        (r#"{"session_name": "s"}"#.into(), "invalid_body"),
        (r#"{"message": 5}"#.into(), "invalid_body"),
        (
            r#"{"message": "hi", "session_name": 7}"#.into(),
            "invalid_body",
        ),
        (r#"{"message": ""}"#.into(), "invalid_field"),
        (r#"{"message": "   "}"#.into(), "invalid_field"),
        (
            r#"{"message": "hi", "session_name": ""}"#.into(),
            "invalid_field",
        ),
        (
            r#"{"message": "hi", "session_name": " padded"}"#.into(),
            "invalid_field",
        ),
        (
            r#"{"message": "hi", "session_name": "line\nbreak"}"#.into(),
            "invalid_field",
        ),
        (
            json!({"message": "hi", "session_name": long_name}).to_string(),
            "invalid_field",
        ),
        (
            json!({"message": long_message, "session_name": "ok"}).to_string(),
            "invalid_field",
        ),
    ];
    for path in ["/api/chat", "/api/chat/stream"] {
        for (body, code) in &cases {
            let (status, reply) = hub.post_raw(path, body).await;
            assert_eq!(status, 400, "{path} {body:.60} → {reply}");
            assert_error(&reply, code);
        }
    }
    let (status, all) = hub.get("/api/sessions").await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 0, "no refused chat created a session");
    let (status, body) = hub.get("/api/chat").await;
    assert_eq!(status, 405, "{body}");
    assert_error(&body, "method_not_allowed");
}

/// Escalation bodies for the session `name` that are 400, each with its error code.
fn bad_escalations(name: &str) -> Vec<(Value, &'static str)> {
    vec![
        (json!({"session_name": name}), "invalid_body"),
        (json!({"reason": "user_request"}), "invalid_body"),
        (json!({"session_name": name, "reason": 3}), "invalid_body"),
        (
            json!({"session_name": name, "reason": "   "}),
            "invalid_field",
        ),
        (
            json!({"session_name": name, "reason": "x".repeat(201)}),
            "invalid_field",
        ),
        (
            json!({"session_name": name, "reason": "ok", "details": "   "}),
            "invalid_field",
        ),
        (
            json!({"session_name": "", "reason": "user_request"}),
            "invalid_field",
        ),
    ]
}

/// Manual message bodies for the session `name` that are 400, each with its error code.
fn bad_manual_messages(name: &str) -> Vec<(Value, &'static str)> {
    vec![
        (
            json!({"session_name": name, "role": "bot", "content": "hi"}),
            "invalid_body",
        ),
        (
            json!({"session_name": name, "content": "hi", "agent_info": agent("a", "A")}),
            "invalid_body",
        ),
        (
            json!({"session_name": name, "role": "agent", "agent_info": agent("a", "A")}),
            "invalid_body",
        ),
        (
            json!({"session_name": name, "role": "agent", "content": "hi"}),
            "invalid_field",
        ),
        (
            json!({"session_name": name, "role": "agent", "content": "hi",
                   "agent_info": {"agent_id": "a1"}}),
            "invalid_body",
        ),
        (
            json!({"session_name": name, "role": "agent", "content": "hi",
                   "agent_info": agent("  ", "Alice")}),
            "invalid_field",
        ),
        (
            json!({"session_name": name, "role": "agent", "content": "hi",
                   "agent_info": agent("a1", "")}),
            "invalid_field",
        ),
        (
            json!({"session_name": name, "role": "agent", "content": "  ",
                   "agent_info": agent("a1", "Alice")}),
            "invalid_field",
        ),
        (
            json!({"session_name": name, "role": "user", "content": ""}),
            "invalid_field",
        ),
    ]
}

#[actix_rt::test]
async fn bad_handover_bodies_are_400_and_change_nothing() {
    let hub = start_hub(test_config());
    let name = "bodies";
    hub.chat(name, "hello").await;
    let before = hub.session(name).await;

    for (body, code) in bad_escalations(name) {
        let (status, reply) = hub.post("/api/manual/escalate", body.clone()).await;
        assert_eq!(status, 400, "{body} → {reply}");
        assert_error(&reply, code);
    }
    assert_eq!(
        hub.session(name).await,
        before,
        "still bot_active, untouched"
    );

    hub.escalate(name, "user_request").await;
    let before = hub.session(name).await;
    for (body, code) in bad_manual_messages(name) {
        let (status, reply) = hub.post("/api/manual/messages", body.clone()).await;
        assert_eq!(status, 400, "{body} → {reply}");
        assert_error(&reply, code);
    }
    let (status, reply) = hub
        .post(
            "/api/manual/messages",
            json!({"session_name": name, "role": "agent", "content": "hi"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        reply["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains("agent_info")),
        "an agent message without agent_info says what is missing: {reply}"
    );

    let claims = [
        ("{not json", "invalid_body"),
        ("{}", "invalid_field"),
        (r#"{"agent_id": "a1"}"#, "invalid_field"),
        (r#"{"agent_name": "Alice"}"#, "invalid_field"),
        (r#"{"agent_id": "a1", "agent_name": " "}"#, "invalid_field"),
        (
            r#"{"agent_info": {"agent_id": "", "agent_name": "A"}}"#,
            "invalid_field",
        ),
        (r#"{"agent_info": {"agent_id": "a1"}}"#, "invalid_body"),
    ];
    for (body, code) in claims {
        let (status, reply) = hub
            .post_raw(&format!("/api/sessions/{name}/claim"), body)
            .await;
        assert_eq!(status, 400, "{body} → {reply}");
        assert_error(&reply, code);
    }
    assert_eq!(
        hub.session(name).await,
        before,
        "still pending_manual and unclaimed after every 400"
    );
    assert_eq!(hub.listed("pending_manual").await, [name]);
}

#[actix_rt::test]
async fn bad_list_filters_and_names_are_400() {
    let hub = start_hub(test_config());
    hub.chat("listed", "hello").await;
    for query in [
        "status=closed",
        "status=BOT_ACTIVE",
        "limit=0",
        "limit=1001",
        "limit=abc",
        "limit=-1",
    ] {
        let (status, body) = hub.get(&format!("/api/sessions?{query}")).await;
        assert_eq!(status, 400, "{query} → {body}");
        assert_error(&body, "invalid_field");
    }
    let (status, body) = hub.get("/api/sessions?limit=1000").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 1);

    for path in [
        "/api/sessions/%20padded",
        "/api/sessions/%20padded/audit",
        "/api/sessions/%20padded/events",
    ] {
        let (status, body) = hub.get(path).await;
        assert_eq!(status, 400, "{path} → {body}");
        assert_error(&body, "invalid_field");
    }
    let long = "y".repeat(129);
    let (status, body) = hub.try_claim(&long, "a1").await;
    assert_eq!(status, 400, "{body}");
    assert_error(&body, "invalid_field");
}

#[actix_rt::test]
async fn bad_last_event_ids_are_400() {
    let hub = start_hub(test_config());
    let name = "resume";
    hub.chat(name, "hello").await;
    let url = hub.url(&format!("/api/sessions/{name}/events"));
    for bad in ["abc", "-1", "1.5", ""] {
        let request = streaming_client()
            .get(&url)
            .insert_header(("Last-Event-ID", bad));
        let stream = SseStream::open(request, None).await;
        assert_eq!(stream.status, 400, "Last-Event-ID {bad:?}");
        assert_error(&stream.error_body().await, "invalid_field");
    }
    for bad in ["abc", "-1", "%20x"] {
        let request = streaming_client().get(format!("{url}?last_event_id={bad}"));
        let stream = SseStream::open(request, None).await;
        assert_eq!(stream.status, 400, "?last_event_id={bad}");
        assert_error(&stream.error_body().await, "invalid_field");
    }
}
