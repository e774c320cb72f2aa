//! Seed 001's session endpoints one at a time: a direct claim and its repetition, a release
//! without a body, user messages while a session waits for an agent, `/api/chat`'s `content`
//! alias and generated names, and the session list's filter, limit and order.

mod support;

use serde_json::{Value, json};
use switchboard_actors::bot::builtin::GREETING;

use support::takeover::agent;
use support::{start_hub, test_config};

#[actix_rt::test]
async fn claim_takes_a_pending_session_and_repeating_it_changes_nothing() {
    let hub = start_hub(test_config());
    let name = "claim-1";
    hub.chat(name, "hello").await;
    hub.escalate(name, "user_request").await;

    let (status, claimed) = hub
        .post(
            &format!("/api/sessions/{name}/claim"),
            json!({"agent_id": "a1", "agent_name": "Alice"}),
        )
        .await;
    assert_eq!(status, 200, "{claimed}");
    assert_eq!(claimed["status"], "manual_live");
    assert_eq!(claimed["assigned_agent"]["agent_id"], "a1");
    assert_eq!(claimed["assigned_agent"]["agent_name"], "Alice");
    assert_eq!(claimed["last_seq"], 4, "the claim is one status change");
    assert_eq!(
        claimed["history"].as_array().map(Vec::len),
        Some(2),
        "a claim writes no message"
    );

    // The same agent again, in the agent_info form: 200, nothing changes.
    let (status, again) = hub
        .post(
            &format!("/api/sessions/{name}/claim"),
            json!({"agent_info": agent("a1", "Alice")}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        again, claimed,
        "a repeated claim by the holder changes nothing"
    );

    // The holder writes; the agent fields come from this message's agent_info.
    let written = hub.agent_says(name, "a1", "Hello, Alice here").await;
    let last = written["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned();
    let last = last.expect("the agent message");
    assert_eq!(last["role"], "agent");
    assert_eq!(last["agent_id"], "a1");
    assert_eq!(written["last_seq"], 5);
    assert_eq!(written["assigned_agent"], claimed["assigned_agent"]);

    let events = hub.audit_events(name).await;
    assert_eq!(
        events,
        ["manual_escalate", "manual_claim", "manual_message"],
        "one claim record for two claim requests"
    );
}

#[actix_rt::test]
async fn release_needs_no_body() {
    let hub = start_hub(test_config());
    let name = "bodiless";
    hub.chat(name, "hello").await;
    hub.escalate(name, "user_request").await;
    hub.agent_says(name, "a1", "hi").await;
    let mut response = hub
        .http
        .post(hub.url(&format!("/api/sessions/{name}/release")))
        .send()
        .await
        .expect("POST without a body");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(response.status().as_u16(), 200, "{body}");
    assert_eq!(body["status"], "bot_active");
    assert_eq!(body["assigned_agent"], Value::Null);
}

#[actix_rt::test]
async fn user_messages_while_pending_wait_for_the_agent() {
    let hub = start_hub(test_config());
    let name = "pending-1";
    hub.chat(name, "hello").await;
    hub.escalate(name, "user_request").await;

    let turn = hub.chat(name, "are you there?").await;
    assert_eq!(turn["status"], "pending_manual");
    assert_eq!(turn["message"], Value::Null, "the bot does not answer");
    assert_eq!(turn["escalated"], false);
    assert_eq!(turn["seq"], 4);

    let kept = hub.user_says(name, "hello??").await;
    assert_eq!(
        kept["status"], "pending_manual",
        "a user message claims nothing"
    );
    assert_eq!(kept["assigned_agent"], Value::Null);
    assert_eq!(hub.listed("pending_manual").await, [name]);

    let claimed = hub.agent_says(name, "a7", "Sorry for the wait").await;
    assert_eq!(claimed["status"], "manual_live");
    assert_eq!(claimed["assigned_agent"]["agent_id"], "a7");
    let roles: Vec<(u64, &str)> = claimed["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|entry| {
            (
                entry["seq"].as_u64().expect("seq"),
                entry["role"].as_str().expect("role"),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (1, "user"),
            (2, "assistant"),
            (4, "user"),
            (5, "user"),
            (7, "agent")
        ],
        "status changes 3 (escalate) and 6 (claim) are not messages"
    );
}

#[actix_rt::test]
async fn chat_accepts_content_and_names_new_sessions() {
    let hub = start_hub(test_config());
    let (status, turn) = hub.post("/api/chat", json!({"content": "hello"})).await;
    assert_eq!(status, 200, "{turn}");
    assert_eq!(turn["message"], GREETING, "content is the message");
    let name = turn["session_name"].as_str().expect("a generated name");
    let hex = name.strip_prefix("session_").expect("session_ prefix");
    assert_eq!(hex.len(), 12, "{name}");
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{name}");

    let session = hub.session(name).await;
    assert_eq!(session["status"], "bot_active");
    assert_eq!(session["last_seq"], 2);

    let (_, other) = hub.post("/api/chat", json!({"message": "hello"})).await;
    assert_ne!(
        other["session_name"], turn["session_name"],
        "a fresh name each time"
    );

    // JSON details are kept as their text.
    let escalated = hub
        .post(
            "/api/manual/escalate",
            json!({"session_name": name, "reason": "vip", "details": {"order": 42}}),
        )
        .await;
    assert_eq!(escalated.0, 200, "{}", escalated.1);
    assert_eq!(escalated.1["escalation"]["reason"], "vip");
    assert_eq!(escalated.1["escalation"]["details"], r#"{"order":42}"#);

    // A Unicode session name with a space works through the path too.
    let unicode = "会话 1";
    hub.chat(unicode, "你好").await;
    let (status, body) = hub.get("/api/sessions/%E4%BC%9A%E8%AF%9D%201").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["session_name"], unicode);
    assert_eq!(body["history"][1]["role"], "assistant");
    let slashed = "team/ops 100%";
    hub.chat(slashed, "hello").await;
    let (status, body) = hub.get("/api/sessions/team%2Fops%20100%25").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["session_name"], slashed,
        "reserved characters survive the path"
    );
}

#[actix_rt::test]
async fn the_pending_list_filters_by_status_and_honours_limit() {
    let hub = start_hub(test_config());
    for name in ["wait-b", "wait-a", "wait-c"] {
        hub.chat(name, "hello").await;
        hub.escalate(name, "user_request").await;
    }
    hub.chat("busy", "hello").await;
    let pending = hub.listed("pending_manual").await;
    let mut sorted = pending.clone();
    sorted.sort();
    assert_eq!(sorted, ["wait-a", "wait-b", "wait-c"]);

    let (status, limited) = hub.get("/api/sessions?status=pending_manual&limit=2").await;
    assert_eq!(status, 200);
    assert_eq!(
        limited["total"], 3,
        "total counts every match, beyond the limit"
    );
    let limited: Vec<&str> = limited["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|row| row["session_name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        limited,
        pending[..2],
        "limit keeps the head of the same order"
    );

    let (status, all) = hub.get("/api/sessions").await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 4, "no filter lists every status: {all}");
    let (status, empty_filter) = hub.get("/api/sessions?status=").await;
    assert_eq!(status, 200);
    assert_eq!(empty_filter["total"], 4, "an empty filter is no filter");
    assert_eq!(hub.listed("bot_active").await, ["busy"]);
}

/// The README promises the pending list "least recently changed first: the list an agent
/// desk pulls". Escalated in the order c, b, a (within the same second), the sessions must be
/// listed c, b, a.
#[actix_rt::test]
async fn the_pending_list_puts_the_longest_waiting_session_first() {
    let hub = start_hub(test_config());
    for name in ["order-c", "order-b", "order-a"] {
        hub.chat(name, "hello").await;
        hub.escalate(name, "user_request").await;
    }
    assert_eq!(
        hub.listed("pending_manual").await,
        ["order-c", "order-b", "order-a"],
        "escalated first, listed first"
    );
}
