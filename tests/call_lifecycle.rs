//! How calls end and how legs leave: disconnects while waiting leave no ghost, a partner's
//! disconnect or hang-up ends the call for the other side, REST ends calls, unknown and
//! duplicate sockets are refused with documented close codes, and legs that never connect
//! expire.

mod support;

use std::time::Duration;

use serde_json::json;

use support::calls::{matched_pair, wait_until_matched};
use support::{start_hub, test_config, test_config_with};

#[actix_rt::test]
async fn a_waiting_customer_that_disconnects_is_never_matched() {
    let hub = start_hub(test_config());
    let (ghost_id, ghost_ws, _) = hub.waiting_leg("customer", "Ghost").await;
    ghost_ws.abort();

    let (_, polite_ws, _) = hub.waiting_leg("customer", "Polite").await;
    polite_ws.close().await;

    hub.wait_for_health(|h| h["waiting_customers"] == 0).await;
    let (status, body) = hub.get(&format!("/api/calls/match/{ghost_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ended");
    assert_eq!(body["reason"], "customer_disconnected");
    let agent = hub.start_call("agent", "Bob").await;
    assert_eq!(agent["status"], "waiting", "no ghost match: {agent}");
    let (_, listing) = hub.get("/api/calls").await;
    assert_eq!(listing["waiting_customers"], json!([]));
    assert_eq!(listing["available_agents"].as_array().unwrap().len(), 1);
}

#[actix_rt::test]
async fn queue_positions_move_up_when_someone_ahead_leaves() {
    let hub = start_hub(test_config());
    let (_, first_ws, _) = hub.waiting_leg("agent", "first").await;
    let second = hub.start_call("agent", "second").await;
    let mut second_ws = hub.call_socket(second["call_id"].as_str().unwrap()).await;
    assert_eq!(second_ws.expect("queue_position").await["position"], 2);

    first_ws.abort();
    assert_eq!(second_ws.expect("queue_position").await["position"], 1);
    let customer = hub.start_call("customer", "Ann").await;
    assert_eq!(customer["partner_call_id"], second["call_id"]);
}

#[actix_rt::test]
async fn a_partner_disconnect_ends_the_call_with_a_reason() {
    let hub = start_hub(test_config());
    let (customer_ws, customer_id, mut agent_ws, agent_id) = matched_pair(&hub, "drop").await;
    customer_ws.abort();
    let ended = agent_ws.expect("call_ended").await;
    assert_eq!(ended["reason"], "customer_disconnected");
    assert_eq!(ended["call_id"], agent_id.as_str());
    agent_ws.expect_close(1000).await;
    for call_id in [customer_id, agent_id] {
        let (status, body) = hub.get(&format!("/api/calls/match/{call_id}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "ended");
        assert_eq!(body["reason"], "customer_disconnected");
    }
}

#[actix_rt::test]
async fn a_leg_that_connects_after_its_partner_left_is_told_why() {
    let hub = start_hub(test_config());
    let (customer_id, customer_ws, _) = hub.waiting_leg("customer", "Ann").await;
    let agent = hub.start_call("agent", "Bob").await;
    assert_eq!(agent["partner_call_id"], customer_id.as_str());
    customer_ws.abort();
    hub.wait_for_health(|h| h["active_calls"] == 0).await;

    let mut late = hub.call_socket(agent["call_id"].as_str().unwrap()).await;
    let ended = late.expect("call_ended").await;
    assert_eq!(ended["reason"], "customer_disconnected");
    late.expect_close(1000).await;
}

#[actix_rt::test]
async fn hanging_up_tells_both_sides() {
    let hub = start_hub(test_config());
    let (mut customer_ws, _, mut agent_ws, _) = matched_pair(&hub, "hangup").await;
    agent_ws.send_json(json!({"type": "call_ended"})).await;
    for ws in [&mut customer_ws, &mut agent_ws] {
        assert_eq!(ws.expect("call_ended").await["reason"], "agent_hung_up");
        ws.expect_close(1000).await;
    }
    hub.wait_for_health(|h| h["active_calls"] == 0 && h["calls_ended"] == 1)
        .await;
}

#[actix_rt::test]
async fn ending_via_rest_closes_both_legs() {
    let hub = start_hub(test_config());
    let (mut customer_ws, customer_id, mut agent_ws, _) = matched_pair(&hub, "rest").await;
    let (status, body) = hub
        .post(&format!("/api/calls/{customer_id}/end"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ended");
    for ws in [&mut customer_ws, &mut agent_ws] {
        assert_eq!(ws.expect("call_ended").await["reason"], "ended_via_api");
        ws.expect_close(1000).await;
    }
    let (status, body) = hub
        .post("/api/calls/call_000000000000/end", json!({}))
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "unknown_call");
}

#[actix_rt::test]
async fn a_waiting_leg_can_hang_up_and_leaves_the_queue() {
    let hub = start_hub(test_config());
    let (_, mut ws, _) = hub.waiting_leg("customer", "Ann").await;
    ws.send_json(json!({"type": "call_ended"})).await;
    let ended = ws.expect("call_ended").await;
    assert_eq!(ended["reason"], "customer_hung_up");
    ws.expect_close(1000).await;
    let agent = hub.start_call("agent", "Bob").await;
    assert_eq!(agent["status"], "waiting");
}

#[actix_rt::test]
async fn unknown_or_malformed_call_ids_are_refused_with_4004() {
    let hub = start_hub(test_config());
    for call_id in ["call_0123456789ab", "not-a-call", "call_XYZ"] {
        let mut ws = hub.call_socket(call_id).await;
        ws.expect_error("unknown_call").await;
        let reason = ws.expect_close(4004).await;
        assert!(reason.description.is_some());
    }
    hub.wait_for_health(|h| h["connections_open"] == 0 && h["connections_total"] == 3)
        .await;
}

#[actix_rt::test]
async fn a_second_socket_on_the_same_leg_is_refused_and_the_first_lives_on() {
    let hub = start_hub(test_config());
    let (call_id, mut first, _) = hub.waiting_leg("customer", "Ann").await;
    let mut second = hub.call_socket(&call_id).await;
    second.expect_error("already_connected").await;
    second.expect_close(4009).await;
    first.assert_alive().await;

    let agent = hub.start_call("agent", "Bob").await;
    let mut agent_ws = hub.call_socket(agent["call_id"].as_str().unwrap()).await;
    agent_ws.expect("call_matched").await;
    wait_until_matched(&mut first).await;
    let mut third = hub.call_socket(&call_id).await;
    third.expect_error("already_connected").await;
    third.expect_close(4009).await;
    first
        .send_json(json!({"type": "transcript", "text": "still here"}))
        .await;
    assert_eq!(agent_ws.expect("transcript").await["text"], "still here");
}

#[actix_rt::test]
async fn transcripts_before_a_match_get_an_error_and_the_socket_stays_open() {
    let hub = start_hub(test_config());
    let (_, mut ws, _) = hub.waiting_leg("agent", "Bob").await;
    ws.send_json(json!({"type": "transcript", "text": "anyone?"}))
        .await;
    ws.expect_error("not_matched").await;
    ws.assert_alive().await;
}

#[actix_rt::test]
async fn start_call_must_name_the_socket_own_call_id() {
    let hub = start_hub(test_config());
    let (call_id, mut ws, _) = hub.waiting_leg("customer", "Ann").await;
    ws.send_json(json!({"type": "start_call", "call_id": "call_ffffffffffff"}))
        .await;
    ws.expect_error("call_id_mismatch").await;
    ws.send_json(json!({"type": "start_call", "call_id": call_id}))
        .await;
    assert_eq!(ws.expect("call_started").await["status"], "waiting");
}

#[actix_rt::test]
async fn legs_that_never_open_their_socket_expire() {
    let hub = start_hub(test_config_with(|config| {
        config.calls.connect_timeout = Duration::from_millis(600);
    }));
    hub.start_call("customer", "never connects").await;
    hub.wait_for_health(|h| h["waiting_customers"] == 0).await;
    let agent = hub.start_call("agent", "Bob").await;
    assert_eq!(agent["status"], "waiting", "the silent customer expired");

    let mut agent_ws = hub.call_socket(agent["call_id"].as_str().unwrap()).await;
    agent_ws.expect("queue_position").await;
    hub.start_call("customer", "matched but silent").await;
    wait_until_matched(&mut agent_ws).await;
    let ended = agent_ws.expect("call_ended").await;
    assert_eq!(ended["reason"], "connect_timeout");
    agent_ws.expect_close(1000).await;
}
