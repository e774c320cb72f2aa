//! Seed 004's agent socket (`/ws/agent`) frame by frame, as the seed's clients see it:
//! `connected` on open, `ping`/`pong`, `agent_query` with its `status` and `agent_response`, a
//! streamed answer between `stream_start` and `stream_end`, one stream at a time, `cancel` with
//! nothing of the cancelled stream after `cancelled`, tools, refusals on a socket that stays
//! open, and `GET /ws/statistics`.

mod support;

use std::time::Duration;

use serde_json::{Value, json};

use support::ws::WsClient;
use support::{TestHub, eventually, start_hub, test_config_with};

/// A hub whose bot streams a chunk every `every`.
fn hub_with_pace(every: Duration) -> TestHub {
    start_hub(test_config_with(|config| config.bot.chunk_interval = every))
}

/// An agent socket past its `connected` frame, and that frame.
async fn agent(hub: &TestHub) -> (WsClient, Value) {
    let mut ws = hub.socket("/ws/agent").await;
    let connected = ws.expect("connected").await;
    (ws, connected)
}

/// Asks `query` with `agent_query`; returns the whole answer.
async fn whole_answer(ws: &mut WsClient, query: &str) -> String {
    ws.send_json(json!({"type": "agent_query", "query": query}))
        .await;
    assert_eq!(ws.expect("status").await["status"], "processing");
    let response = ws.expect("agent_response").await;
    assert_eq!(response["vendor"], "builtin");
    assert!(response["timestamp"].is_f64(), "{response}");
    response["content"].as_str().expect("content").to_owned()
}

/// Asks `query` with `streaming_query`; returns the chunks joined.
async fn streamed_answer(ws: &mut WsClient, query: &str) -> String {
    ws.send_json(json!({"type": "streaming_query", "query": query}))
        .await;
    streamed(ws).await
}

/// Reads a stream from `stream_start` to `stream_end`; returns the chunks joined.
async fn streamed(ws: &mut WsClient) -> String {
    let start = ws.expect("stream_start").await;
    assert!(start["timestamp"].is_f64(), "{start}");
    let mut text = String::new();
    loop {
        let frame = ws.recv().await;
        match frame["type"].as_str() {
            Some("stream_chunk") => text.push_str(frame["content"].as_str().expect("content")),
            Some("stream_end") => return text,
            _ => panic!("unexpected frame in a stream: {frame}"),
        }
    }
}

#[actix_rt::test]
async fn the_socket_says_connected_then_answers_pings_and_queries() {
    let hub = hub_with_pace(Duration::from_millis(1));
    let (mut ws, connected) = agent(&hub).await;
    assert!(connected["connection_id"].is_string(), "{connected}");
    assert_eq!(connected["message"], "Connected to Agent WebSocket");

    ws.send_json(json!({"type": "ping"})).await;
    let pong = ws.expect("pong").await;
    assert!(
        pong["timestamp"].as_f64().is_some_and(|t| t > 1.7e9),
        "{pong}"
    );

    ws.send_json(json!({"type": "agent_query", "query": "你好，请介绍一下你自己"}))
        .await;
    let status = ws.expect("status").await;
    assert_eq!(status["status"], "processing");
    let response = ws.expect("agent_response").await;
    assert_eq!(response["vendor"], "builtin");
    assert!(
        response["content"].as_str().is_some_and(|c| !c.is_empty()),
        "{response}"
    );
    assert!(response["timestamp"].is_f64());
}

#[actix_rt::test]
async fn a_streaming_query_streams_the_whole_answer_in_chunks() {
    let hub = hub_with_pace(Duration::from_millis(1));
    let (mut ws, _) = agent(&hub).await;
    let whole = whole_answer(&mut ws, "where is my order?").await;
    assert_eq!(streamed_answer(&mut ws, "where is my order?").await, whole);
}

#[actix_rt::test]
async fn one_stream_at_a_time_and_a_cancelled_stream_sends_nothing_more() {
    let hub = hub_with_pace(Duration::from_millis(20));
    let (mut ws, _) = agent(&hub).await;
    ws.send_json(json!({"type": "streaming_query", "query": "how do returns work?"}))
        .await;
    ws.expect("stream_start").await;
    ws.expect("stream_chunk").await;
    ws.send_json(json!({"type": "streaming_query", "query": "again"}))
        .await;
    let busy = ws.expect("error").await;
    assert_eq!(busy["code"], "stream_in_progress", "{busy}");
    ws.cancel_stream().await;
    // A chunk of the cancelled stream would land inside the next stream's text.
    let hours = whole_answer(&mut ws, "when are you open?").await;
    assert_eq!(streamed_answer(&mut ws, "when are you open?").await, hours);
}

#[actix_rt::test]
async fn tools_run_and_refusals_keep_the_socket_open() {
    let hub = hub_with_pace(Duration::from_millis(1));
    let (mut ws, _) = agent(&hub).await;
    ws.send_json(json!({
        "type": "tool_call", "tool_name": "calculator", "params": {"expression": "123 + 456"},
    }))
    .await;
    let result = ws.expect("tool_result").await;
    assert_eq!(result["tool_name"], "calculator");
    assert_eq!(result["result"], 579);

    let cases = [
        (json!({"type": "agent_query"}), "Query is required"),
        (
            json!({"type": "streaming_query", "query": "  "}),
            "Query is required",
        ),
        (
            json!({"type": "tool_call", "params": {}}),
            "Tool name is required",
        ),
    ];
    for (frame, said) in cases {
        ws.send_json(frame).await;
        let error = ws.expect("error").await;
        assert_eq!(error["error"], said, "{error}");
        assert!(error["timestamp"].is_f64());
    }
    ws.send_json(json!({"type": "tool_call", "tool_name": "teleport", "params": {}}))
        .await;
    assert_eq!(ws.expect("error").await["code"], "tool_failed");
    ws.send_json(json!({
        "type": "tool_call", "tool_name": "calculator", "params": {"expression": "1/0"},
    }))
    .await;
    assert_eq!(ws.expect("error").await["code"], "tool_failed");
    ws.send_text("{not json").await;
    assert_eq!(ws.expect("error").await["code"], "invalid_json");
    ws.send_json(json!({"type": "dance"})).await;
    assert_eq!(ws.expect("error").await["code"], "unknown_type");
    ws.send_json(json!({"type": "ping"})).await;
    ws.expect("pong").await;
}

#[actix_rt::test]
async fn statistics_list_open_sockets_and_count_their_messages() {
    let hub = hub_with_pace(Duration::from_millis(1));
    let (mut ws, connected) = agent(&hub).await;
    for _ in 0..2 {
        ws.send_json(json!({"type": "ping"})).await;
        ws.expect("pong").await;
    }
    let (status, figures) = hub.get("/ws/statistics").await;
    assert_eq!(status, 200, "{figures}");
    assert_eq!(figures["active_connections"], 1, "{figures}");
    assert_eq!(figures["total_connections"], 1);
    assert_eq!(figures["total_messages"], 2);
    let open = &figures["connections"][0];
    assert_eq!(open["id"], connected["connection_id"]);
    assert_eq!(open["message_count"], 2);
    assert!(
        open["connected_at"].is_f64() && open["uptime"].is_f64(),
        "{open}"
    );

    ws.close().await;
    eventually("the closed socket to leave the statistics", async || {
        let (_, figures) = hub.get("/ws/statistics").await;
        (figures["active_connections"] == 0).then_some(())
    })
    .await;
}
