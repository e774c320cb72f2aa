//! Seed 000 end to end: matching in either order, queue positions, the REST views, transcript
//! relay with the hub-assigned speaker, and 200 concurrent pairs with no cross-talk or loss.

mod support;

use std::collections::HashMap;

use futures_util::future::join_all;
use serde_json::json;

use support::auth::{config_in, token};
use support::calls::wait_until_matched;
use support::ws::WsClient;
use support::{start_hub, test_config};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

/// Whether `value` is a call id: `call_` and twelve lowercase hex digits.
fn is_call_id(value: &serde_json::Value) -> bool {
    value.as_str().is_some_and(|id| {
        id.len() == 17
            && id.starts_with("call_")
            && id[5..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[actix_rt::test]
async fn customer_first_then_agent() {
    let hub = start_hub(test_config());
    let customer = hub.start_call("customer", "Ann").await;
    assert!(is_call_id(&customer["call_id"]), "{customer}");
    assert_eq!(customer["status"], "waiting");
    assert_eq!(customer["queue_position"], 1);
    let customer_id = customer["call_id"].as_str().unwrap().to_owned();

    let mut customer_ws = hub.call_socket(&customer_id).await;
    customer_ws
        .send_json(
            json!({"type": "start_call", "call_id": customer_id, "customer_name": "Ann",
                          "timestamp": "2024-01-01T12:00:00.000Z"}),
        )
        .await;
    let position = customer_ws.expect("queue_position").await;
    assert_eq!(position["position"], 1);
    assert_eq!(position["role"], "customer");
    let started = customer_ws.expect("call_started").await;
    assert_eq!(started["status"], "waiting");

    let agent = hub.start_call("agent", "Bob").await;
    assert_eq!(agent["status"], "matched");
    assert_eq!(agent["partner_call_id"], customer_id.as_str());
    assert_eq!(agent["partner_name"], "Ann");
    let agent_id = agent["call_id"].as_str().unwrap().to_owned();

    let pushed = customer_ws.expect("call_matched").await;
    assert_eq!(pushed["partner_call_id"], agent_id.as_str());
    assert_eq!(pushed["partner_name"], "Bob");
    assert_eq!(pushed["role"], "customer");

    let mut agent_ws = hub.call_socket(&agent_id).await;
    let matched = agent_ws.expect("call_matched").await;
    assert_eq!(matched["partner_call_id"], customer_id.as_str());
    assert_eq!(matched["role"], "agent");

    customer_ws
        .send_json(json!({"type": "transcript", "text": "my order is late", "speaker": "agent"}))
        .await;
    let heard = agent_ws.expect("transcript").await;
    assert_eq!(heard["speaker"], "customer", "speaker is the sender's role");
    assert_eq!(heard["text"], "my order is late");
    assert!(
        heard["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    agent_ws
        .send_json(json!({"type": "transcript", "text": "let me check"}))
        .await;
    let heard = customer_ws.expect("transcript").await;
    assert_eq!(heard["speaker"], "agent");
    assert_eq!(heard["text"], "let me check");
    assert_eq!(heard["seq"], 2);
}

#[actix_rt::test]
async fn agent_first_then_customer() {
    let hub = start_hub(test_config());
    let agent = hub.start_call("agent", "Bob").await;
    assert_eq!(agent["status"], "waiting");
    let agent_id = agent["call_id"].as_str().unwrap().to_owned();
    let mut agent_ws = hub.call_socket(&agent_id).await;
    assert_eq!(agent_ws.expect("queue_position").await["role"], "agent");

    let customer = hub.start_call("customer", "Ann").await;
    assert_eq!(customer["status"], "matched");
    assert_eq!(customer["partner_call_id"], agent_id.as_str());
    let customer_id = customer["call_id"].as_str().unwrap().to_owned();
    assert_eq!(
        agent_ws.expect("call_matched").await["partner_call_id"],
        customer_id.as_str()
    );

    let mut customer_ws = hub.call_socket(&customer_id).await;
    customer_ws.expect("call_matched").await;
    agent_ws
        .send_json(json!({"type": "transcript", "text": "hello, how can I help?"}))
        .await;
    let heard = customer_ws.expect("transcript").await;
    assert_eq!(heard["speaker"], "agent");
    assert_eq!(heard["text"], "hello, how can I help?");
}

#[actix_rt::test]
async fn queue_is_fifo_and_positions_are_pushed() {
    let hub = start_hub(config_in(AuthMode::Open));
    let mut waiting = Vec::new();
    for (index, name) in ["c1", "c2", "c3"].into_iter().enumerate() {
        let body = hub.start_call("customer", name).await;
        assert_eq!(body["queue_position"], index + 1);
        let call_id = body["call_id"].as_str().unwrap().to_owned();
        let mut ws = hub.call_socket(&call_id).await;
        assert_eq!(ws.expect("queue_position").await["position"], index + 1);
        waiting.push((call_id, ws));
    }

    let agent = hub.start_call("agent", "a1").await;
    assert_eq!(
        agent["partner_name"], "c1",
        "the longest waiter is served first"
    );
    let (c1_id, mut c1) = waiting.remove(0);
    assert_eq!(agent["partner_call_id"], c1_id.as_str());
    c1.expect("call_matched").await;
    for (index, (_, ws)) in waiting.iter_mut().enumerate() {
        assert_eq!(ws.expect("queue_position").await["position"], index + 1);
    }

    let (status, lookup) = hub.get(&format!("/api/calls/match/{}", waiting[1].0)).await;
    assert_eq!(status, 200);
    assert_eq!(lookup["status"], "waiting");
    assert_eq!(lookup["queue_position"], 2);

    let (status, lookup) = hub.get(&format!("/api/calls/match/{c1_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(lookup["status"], "matched");
    assert_eq!(lookup["partner_call_id"], agent["call_id"]);
    assert_eq!(lookup["partner_name"], "a1");

    let admin = token("admin-1", UserRole::Admin);
    let (status, listing) = hub.call_as("GET", "/api/calls", Some(&admin), None).await;
    assert_eq!(status, 200);
    let active = listing["active_calls"].as_array().unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["customer_call_id"], c1_id.as_str());
    assert_eq!(active[0]["agent_call_id"], agent["call_id"]);
    assert_eq!(active[0]["customer_name"], "c1");
    assert_eq!(active[0]["agent_name"], "a1");
    assert_eq!(active[0]["status"], "active");
    let queue = listing["waiting_customers"].as_array().unwrap();
    let names: Vec<_> = queue.iter().map(|w| w["customer_name"].clone()).collect();
    assert_eq!(names, vec![json!("c2"), json!("c3")]);
    assert_eq!(listing["available_agents"], json!([]));
}

#[actix_rt::test]
async fn two_hundred_concurrent_pairs_without_cross_talk_or_loss() {
    const PAIRS: usize = 200;
    const LINES: usize = 5;
    let hub = start_hub(test_config());
    let hub = &hub;

    let customers = join_all((0..PAIRS).map(|n| async move {
        let body = hub.start_call("customer", &format!("customer-{n}")).await;
        let call_id = body["call_id"].as_str().unwrap().to_owned();
        let ws = hub.call_socket(&call_id).await;
        (call_id, ws)
    }))
    .await;
    let agents = join_all((0..PAIRS).map(|n| async move {
        let body = hub.start_call("agent", &format!("agent-{n}")).await;
        assert_eq!(body["status"], "matched", "{body}");
        let partner = body["partner_call_id"].as_str().unwrap().to_owned();
        let mut ws = hub.call_socket(body["call_id"].as_str().unwrap()).await;
        assert_eq!(
            ws.expect("call_matched").await["partner_call_id"],
            partner.as_str()
        );
        (partner, ws)
    }))
    .await;
    let mut agents_by_customer: HashMap<String, _> = agents.into_iter().collect();
    assert_eq!(
        agents_by_customer.len(),
        PAIRS,
        "every agent got its own customer"
    );

    let pairs = customers.into_iter().map(|(call_id, customer)| {
        let agent = agents_by_customer
            .remove(&call_id)
            .expect("customer was matched");
        converse(call_id, customer, agent, LINES)
    });
    let open_sockets = join_all(pairs).await;

    let (_, health) = hub.get("/api/health").await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["calls_matched"], PAIRS);
    assert_eq!(health["transcripts_relayed"], PAIRS * LINES * 2);
    assert_eq!(health["active_calls"], PAIRS);
    assert_eq!(health["connections_open"], PAIRS * 2);

    drop(open_sockets);
    let health = hub
        .wait_for_health(|h| h["active_calls"] == 0 && h["connections_open"] == 0)
        .await;
    assert_eq!(health["calls_ended"], PAIRS);
}

/// Both sides of one call send `lines` transcripts tagged with the call id; each must hear
/// exactly the other's, in order, with the right speaker.
async fn converse(
    tag: String,
    mut customer: WsClient,
    mut agent: WsClient,
    lines: usize,
) -> (WsClient, WsClient) {
    wait_until_matched(&mut customer).await;
    for line in 0..lines {
        customer
            .send_json(json!({"type": "transcript", "text": format!("{tag} c{line}")}))
            .await;
        agent
            .send_json(json!({"type": "transcript", "text": format!("{tag} a{line}")}))
            .await;
    }
    let mut heard_by_agent = Vec::new();
    let mut heard_by_customer = Vec::new();
    for _ in 0..lines {
        let frame = agent.expect("transcript").await;
        assert_eq!(frame["speaker"], "customer");
        heard_by_agent.push(frame["text"].as_str().unwrap().to_owned());
        let frame = customer.expect("transcript").await;
        assert_eq!(frame["speaker"], "agent");
        heard_by_customer.push(frame["text"].as_str().unwrap().to_owned());
    }
    let expected =
        |side: &str| -> Vec<String> { (0..lines).map(|l| format!("{tag} {side}{l}")).collect() };
    assert_eq!(heard_by_agent, expected("c"));
    assert_eq!(heard_by_customer, expected("a"));
    customer.assert_alive().await;
    agent.assert_alive().await;
    (customer, agent)
}

#[actix_rt::test]
async fn transcripts_sent_before_the_partner_connects_are_held_for_it() {
    let hub = start_hub(test_config());
    let (_, mut agent_ws, _) = hub.waiting_leg("agent", "Bob").await;
    let customer = hub.start_call("customer", "Ann").await;
    wait_until_matched(&mut agent_ws).await;
    agent_ws
        .send_json(json!({"type": "transcript", "text": "are you there?"}))
        .await;
    agent_ws.assert_alive().await;

    let mut customer_ws = hub.call_socket(customer["call_id"].as_str().unwrap()).await;
    customer_ws.expect("call_matched").await;
    assert_eq!(
        customer_ws.expect("transcript").await["text"],
        "are you there?"
    );
}
