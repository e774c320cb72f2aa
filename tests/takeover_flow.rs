//! Seed 001's bot-to-human takeover over REST, end to end: a chat answered by the bot, an
//! escalation, the pending list, an agent's first message claiming the session, user messages
//! (through `/api/manual/messages` and `/api/chat`) going to the agent, the release back to the
//! bot, and the history, session list and audit trail that record it all.

mod common;
mod takeover_support;

use common::{start_hub, test_config};
use serde_json::{Value, json};
use takeover_support::{BOT_GREETING, BOT_THANKS, RELEASE_NOTICE, agent, keys};

/// `(seq, role, content)` of every history entry.
fn history(session: &Value) -> Vec<(u64, String, String)> {
    session["history"]
        .as_array()
        .expect("history list")
        .iter()
        .map(|entry| {
            (
                entry["seq"].as_u64().expect("seq"),
                entry["role"].as_str().expect("role").to_owned(),
                entry["content"].as_str().expect("content").to_owned(),
            )
        })
        .collect()
}

/// Checks the top-level shape every session answer has.
fn assert_session_shape(session: &Value, name: &str) {
    assert_eq!(
        keys(session),
        [
            "assigned_agent",
            "created_at",
            "escalation",
            "history",
            "last_seq",
            "session_name",
            "status",
            "success",
            "updated_at"
        ],
        "{session}"
    );
    assert_eq!(session["success"], true);
    assert_eq!(session["session_name"], name);
    let created = session["created_at"]
        .as_i64()
        .expect("created_at is unix seconds");
    let updated = session["updated_at"]
        .as_i64()
        .expect("updated_at is unix seconds");
    assert!(created <= updated, "{session}");
    let seqs: Vec<u64> = history(session).iter().map(|(seq, _, _)| *seq).collect();
    assert!(
        seqs.windows(2).all(|pair| pair[0] < pair[1]),
        "history is in seq order: {seqs:?}"
    );
    assert!(
        seqs.last().copied().unwrap_or(0) <= session["last_seq"].as_u64().expect("last_seq"),
        "{session}"
    );
}

#[actix_rt::test]
async fn the_whole_takeover_goes_through_every_endpoint() {
    let hub = start_hub(test_config());
    let name = "flow-1";

    // 1. The bot answers.
    let turn = hub.chat(name, "hello").await;
    assert_eq!(
        turn,
        json!({
            "success": true,
            "session_name": name,
            "status": "bot_active",
            "message": BOT_GREETING,
            "escalated": false,
            "rule": null,
            "seq": 2,
        })
    );

    // 2. The user asks for a human.
    let (status, escalated) = hub
        .post(
            "/api/manual/escalate",
            json!({"session_name": name, "reason": "user_request", "details": "wants a person"}),
        )
        .await;
    assert_eq!(status, 200, "{escalated}");
    assert_session_shape(&escalated, name);
    assert_eq!(escalated["status"], "pending_manual");
    assert_eq!(escalated["assigned_agent"], Value::Null);
    assert_eq!(escalated["last_seq"], 3, "the status change is seq 3");
    let escalation = &escalated["escalation"];
    assert_eq!(
        keys(escalation),
        ["details", "reason", "rule", "trigger_at"]
    );
    assert_eq!(escalation["reason"], "user_request");
    assert_eq!(escalation["details"], "wants a person");
    assert_eq!(escalation["rule"], Value::Null);
    assert!(escalation["trigger_at"].as_i64().is_some(), "{escalation}");
    assert_eq!(
        history(&escalated),
        [
            (1, "user".into(), "hello".into()),
            (2, "assistant".into(), BOT_GREETING.into()),
        ]
    );

    // 3. The desk pulls the pending list.
    let (status, pending) = hub
        .get("/api/sessions?status=pending_manual&limit=10")
        .await;
    assert_eq!(status, 200, "{pending}");
    assert_eq!(pending["success"], true);
    assert_eq!(pending["total"], 1);
    let row = &pending["sessions"][0];
    assert_eq!(row["session_name"], name);
    assert_eq!(row["status"], "pending_manual");
    assert_eq!(row["last_seq"], 3);
    assert_eq!(row["assigned_agent"], Value::Null);
    assert_eq!(row["escalation"]["reason"], "user_request");
    assert_eq!(row["created_at"], escalated["created_at"]);
    assert_eq!(hub.listed("manual_live").await, Vec::<String>::new());

    // 4. The agent's first message claims the session.
    let (status, claimed) = hub
        .post(
            "/api/manual/messages",
            json!({
                "session_name": name,
                "role": "agent",
                "content": "Hi, I am Alice. How can I help?",
                "agent_info": agent("a1", "Alice"),
            }),
        )
        .await;
    assert_eq!(status, 200, "{claimed}");
    assert_session_shape(&claimed, name);
    assert_eq!(claimed["status"], "manual_live");
    assert_eq!(claimed["last_seq"], 5, "status change 4, agent message 5");
    let assigned = &claimed["assigned_agent"];
    assert_eq!(keys(assigned), ["agent_id", "agent_name", "assigned_at"]);
    assert_eq!(assigned["agent_id"], "a1");
    assert_eq!(assigned["agent_name"], "Alice");
    assert!(assigned["assigned_at"].as_i64().is_some());
    assert_eq!(
        claimed["escalation"], escalated["escalation"],
        "the escalation stays while the agent holds the session"
    );
    let agent_entry = claimed["history"]
        .as_array()
        .expect("history")
        .last()
        .cloned();
    let agent_entry = agent_entry.expect("an agent message");
    assert_eq!(
        keys(&agent_entry),
        [
            "agent_id",
            "agent_name",
            "content",
            "role",
            "seq",
            "timestamp"
        ]
    );
    assert_eq!(agent_entry["seq"], 5);
    assert_eq!(agent_entry["role"], "agent");
    assert_eq!(agent_entry["agent_id"], "a1");
    assert_eq!(agent_entry["agent_name"], "Alice");
    assert_eq!(hub.listed("pending_manual").await, Vec::<String>::new());
    assert_eq!(hub.listed("manual_live").await, [name]);

    // 5. The user answers through the manual endpoint.
    let answered = hub.user_says(name, "My parcel never arrived").await;
    assert_eq!(answered["status"], "manual_live");
    let user_entry = answered["history"]
        .as_array()
        .expect("history")
        .last()
        .cloned();
    let user_entry = user_entry.expect("a user message");
    assert_eq!(keys(&user_entry), ["content", "role", "seq", "timestamp"]);
    assert_eq!(user_entry["seq"], 6);
    assert_eq!(user_entry["role"], "user");

    // 6. A chat turn while the agent holds the session goes to the agent, not the bot; even a
    // keyword does not escalate again.
    let turn = hub.chat(name, "I want a human, my order is late").await;
    assert_eq!(
        turn,
        json!({
            "success": true,
            "session_name": name,
            "status": "manual_live",
            "message": null,
            "escalated": false,
            "rule": null,
            "seq": 7,
        })
    );

    // 7. The agent hands back to the bot.
    let released = hub.release(name).await;
    assert_session_shape(&released, name);
    assert_eq!(released["assigned_agent"], Value::Null);
    assert_eq!(released["escalation"], Value::Null);
    assert_eq!(released["last_seq"], 9, "system notice 8, status change 9");
    let notice = released["history"]
        .as_array()
        .expect("history")
        .last()
        .cloned();
    let notice = notice.expect("the release notice");
    assert_eq!(notice["seq"], 8);
    assert_eq!(notice["role"], "system");
    assert_eq!(notice["content"], RELEASE_NOTICE);

    // 8. The bot answers again.
    let turn = hub.chat(name, "thanks").await;
    assert_eq!(turn["status"], "bot_active");
    assert_eq!(turn["message"], BOT_THANKS);
    assert_eq!(turn["escalated"], false);
    assert_eq!(turn["seq"], 11);

    // The whole history, in order.
    let session = hub.session(name).await;
    assert_session_shape(&session, name);
    assert_eq!(session["status"], "bot_active");
    assert_eq!(session["last_seq"], 11);
    assert_eq!(
        history(&session),
        [
            (1, "user".into(), "hello".into()),
            (2, "assistant".into(), BOT_GREETING.into()),
            (5, "agent".into(), "Hi, I am Alice. How can I help?".into()),
            (6, "user".into(), "My parcel never arrived".into()),
            (7, "user".into(), "I want a human, my order is late".into()),
            (8, "system".into(), RELEASE_NOTICE.into()),
            (10, "user".into(), "thanks".into()),
            (11, "assistant".into(), BOT_THANKS.into()),
        ]
    );
    let agent_fields: Vec<bool> = session["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|entry| entry.get("agent_id").is_some())
        .collect();
    assert_eq!(
        agent_fields,
        [false, false, true, false, false, false, false, false],
        "only agent messages carry agent fields"
    );
    assert_eq!(hub.listed("bot_active").await, [name]);
    assert_eq!(hub.listed("pending_manual").await, Vec::<String>::new());

    // The audit trail. (Whether the chat line of step 6, seq 7, is audited is checked by
    // `a_chat_line_to_the_agent_is_audited_like_a_manual_message`.)
    let audit: Vec<Value> = hub
        .audit(name)
        .await
        .into_iter()
        .filter(|record| record["seq"] != 7)
        .collect();
    let summary: Vec<(String, Value, String, Value, Value)> = audit
        .iter()
        .map(|record| {
            assert_eq!(record["session_name"], name, "{record}");
            assert!(record["timestamp"].as_i64().is_some(), "{record}");
            (
                record["event"].as_str().expect("event").to_owned(),
                record["reason"].clone(),
                record["status"].as_str().expect("status").to_owned(),
                record.get("agent_id").cloned().unwrap_or(Value::Null),
                record["seq"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "manual_escalate".into(),
                json!("user_request"),
                "pending_manual".into(),
                Value::Null,
                json!(3)
            ),
            (
                "manual_claim".into(),
                json!("agent_joined"),
                "manual_live".into(),
                json!("a1"),
                json!(4)
            ),
            (
                "manual_message".into(),
                Value::Null,
                "manual_live".into(),
                json!("a1"),
                json!(5)
            ),
            (
                "manual_message".into(),
                Value::Null,
                "manual_live".into(),
                Value::Null,
                json!(6)
            ),
            (
                "manual_release".into(),
                json!("released"),
                "bot_active".into(),
                json!("a1"),
                json!(9)
            ),
        ],
        "{audit:?}"
    );
    assert_eq!(audit[1]["agent_name"], "Alice");
    assert_eq!(audit[4]["agent_name"], "Alice");
}

/// The README promises one audit record for every manual message, and a user's line sent
/// through `/api/chat` while a human is asked for or holds the session is one: it is stored
/// and pushed as `manual_message`, exactly like the same line sent through
/// `/api/manual/messages`, which is audited.
#[actix_rt::test]
async fn a_chat_line_to_the_agent_is_audited_like_a_manual_message() {
    let hub = start_hub(test_config());
    let name = "audited";
    hub.chat(name, "hello").await;
    hub.escalate(name, "user_request").await; // 3
    hub.chat(name, "while pending").await; // 4
    hub.agent_says(name, "a1", "hi").await; // 5, 6
    hub.user_says(name, "via manual").await; // 7
    hub.chat(name, "via chat").await; // 8

    let mut follow = hub.follow(name, Some(3)).await;
    let pushed = follow.expect_event("manual_message").await;
    assert_eq!(
        pushed["content"], "while pending",
        "pushed as a manual message"
    );

    let audited: Vec<(Value, Value)> = hub
        .audit(name)
        .await
        .iter()
        .filter(|record| record["event"] == "manual_message")
        .map(|record| (record["seq"].clone(), record["status"].clone()))
        .collect();
    assert_eq!(
        audited,
        [
            (json!(4), json!("pending_manual")),
            (json!(6), json!("manual_live")),
            (json!(7), json!("manual_live")),
            (json!(8), json!("manual_live")),
        ],
        "every manual message is audited, whichever endpoint carried it"
    );
}

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
    assert_eq!(turn["message"], BOT_GREETING, "content is the message");
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
