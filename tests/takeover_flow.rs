//! Seed 001's bot-to-human takeover over REST, end to end: a chat answered by the bot, an
//! escalation, the pending list, an agent's first message claiming the session, user messages
//! (through `/api/manual/messages` and `/api/chat`) going to the agent, the release back to the
//! bot, and the history, session list and audit trail that record it all.

mod support;

use serde_json::{Value, json};
use switchboard_actors::bot::builtin::{GREETING, THANKS};
use switchboard_actors::takeover::takeover_config::DEFAULT_RELEASE_NOTICE;

use support::takeover::{agent, keys};
use support::{HubClient, start_hub, test_config};

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
            "next_before_seq",
            "session_name",
            "status",
            "success",
            "total",
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
    the_bot_answers(&hub, name).await;
    let escalated = the_user_asks_for_a_human(&hub, name).await;
    the_desk_pulls_the_pending_list(&hub, name, &escalated).await;
    the_agents_first_message_claims_the_session(&hub, name, &escalated).await;
    the_user_talks_to_the_agent(&hub, name).await;
    the_agent_hands_back_to_the_bot(&hub, name).await;
    the_history_records_it_all(&hub, name).await;
    the_audit_trail_records_it_all(&hub, name).await;
}

/// The bot answers the first turn.
async fn the_bot_answers(hub: &HubClient, name: &str) {
    // 1. The bot answers.
    let turn = hub.chat(name, "hello").await;
    assert_eq!(
        turn,
        json!({
            "success": true,
            "session_name": name,
            "status": "bot_active",
            "message": GREETING,
            "escalated": false,
            "rule": null,
            "seq": 2,
        })
    );
}

/// The user asks for a human; returns the escalated session.
async fn the_user_asks_for_a_human(hub: &HubClient, name: &str) -> Value {
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
            (2, "assistant".into(), GREETING.into()),
        ]
    );
    escalated
}

/// The desk pulls the pending list, which holds the session escalated as `escalated`.
async fn the_desk_pulls_the_pending_list(hub: &HubClient, name: &str, escalated: &Value) {
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
}

/// The agent's first message claims the session escalated as `escalated`.
async fn the_agents_first_message_claims_the_session(
    hub: &HubClient,
    name: &str,
    escalated: &Value,
) {
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
}

/// The user answers through the manual endpoint, then through `/api/chat`.
async fn the_user_talks_to_the_agent(hub: &HubClient, name: &str) {
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
}

/// The agent hands back to the bot, which answers again.
async fn the_agent_hands_back_to_the_bot(hub: &HubClient, name: &str) {
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
    assert_eq!(notice["content"], DEFAULT_RELEASE_NOTICE);

    // 8. The bot answers again.
    let turn = hub.chat(name, "thanks").await;
    assert_eq!(turn["status"], "bot_active");
    assert_eq!(turn["message"], THANKS);
    assert_eq!(turn["escalated"], false);
    assert_eq!(turn["seq"], 11);
}

/// The whole history, in order, and the session lists.
async fn the_history_records_it_all(hub: &HubClient, name: &str) {
    // The whole history, in order.
    let session = hub.session(name).await;
    assert_session_shape(&session, name);
    assert_eq!(session["status"], "bot_active");
    assert_eq!(session["last_seq"], 11);
    assert_eq!(
        history(&session),
        [
            (1, "user".into(), "hello".into()),
            (2, "assistant".into(), GREETING.into()),
            (5, "agent".into(), "Hi, I am Alice. How can I help?".into()),
            (6, "user".into(), "My parcel never arrived".into()),
            (7, "user".into(), "I want a human, my order is late".into()),
            (8, "system".into(), DEFAULT_RELEASE_NOTICE.into()),
            (10, "user".into(), "thanks".into()),
            (11, "assistant".into(), THANKS.into()),
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
}

/// The audit trail of the whole takeover.
async fn the_audit_trail_records_it_all(hub: &HubClient, name: &str) {
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
