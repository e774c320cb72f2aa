//! The agent desk socket (`/ws/desk`): escalated sessions queue on the handover board and are
//! offered to desks with room, a desk follows the sessions it holds, writes to and releases
//! them, claims directly, and bad frames get error frames without closing the socket. A desk
//! that goes away hands its sessions back to the bot unless its agent comes back; the timing
//! of that grace is checked on paused time in `actors/src/tests/desk_grace.rs`.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_actors::takeover::takeover_config::DEFAULT_AGENT_LOST_NOTICE;

use support::binary::TempDatabase;
use support::ws::WsClient;
use support::{TestHub, eventually, start_hub, test_config, test_config_with};

/// A session with one bot exchange, then escalated by the user.
async fn escalated_session(hub: &TestHub, name: &str) {
    let (status, _) = hub
        .post(
            "/api/chat",
            json!({"session_name": name, "message": "hello"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = hub
        .post(
            "/api/manual/escalate",
            json!({"session_name": name, "reason": "user_request"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// A desk for `agent_id` with room for `capacity` sessions.
async fn ready_desk(hub: &TestHub, agent_id: &str, capacity: usize) -> WsClient {
    let mut desk = hub.socket("/ws/desk").await;
    desk.send_json(json!({
        "type": "available",
        "agent_id": agent_id,
        "agent_name": format!("Agent {agent_id}"),
        "capacity": capacity,
    }))
    .await;
    let status = desk.expect("desk_status").await;
    assert_eq!(status["available"], true);
    assert_eq!(status["capacity"], capacity);
    desk
}

#[actix_rt::test]
async fn a_waiting_session_is_offered_to_a_desk_that_becomes_available() {
    let hub = start_hub(test_config());
    escalated_session(&hub, "queued-first").await;
    let mut desk = ready_desk(&hub, "agent_01", 2).await;

    let assigned = desk.expect("session_assigned").await;
    assert_eq!(assigned["session_name"], "queued-first");
    assert_eq!(assigned["session"]["status"], "manual_live");
    assert_eq!(
        assigned["session"]["assigned_agent"]["agent_id"],
        "agent_01"
    );
    assert_eq!(assigned["session"]["history"][0]["content"], "hello");

    let body = hub.session("queued-first").await;
    assert_eq!(body["status"], "manual_live");
    assert_eq!(body["assigned_agent"]["agent_name"], "Agent agent_01");
}

#[actix_rt::test]
async fn a_desk_follows_writes_to_and_releases_its_session() {
    let hub = start_hub(test_config());
    let mut desk = ready_desk(&hub, "agent_07", 1).await;
    escalated_session(&hub, "followed").await;
    desk.expect("session_assigned").await;

    desk.send_json(
        json!({"type": "message", "session_name": "followed", "content": "您好，我是人工客服"}),
    )
    .await;
    let echo = desk.expect("manual_message").await;
    assert_eq!(echo["session_name"], "followed");
    assert_eq!(echo["role"], "agent");
    assert_eq!(echo["agent_id"], "agent_07");

    let (status, reply) = hub
        .post(
            "/api/chat",
            json!({"session_name": "followed", "message": "my parcel is late"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        reply["message"],
        Value::Null,
        "a held session does not ask the bot"
    );
    let user_line = desk.expect("manual_message").await;
    assert_eq!(user_line["role"], "user");
    assert_eq!(user_line["content"], "my parcel is late");
    assert!(user_line["seq"].as_u64() > echo["seq"].as_u64());

    desk.send_json(json!({"type": "release", "session_name": "followed"}))
        .await;
    let notice = desk.expect("system").await;
    assert_eq!(notice["session_name"], "followed");
    let change = desk.expect("status_change").await;
    assert_eq!(change["status"], "bot_active");
    assert_eq!(change["reason"], "released");

    let body = hub.session("followed").await;
    assert_eq!(body["status"], "bot_active");
    assert_eq!(body["assigned_agent"], Value::Null);
}

#[actix_rt::test]
async fn capacity_holds_back_the_next_session_until_one_is_released() {
    let hub = start_hub(test_config());
    let mut desk = ready_desk(&hub, "agent_cap", 1).await;
    escalated_session(&hub, "first").await;
    escalated_session(&hub, "second").await;
    assert_eq!(
        desk.expect("session_assigned").await["session_name"],
        "first"
    );

    let (_, second) = hub.get("/api/sessions/second").await;
    assert_eq!(second["status"], "pending_manual", "the desk is full");
    let (_, pending) = hub.get("/api/sessions?status=pending_manual").await;
    assert_eq!(pending["total"], 1);
    assert_eq!(pending["sessions"][0]["session_name"], "second");

    let (status, _) = hub.post("/api/sessions/first/release", json!({})).await;
    assert_eq!(status, 200);
    desk.expect("system").await;
    desk.expect("status_change").await;
    let next = desk.expect("session_assigned").await;
    assert_eq!(next["session_name"], "second");
    assert_eq!(hub.session("second").await["status"], "manual_live");
}

#[actix_rt::test]
async fn the_least_loaded_desk_gets_the_next_session() {
    let hub = start_hub(test_config());
    let mut busy = ready_desk(&hub, "agent_a", 3).await;
    escalated_session(&hub, "one").await;
    assert_eq!(busy.expect("session_assigned").await["session_name"], "one");
    let mut idle = ready_desk(&hub, "agent_b", 3).await;
    escalated_session(&hub, "two").await;
    assert_eq!(idle.expect("session_assigned").await["session_name"], "two");
    busy.assert_alive().await;
}

#[actix_rt::test]
async fn an_unavailable_desk_claims_by_name_and_a_second_claim_or_message_is_refused_by_name() {
    let hub = start_hub(test_config());
    let mut first = ready_desk(&hub, "agent_x", 1).await;
    first.send_json(json!({"type": "unavailable"})).await;
    assert_eq!(first.expect("desk_status").await["available"], false);
    let mut second = ready_desk(&hub, "agent_y", 1).await;
    second.send_json(json!({"type": "unavailable"})).await;
    second.expect("desk_status").await;

    escalated_session(&hub, "contested").await;
    assert_eq!(hub.session("contested").await["status"], "pending_manual");

    first
        .send_json(json!({"type": "claim", "session_name": "contested"}))
        .await;
    let assigned = first.expect("session_assigned").await;
    assert_eq!(assigned["session"]["assigned_agent"]["agent_id"], "agent_x");
    second
        .send_json(json!({"type": "claim", "session_name": "contested"}))
        .await;
    let refused = second.expect_error("invalid_state").await;
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("agent_x"))
    );
    assert_eq!(
        (&refused["request"], &refused["session_name"]),
        (&json!("claim"), &json!("contested"))
    );
    let line = json!({"type": "message", "session_name": "contested", "content": "mine?"});
    second.send_json(line).await;
    let refused = second.expect_error("invalid_state").await;
    assert_eq!(
        (&refused["request"], &refused["session_name"]),
        (&json!("message"), &json!("contested"))
    );
    second.assert_alive().await;
}

#[actix_rt::test]
async fn bad_desk_frames_get_error_frames_and_the_socket_lives_on() {
    let hub = start_hub(test_config());
    let mut desk = hub.socket("/ws/desk").await;
    desk.send_text("{broken").await;
    desk.expect_error("invalid_json").await;
    desk.send_json(json!({"type": "teleport"})).await;
    desk.expect_error("unknown_type").await;
    desk.send_json(json!({"type": "claim", "session_name": "s"}))
        .await;
    desk.expect_error("not_available").await;
    desk.send_json(json!({"type": "available", "agent_id": " ", "agent_name": "A"}))
        .await;
    desk.expect_error("invalid_fields").await;
    desk.send_json(json!({"type": "available", "agent_id": "a", "agent_name": "A", "capacity": 0}))
        .await;
    desk.expect_error("invalid_fields").await;
    desk.send_json(json!({"type": "available", "agent_id": "a", "agent_name": "A"}))
        .await;
    desk.expect("desk_status").await;
    desk.send_json(json!({"type": "claim", "session_name": "no-such-session"}))
        .await;
    desk.expect_error("session_not_found").await;
    desk.send_json(json!({"type": "message", "session_name": "x", "content": "  "}))
        .await;
    desk.expect_error("invalid_fields").await;
    desk.assert_alive().await;
}

#[actix_rt::test]
async fn capacity_counts_every_held_session_however_it_was_taken() {
    let hub = start_hub(test_config());
    let mut desk = ready_desk(&hub, "agent_full", 1).await;
    escalated_session(&hub, "offered").await;
    assert_eq!(
        desk.expect("session_assigned").await["session_name"],
        "offered"
    );

    let (status, _) = hub
        .post(
            "/api/chat",
            json!({"session_name": "claimed", "message": "hello"}),
        )
        .await;
    assert_eq!(status, 200);
    hub.post(
        "/api/manual/escalate",
        json!({"session_name": "claimed", "reason": "user_request"}),
    )
    .await;
    desk.send_json(json!({"type": "claim", "session_name": "claimed"}))
        .await;
    assert_eq!(
        desk.expect("session_assigned").await["session_name"],
        "claimed"
    );
    desk.send_json(json!({"type": "release", "session_name": "claimed"}))
        .await;
    desk.expect("system").await;
    desk.expect("status_change").await;

    escalated_session(&hub, "waiting").await;
    desk.assert_alive().await;
    assert_eq!(
        hub.session("waiting").await["status"],
        "pending_manual",
        "the desk still holds `offered`, its one seat"
    );
    hub.post("/api/sessions/offered/release", json!({})).await;
    desk.expect("system").await;
    desk.expect("status_change").await;
    assert_eq!(
        desk.expect("session_assigned").await["session_name"],
        "waiting"
    );
}

#[actix_rt::test]
async fn a_desk_that_does_not_come_back_hands_its_sessions_back_to_the_bot() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.desk_reconnect_grace = Duration::from_millis(200);
    }));
    let mut desk = ready_desk(&hub, "agent_gone", 1).await;
    escalated_session(&hub, "stranded").await;
    desk.expect("session_assigned").await;
    let mut events = hub.follow("stranded", None).await;
    desk.abort();

    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|event: &Value| event["reason"] == "agent_disconnected")
    {
        seen.push(events.next_data().await.json().clone());
    }
    let change = seen.last().expect("the status change");
    assert_eq!(change["type"], "status_change", "{change}");
    assert_eq!(change["status"], "bot_active", "{change}");
    let notices: Vec<&Value> = seen
        .iter()
        .filter(|event| event["type"] == "system")
        .collect();
    assert_eq!(notices.len(), 1, "the user is told: {seen:?}");
    assert_eq!(notices[0]["content"], DEFAULT_AGENT_LOST_NOTICE);

    let body = hub.session("stranded").await;
    assert_eq!(body["status"], "bot_active");
    assert_eq!(body["assigned_agent"], Value::Null);
    let (_, audit) = hub.get("/api/sessions/stranded/audit").await;
    let last = audit["audit"]
        .as_array()
        .and_then(|records| records.last())
        .expect("audit records");
    assert_eq!(last["event"], "manual_release");
    assert_eq!(last["reason"], "agent_disconnected");
    assert_eq!(last["agent_id"], "agent_gone");
}

#[actix_rt::test]
async fn a_desk_that_comes_back_in_time_gets_its_sessions_again() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.desk_reconnect_grace = Duration::from_millis(300);
    }));
    let mut desk = ready_desk(&hub, "agent_back", 2).await;
    escalated_session(&hub, "kept").await;
    desk.expect("session_assigned").await;
    desk.abort();

    let mut again = ready_desk(&hub, "agent_back", 2).await;
    let assigned = again.expect("session_assigned").await;
    assert_eq!(assigned["session_name"], "kept");
    assert_eq!(assigned["session"]["status"], "manual_live");
    // That the session is still the agent's after the grace: actors/src/tests/desk_grace.rs.
    hub.post(
        "/api/chat",
        json!({"session_name": "kept", "message": "still there?"}),
    )
    .await;
    assert_eq!(
        again.expect("manual_message").await["content"],
        "still there?"
    );
}

#[actix_rt::test]
async fn a_desk_cannot_release_another_agents_session() {
    let hub = start_hub(test_config());
    let mut holder = ready_desk(&hub, "agent_h", 1).await;
    escalated_session(&hub, "mine").await;
    holder.expect("session_assigned").await;
    let mut other = ready_desk(&hub, "agent_o", 1).await;
    other
        .send_json(json!({"type": "release", "session_name": "mine"}))
        .await;
    other.expect_error("invalid_state").await;
    assert_eq!(hub.session("mine").await["status"], "manual_live");
}

#[actix_rt::test]
async fn an_agents_new_desk_inherits_the_sessions_when_the_old_one_closes_later() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.desk_reconnect_grace = Duration::from_millis(200);
    }));
    let mut old = ready_desk(&hub, "agent_twice", 2).await;
    escalated_session(&hub, "moved").await;
    old.expect("session_assigned").await;
    let mut new = ready_desk(&hub, "agent_twice", 2).await;
    old.close().await;

    let assigned = new.expect("session_assigned").await;
    assert_eq!(assigned["session_name"], "moved");
    // That the session is still the agent's after the grace: actors/src/tests/desk_grace.rs.
    hub.chat("moved", "are you still there?").await;
    let heard = new.expect("manual_message").await;
    assert_eq!(heard["session_name"], "moved");
    assert_eq!(heard["content"], "are you still there?");
}

/// Waits (bounded) until the session has `status`; returns the session.
async fn until_status(hub: &TestHub, name: &str, status: &str) -> Value {
    let what = format!("{name} to become {status}");
    eventually(&what, async || {
        let body = hub.session(name).await;
        (body["status"] == status).then_some(body)
    })
    .await
}

#[actix_rt::test]
async fn an_agent_whose_desks_all_drop_at_once_does_not_strand_the_session() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.desk_reconnect_grace = Duration::from_millis(200);
    }));
    let mut first = ready_desk(&hub, "agent_blip", 1).await;
    let second = ready_desk(&hub, "agent_blip", 1).await;
    escalated_session(&hub, "blipped").await;
    first.expect("session_assigned").await;
    first.abort();
    second.abort();

    let body = until_status(&hub, "blipped", "bot_active").await;
    assert_eq!(body["assigned_agent"], Value::Null);
    let last = body["history"]
        .as_array()
        .and_then(|history| history.last())
        .expect("history");
    assert_eq!(last["role"], "system", "the user was told: {body}");
    assert_eq!(last["content"], DEFAULT_AGENT_LOST_NOTICE);
}

#[actix_rt::test]
async fn after_a_restart_a_session_taken_at_a_desk_waits_for_that_agents_desk() {
    let database = TempDatabase::new("desk-restart");
    let on_file = || {
        test_config_with(|config| {
            config.store.database_path = database.path_str();
            config.takeover.desk_reconnect_grace = Duration::from_millis(400);
        })
    };
    let first = start_hub(on_file());
    let mut desk = ready_desk(&first, "agent_r", 2).await;
    escalated_session(&first, "comes-back").await;
    escalated_session(&first, "left-alone").await;
    desk.expect("session_assigned").await;
    desk.expect("session_assigned").await;
    first.stop().await;

    let second = start_hub(on_file());
    let mut back = ready_desk(&second, "agent_r", 2).await;
    let mut returned = vec![
        back.expect("session_assigned").await["session_name"].clone(),
        back.expect("session_assigned").await["session_name"].clone(),
    ];
    returned.sort_by_key(|name| name.to_string());
    assert_eq!(returned, ["comes-back", "left-alone"]);
    // That they stay the agent's after the grace: actors/src/tests/desk_grace.rs.
    back.close().await;
    second.stop().await;

    let third = start_hub(on_file());
    until_status(&third, "left-alone", "bot_active").await;
    let body = until_status(&third, "comes-back", "bot_active").await;
    let (_, audit) = third.get("/api/sessions/comes-back/audit").await;
    let last = audit["audit"]
        .as_array()
        .and_then(|records| records.last())
        .expect("audit records");
    assert_eq!(last["reason"], "agent_disconnected", "{body}");
}

#[actix_rt::test]
async fn what_a_desk_sends_just_before_it_closes_is_carried_out() {
    let hub = start_hub(test_config());
    let mut desk = ready_desk(&hub, "agent_last", 1).await;
    escalated_session(&hub, "last-words").await;
    desk.expect("session_assigned").await;
    desk.send_last_and_close(&[
        json!({"type": "message", "session_name": "last-words", "content": "goodbye"}),
        json!({"type": "release", "session_name": "last-words"}),
    ])
    .await;

    let body = eventually("the release sent with the close", async || {
        let body = hub.session("last-words").await;
        (body["status"] == "bot_active").then_some(body)
    })
    .await;
    let history = body["history"].as_array().expect("history");
    let said = history
        .iter()
        .find(|entry| entry["role"] == "agent")
        .expect("the agent's last message was stored");
    assert_eq!(said["content"], "goodbye");
    let released = hub.audit("last-words").await;
    let last = released.last().expect("audit records");
    assert_eq!(last["event"], "manual_release");
    assert_eq!(
        last["reason"], "released",
        "released by the agent, not lost"
    );
}
