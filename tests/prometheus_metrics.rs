//! `GET /metrics`: the body is the Prometheus text format (checked line by line by a strict
//! reader), every documented series is there, and the counters and histograms move with real
//! traffic: a relayed call, a refused frame, chat and agent turns, an escalation, closes.

mod support;

use serde_json::json;

use support::calls::matched_pair;
use support::prometheus_text::{Exposition, parse};
use support::{HubClient, eventually, start_hub, test_config};

/// Scrapes `/metrics`; asserts 200 and the text format's content type, and parses the body.
async fn scrape(hub: &HubClient) -> Exposition {
    let mut response = hub.http.get(hub.url("/metrics")).send().await.expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .expect("content type");
    let content_type = content_type.to_str().expect("ASCII");
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let body = response.body().await.expect("body");
    parse(std::str::from_utf8(&body).expect("UTF-8"))
}

#[actix_rt::test]
async fn every_documented_series_is_there_from_the_start() {
    let hub = start_hub(test_config());
    let metrics = scrape(&hub).await;
    for counter in [
        "switchboard_calls_started_total",
        "switchboard_calls_matched_total",
        "switchboard_calls_ended_total",
        "switchboard_call_transcripts_relayed_total",
        "switchboard_slow_consumer_cuts_total",
    ] {
        assert_eq!(metrics.get(counter, &[]), 0.0, "{counter}");
    }
    assert_eq!(metrics.get("switchboard_calls_active", &[]), 0.0);
    assert_eq!(metrics.get("switchboard_sse_streams_open", &[]), 0.0);
    for status in ["bot_active", "pending_manual", "manual_live"] {
        assert_eq!(
            metrics.get("switchboard_conversations", &[("status", status)]),
            0.0
        );
    }
    for queue in ["customers", "agents", "handovers"] {
        assert_eq!(
            metrics.get("switchboard_queue_length", &[("queue", queue)]),
            0.0
        );
    }
    for reason in [
        "connection_limit",
        "address_crowded",
        "body_timeout",
        "body_too_large",
    ] {
        let labels = [("reason", reason)];
        assert_eq!(metrics.get("switchboard_refusals_total", &labels), 0.0);
    }
    for histogram in [
        "switchboard_store_commit_seconds",
        "switchboard_store_commit_batch_size",
    ] {
        assert_eq!(metrics.types[histogram], "histogram", "{histogram}");
    }
    hub.stop().await;
}

#[actix_rt::test]
async fn counters_and_histograms_move_with_real_traffic() {
    let hub = start_hub(test_config());
    let before = scrape(&hub).await;

    let (mut customer, _, mut agent, _) = matched_pair(&hub, "metrics").await;
    customer
        .send_json(json!({"type": "transcript", "text": "hello"}))
        .await;
    agent.expect("transcript").await;
    customer.send_text("not json").await;
    customer.expect_error("invalid_json").await;
    hub.chat("metrics-chat", "hello").await;
    hub.chat("metrics-waiting", "hello").await;
    hub.escalate("metrics-waiting", "needs a person").await;
    let mut bot = hub.socket("/ws/agent").await;
    bot.expect("connected").await;
    bot.send_json(json!({"type": "streaming_query", "query": "hello"}))
        .await;
    bot.expect("stream_start").await;

    let after = eventually("the escalation counted", async || {
        let metrics = scrape(&hub).await;
        let waiting = metrics.get("switchboard_queue_length", &[("queue", "handovers")]);
        (waiting == 1.0).then_some(metrics)
    })
    .await;
    let moved = |name: &str, labels: &[(&str, &str)]| {
        after.get(name, labels) - before.value(name, labels).unwrap_or(0.0)
    };
    assert_eq!(moved("switchboard_calls_matched_total", &[]), 1.0);
    assert_eq!(
        moved("switchboard_call_transcripts_relayed_total", &[]),
        1.0
    );
    assert_eq!(after.get("switchboard_calls_active", &[]), 1.0);
    let call = [("endpoint", "call")];
    assert_eq!(after.get("switchboard_ws_connections_open", &call), 2.0);
    assert_eq!(after.get("switchboard_ws_connects_total", &call), 2.0);
    assert!(after.get("switchboard_ws_messages_received_total", &call) >= 2.0);
    assert!(after.get("switchboard_ws_messages_sent_total", &call) >= 4.0);
    let refused = [("endpoint", "call"), ("reason", "invalid_json")];
    assert_eq!(
        after.get("switchboard_ws_frames_rejected_total", &refused),
        1.0
    );
    assert_eq!(
        after.get("switchboard_ws_connections_open", &[("endpoint", "agent")]),
        1.0
    );
    let statuses = [
        ("bot_active", 1.0),
        ("pending_manual", 1.0),
        ("manual_live", 0.0),
    ];
    for (status, count) in statuses {
        assert_eq!(
            after.get("switchboard_conversations", &[("status", status)]),
            count
        );
    }
    let complete = [("backend", "builtin"), ("outcome", "complete")];
    assert!(after.get("switchboard_bot_turn_seconds_count", &complete) >= 2.0);
    let builtin = [("backend", "builtin")];
    assert!(after.get("switchboard_bot_first_chunk_seconds_count", &builtin) >= 3.0);
    assert!(moved("switchboard_store_commit_seconds_count", &[]) >= 1.0);
    assert!(moved("switchboard_store_commit_batch_size_count", &[]) >= 1.0);

    customer.close().await;
    agent.expect("call_ended").await;
    eventually("both legs' closes counted", async || {
        let metrics = scrape(&hub).await;
        let ended = |code| {
            let labels = [("endpoint", "call"), ("code", code)];
            metrics.value("switchboard_ws_disconnects_total", &labels)
        };
        let open = metrics.get("switchboard_ws_connections_open", &call);
        // The customer's close frame had no code (1005); the hub closed the agent's leg 1000.
        (ended("1005") == Some(1.0) && ended("1000") == Some(1.0) && open == 0.0).then_some(())
    })
    .await;
    hub.stop().await;
}
