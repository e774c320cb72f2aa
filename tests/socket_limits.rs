//! The socket layer, whatever the dialect: heartbeat pings and the timeout close, the JSON
//! ping, every kind of bad input answered with an error frame on a connection that stays open,
//! the frame-size limit and hard cap, fragmented messages, and the connection cap.

mod support;

use std::time::Duration;

use actix_http::ws::{Frame, Message};
use serde_json::json;

use support::calls::matched_pair;
use support::{start_hub, test_config, test_config_with};

#[actix_rt::test]
async fn a_silent_client_is_pinged_then_closed_with_4000() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.heartbeat_interval = Duration::from_millis(20);
        config.sockets.connection_timeout = Duration::from_millis(200);
    }));
    let body = hub.start_call("customer", "Silent").await;
    let started = std::time::Instant::now();
    let mut ws = hub.call_socket(body["call_id"].as_str().unwrap()).await;
    let mut pings = 0;
    let close = loop {
        match ws.next_raw().await {
            Some(Frame::Ping(_)) => pings += 1,
            Some(Frame::Text(_)) => {}
            Some(Frame::Close(reason)) => break reason,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert!(pings >= 2, "saw {pings} pings");
    assert_eq!(close.map(|r| u16::from(r.code)), Some(4000));
    assert!(started.elapsed() >= Duration::from_millis(200));
    hub.wait_for_health(|h| h["connections_open"] == 0 && h["waiting_customers"] == 0)
        .await;
}

#[actix_rt::test]
async fn a_client_that_answers_pings_outlives_the_timeout() {
    let config = test_config_with(|config| {
        config.sockets.heartbeat_interval = Duration::from_millis(20);
        config.sockets.connection_timeout = Duration::from_millis(500);
    });
    let sockets = config.sockets.clone();
    let hub = start_hub(config);
    let (_, mut ws, _) = hub.waiting_leg("customer", "Awake").await;
    // The hub pings at most once an interval, so answering this many spans three timeouts.
    let span = 3 * sockets.connection_timeout;
    let pings = span.as_millis() / sockets.heartbeat_interval.as_millis();
    ws.answer_pings(usize::try_from(pings).expect("a count"))
        .await;
    ws.assert_alive().await;
}

#[actix_rt::test]
async fn json_ping_gets_a_pong_with_a_timestamp() {
    let hub = start_hub(test_config());
    let (_, mut ws, _) = hub.waiting_leg("agent", "Bob").await;
    ws.send_json(json!({"type": "ping"})).await;
    let pong = ws.expect("pong").await;
    assert!(pong["timestamp"].as_str().is_some());
}

#[actix_rt::test]
async fn bad_input_gets_error_frames_and_the_call_goes_on() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.max_frame_bytes = 1024;
    }));
    let (mut customer, _, mut agent, _) = matched_pair(&hub, "bad").await;
    let cases = [
        ("{not json", "invalid_json"),
        ("[1, 2, 3]", "invalid_message"),
        ("\"just a string\"", "invalid_message"),
        (r#"{"text": "no type"}"#, "missing_type"),
        (r#"{"type": 42}"#, "missing_type"),
        (r#"{"type": "dance"}"#, "unknown_type"),
        (r#"{"type": "transcript"}"#, "invalid_fields"),
        (r#"{"type": "transcript", "text": 7}"#, "invalid_fields"),
        (r#"{"type": "transcript", "text": ""}"#, "invalid_fields"),
        (r#"{"type": "start_call", "call_id": 5}"#, "invalid_fields"),
    ];
    for (frame, code) in cases {
        customer.send_text(frame).await;
        customer.expect_error(code).await;
    }
    customer
        .send_message(Message::Binary(bytes::Bytes::from_static(b"\x00\x01")))
        .await;
    customer.expect_error("binary_not_supported").await;
    customer
        .send_json(json!({"type": "transcript", "text": "x".repeat(2000)}))
        .await;
    customer.expect_error("message_too_large").await;

    customer
        .send_json(json!({"type": "transcript", "text": "still talking"}))
        .await;
    let heard = agent.expect("transcript").await;
    assert_eq!(heard["text"], "still talking");
    assert_eq!(heard["seq"], 1, "nothing refused was relayed");

    let (_, health) = hub.get("/api/health").await;
    assert_eq!(health["frames_rejected"], cases.len() + 2);
}

#[actix_rt::test]
async fn fragmented_messages_are_reassembled_and_limited() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.max_frame_bytes = 1024;
    }));
    let (mut customer, _, mut agent, _) = matched_pair(&hub, "frag").await;
    let line = json!({"type": "transcript", "text": "in three pieces"}).to_string();
    customer.send_fragmented(&line, line.len() / 3 + 1).await;
    assert_eq!(agent.expect("transcript").await["text"], "in three pieces");

    let long = json!({"type": "transcript", "text": "y".repeat(3000)}).to_string();
    customer.send_fragmented(&long, 500).await;
    customer.expect_error("message_too_large").await;
    customer.assert_alive().await;
}

#[actix_rt::test]
async fn a_message_over_the_hard_cap_closes_with_1009() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.max_frame_bytes = 1024;
    }));
    let (_, mut ws, _) = hub.waiting_leg("customer", "Huge").await;
    ws.send_text("z".repeat(2 << 20)).await;
    ws.expect_close(1009).await;
}

#[actix_rt::test]
async fn the_connection_cap_refuses_the_next_socket_with_1013() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.max_connections = 3;
    }));
    let mut held = Vec::new();
    for n in 0..3 {
        let body = hub.start_call("customer", &format!("c{n}")).await;
        let mut ws = hub.call_socket(body["call_id"].as_str().unwrap()).await;
        ws.expect("queue_position").await;
        held.push(ws);
    }
    let body = hub.start_call("customer", "one too many").await;
    let call_id = body["call_id"].as_str().unwrap().to_owned();
    let mut refused = hub.call_socket(&call_id).await;
    refused.expect_error("too_many_connections").await;
    refused.expect_close(1013).await;

    held.pop().expect("a held socket").close().await;
    hub.wait_for_health(|h| h["connections_open"] == 2).await;
    let mut admitted = hub.call_socket(&call_id).await;
    assert_eq!(admitted.expect("queue_position").await["position"], 3);
    let (_, health) = hub.get("/api/health").await;
    assert_eq!(health["connections_refused"], 1);
}
