//! Seed 004's agent socket (`/ws/agent`) answered by the `openai` backend, end to end against a
//! fake OpenAI-compatible server started in the test: chunks relayed as they stream (lines cut
//! across writes, comments and blank lines skipped), the request's model, key, prompt, history
//! and tools, a tool call whose name and arguments arrive in pieces followed by a second
//! request that answers in text, a tool that cannot run and a model that never stops calling
//! tools, each failure (a 500, a malformed chunk, a stall, a body without `[DONE]`, a refused
//! connection) as an `upstream_failed` error on a socket that stays open, and `cancel`
//! dropping the upstream request.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_actors::bot::bot_config::BackendKind;

use support::fake_openai::{FakeOpenAi, Reply, event, roles};
use support::ws::WsClient;
use support::{TestHub, eventually, start_hub, test_config_with};

/// A hub whose agent sockets ask the model at `base_url`, waiting at most `timeout` for it.
fn hub_with_model(base_url: String, timeout: Duration) -> TestHub {
    start_hub(test_config_with(|config| {
        config.bot.backend = BackendKind::Openai;
        config.bot.openai_base_url = base_url;
        config.bot.openai_api_key = Some("sk-test".into());
        config.bot.openai_model = "test-model".into();
        config.bot.system_prompt = "Be brief.".into();
        config.bot.history_turns = 1;
        config.bot.timeout = timeout;
    }))
}

/// An agent socket past its `connected` frame.
async fn agent(hub: &TestHub) -> WsClient {
    let mut ws = hub.socket("/ws/agent").await;
    ws.expect("connected").await;
    ws
}

/// Sends `streaming_query` with `query`; returns every frame after `stream_start` up to and
/// including `stream_end`.
async fn stream_frames(ws: &mut WsClient, query: &str) -> Vec<Value> {
    ws.send_json(json!({"type": "streaming_query", "query": query}))
        .await;
    ws.expect("stream_start").await;
    let mut frames = Vec::new();
    loop {
        let frame = ws.recv().await;
        let end = frame["type"] == "stream_end";
        frames.push(frame);
        if end {
            return frames;
        }
    }
}

/// The text of the `stream_chunk`s among `frames`, one entry per chunk.
fn chunks(frames: &[Value]) -> Vec<&str> {
    let chunk = |frame: &&Value| frame["type"] == "stream_chunk";
    frames
        .iter()
        .filter(chunk)
        .filter_map(|frame| frame["content"].as_str())
        .collect()
}

#[actix_rt::test]
async fn chunks_stream_as_they_come_and_the_request_carries_prompt_history_and_tools() {
    let gap = Duration::from_millis(10);
    let fake = FakeOpenAi::start(vec![Reply::text(&["Hel", "lo ", "world"], gap)]).await;
    let hub = hub_with_model(fake.base_url(), Duration::from_secs(5));
    let mut ws = agent(&hub).await;

    let frames = stream_frames(&mut ws, "hi").await;
    assert_eq!(chunks(&frames), ["Hel", "lo ", "world"], "{frames:?}");
    ws.send_json(json!({"type": "agent_query", "query": "again"}))
        .await;
    assert_eq!(ws.expect("status").await["status"], "processing");
    let response = ws.expect("agent_response").await;
    assert_eq!(response["content"], "Hello world", "{response}");
    assert_eq!(response["vendor"], "openai");
    ws.send_json(json!({"type": "agent_query", "query": "third"}))
        .await;
    ws.expect("status").await;
    ws.expect("agent_response").await;

    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first.request_line, "POST /v1/chat/completions HTTP/1.1");
    assert_eq!(first.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(first.body["model"], "test-model");
    assert_eq!(first.body["stream"], true);
    let tools: Vec<&Value> = first.body["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|tool| &tool["function"]["name"])
        .collect();
    assert_eq!(tools, [&json!("calculator"), &json!("time")]);
    assert_eq!(
        roles(&first.body),
        [json!(["system", "Be brief."]), json!(["user", "hi"])]
    );
    let history = |query: &str, answer: &str, asked: &str| {
        vec![
            json!(["system", "Be brief."]),
            json!(["user", query]),
            json!(["assistant", answer]),
            json!(["user", asked]),
        ]
    };
    assert_eq!(
        roles(&requests[1].body),
        history("hi", "Hello world", "again")
    );
    // BOT_HISTORY_TURNS is 1: only the last turn is sent.
    assert_eq!(
        roles(&requests[2].body),
        history("again", "Hello world", "third")
    );
}

#[actix_rt::test]
async fn lines_cut_across_writes_comments_and_blank_lines_are_read_right() {
    let hello = event(&json!({"content": "Hi"}));
    let (head, tail) = hello.split_at(20);
    let there = event(&json!({"content": " there"})).replace('\n', "\r\n");
    let role = event(&json!({"role": "assistant"}));
    let writes = [
        ": keep-alive\n\n",
        &role,
        head,
        tail,
        "event: message\n",
        &there,
        "\n\ndata: [DO",
        "NE]\n\n",
    ];
    let fake = FakeOpenAi::start(vec![Reply::raw(&writes)]).await;
    let hub = hub_with_model(fake.base_url(), Duration::from_secs(5));
    let mut ws = agent(&hub).await;
    let frames = stream_frames(&mut ws, "hello").await;
    assert_eq!(chunks(&frames), ["Hi", " there"], "{frames:?}");
    assert_eq!(frames.len(), 3, "{frames:?}");
}

#[actix_rt::test]
async fn a_tool_call_in_pieces_runs_and_its_result_goes_back_to_the_model() {
    let call = |function: Value| {
        let piece = json!({"index": 0, "type": "function", "function": function});
        event(&json!({"tool_calls": [piece]}))
    };
    let first = event(&json!({"tool_calls": [{
        "index": 0, "id": "call_7", "type": "function",
        "function": {"name": "calcu", "arguments": ""},
    }]}));
    let name_rest = call(json!({"name": "lator", "arguments": "{\"expression\": "}));
    let arguments_rest = call(json!({"arguments": "\"6*7\"}"}));
    let tool_round = Reply::raw(&[&first, &name_rest, &arguments_rest, "data: [DONE]\n\n"]);
    let answer_round = Reply::text(&["It is ", "42."], Duration::from_millis(5));
    let fake = FakeOpenAi::start(vec![tool_round, answer_round]).await;
    // A base URL without `/v1` works as well.
    let hub = hub_with_model(format!("http://{}", fake.addr), Duration::from_secs(5));
    let mut ws = agent(&hub).await;

    let frames = stream_frames(&mut ws, "what is 6 times 7?").await;
    let kinds: Vec<&str> = frames.iter().filter_map(|f| f["type"].as_str()).collect();
    let expected = [
        "tool_call",
        "tool_result",
        "stream_chunk",
        "stream_chunk",
        "stream_end",
    ];
    assert_eq!(kinds, expected, "{frames:?}");
    assert_eq!(frames[0]["tool_name"], "calculator");
    assert_eq!(frames[0]["params"], json!({"expression": "6*7"}));
    assert_eq!(frames[1]["tool_name"], "calculator");
    assert_eq!(frames[1]["result"], 42);
    assert_eq!(chunks(&frames), ["It is ", "42."]);

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let messages = requests[1].body["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let asked = &messages[messages.len() - 2];
    assert_eq!(asked["role"], "assistant");
    assert_eq!(asked["tool_calls"][0]["id"], "call_7");
    assert_eq!(asked["tool_calls"][0]["function"]["name"], "calculator");
    let arguments = &asked["tool_calls"][0]["function"]["arguments"];
    assert_eq!(arguments, "{\"expression\": \"6*7\"}");
    let answered = &messages[messages.len() - 1];
    assert_eq!(answered["role"], "tool");
    assert_eq!(answered["tool_call_id"], "call_7");
    assert_eq!(answered["content"], "42");
}

#[actix_rt::test]
async fn a_tool_that_cannot_run_says_why_and_a_model_calling_tools_forever_is_stopped() {
    let weather = event(&json!({"tool_calls": [{
        "index": 0, "id": "call_w", "type": "function",
        "function": {"name": "weather", "arguments": "{\"city\": \"Paris\"}"},
    }]}));
    let fake = FakeOpenAi::start(vec![Reply::raw(&[&weather, "data: [DONE]\n\n"])]).await;
    let hub = hub_with_model(fake.base_url(), Duration::from_secs(5));
    let mut ws = agent(&hub).await;

    let frames = stream_frames(&mut ws, "weather in Paris?").await;
    let kinds: Vec<&str> = frames.iter().filter_map(|f| f["type"].as_str()).collect();
    let mut expected = ["tool_call", "tool_result"].repeat(4);
    expected.extend(["error", "stream_end"]);
    assert_eq!(kinds, expected, "{frames:?}");
    assert_eq!(frames[0]["params"], json!({"city": "Paris"}));
    let refused = frames[1]["result"]["error"].as_str().unwrap_or_default();
    assert!(refused.starts_with("unknown tool `weather`"), "{frames:?}");
    let error = &frames[8];
    assert_eq!(error["code"], "upstream_failed");
    let said = error["error"].as_str().unwrap_or_default();
    assert!(
        said.contains("still calling tools after 4 requests"),
        "{said}"
    );
    assert_eq!(fake.requests().len(), 4);
}

/// With the model answering `reply` (or nobody listening when `None`), a streamed and a whole
/// query each get an `upstream_failed` error saying `says`; the stream still ends with
/// `stream_end`, nothing else follows, and the socket stays open.
async fn fails_with(reply: Option<Reply>, says: &str) {
    let timeout = Duration::from_millis(300);
    let fake = match reply {
        Some(reply) => Some(FakeOpenAi::start(vec![reply]).await),
        None => None,
    };
    let base_url = match &fake {
        Some(fake) => fake.base_url(),
        None => {
            let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
            let addr = closed.local_addr().expect("local addr");
            drop(closed);
            format!("http://{addr}/v1")
        }
    };
    let hub = hub_with_model(base_url, timeout);
    let mut ws = agent(&hub).await;

    let frames = stream_frames(&mut ws, "hello").await;
    let error = &frames[frames.len() - 2];
    assert_eq!(error["type"], "error", "{frames:?}");
    assert_eq!(error["code"], "upstream_failed", "{error}");
    let sentence = error["error"].as_str().unwrap_or_default();
    assert!(sentence.contains(says), "{sentence:?} should say {says:?}");
    let kinds: Vec<&str> = frames.iter().filter_map(|f| f["type"].as_str()).collect();
    assert!(
        kinds[..kinds.len() - 2]
            .iter()
            .all(|kind| *kind == "stream_chunk"),
        "{frames:?}"
    );

    ws.send_json(json!({"type": "agent_query", "query": "hello"}))
        .await;
    ws.expect("status").await;
    let error = ws.expect("error").await;
    assert_eq!(error["code"], "upstream_failed", "{error}");
    ws.send_json(json!({"type": "ping"})).await;
    ws.expect("pong").await;
}

#[actix_rt::test]
async fn a_server_error_is_reported_with_its_status_and_body() {
    let reply = Reply::Status(
        500,
        r#"{"error":{"message":"the model is on fire"}}"#.into(),
    );
    fails_with(Some(reply), "500 Internal Server Error").await;
    let reply = Reply::Status(401, r#"{"error":"bad key"}"#.into());
    fails_with(Some(reply), "bad key").await;
}

#[actix_rt::test]
async fn a_malformed_chunk_is_reported() {
    let first = event(&json!({"content": "Hi"}));
    let reply = Reply::raw(&[&first, "data: {\"choices\": [\n\n", "data: [DONE]\n\n"]);
    fails_with(Some(reply), "not JSON").await;
}

#[actix_rt::test]
async fn a_stall_longer_than_the_timeout_is_reported() {
    let reply = Reply::Stream {
        writes: vec![(Duration::ZERO, event(&json!({"content": "Hi"})))],
        stall: true,
    };
    fails_with(Some(reply), "sent nothing for 300ms").await;
}

#[actix_rt::test]
async fn a_body_ending_without_done_is_reported() {
    let reply = Reply::raw(&[&event(&json!({"content": "Hi"}))]);
    fails_with(Some(reply), "ended before [DONE]").await;
}

#[actix_rt::test]
async fn a_refused_connection_is_reported() {
    fails_with(None, "could not reach the model").await;
}

#[actix_rt::test]
async fn cancel_stops_the_stream_and_drops_the_upstream_request() {
    let pieces = ["word "; 200];
    let fake = FakeOpenAi::start(vec![Reply::text(&pieces, Duration::from_millis(10))]).await;
    let hub = hub_with_model(fake.base_url(), Duration::from_secs(5));
    let mut ws = agent(&hub).await;
    ws.send_json(json!({"type": "streaming_query", "query": "talk"}))
        .await;
    ws.expect("stream_start").await;
    ws.expect("stream_chunk").await;
    ws.cancel_stream().await;
    eventually("the upstream request to be dropped", async || {
        (fake.dropped() == 1).then_some(())
    })
    .await;
    // A chunk of the cancelled stream would come before the pong.
    ws.send_json(json!({"type": "ping"})).await;
    ws.expect("pong").await;
}
