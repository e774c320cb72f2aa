//! Seed 001's chat answered by the `openai` backend, against a fake OpenAI-compatible server
//! started in the test: `/api/chat/stream` relays the model's chunks as they come and the
//! model reads the conversation so far; a tool the model calls shows as `tool_call` and
//! `tool_result` frames; a failing model gives an `upstream_failed` error (a frame, or the
//! `error` member of `/api/chat`'s answer), an honest answer stored marked `failed`, and
//! counts towards the regulator's failure rule, which hands the session to a human. An
//! `https://` model is spoken to over TLS.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_actors::bot::bot_config::BackendKind;
use switchboard_actors::takeover::session::answering::BOT_UNAVAILABLE;

use support::fake_openai::{FakeOpenAi, Reply, event};
use support::{TestHub, start_hub, test_config_with};

/// A hub whose bot is the model at `base_url`.
fn hub_with_model(base_url: String) -> TestHub {
    start_hub(test_config_with(|config| {
        config.bot.backend = BackendKind::Openai;
        config.bot.openai_base_url = base_url;
        config.bot.openai_model = "test-model".into();
        config.bot.system_prompt = "You answer customers.".into();
        config.bot.timeout = Duration::from_secs(5);
        config.bot.max_tokens = 200;
    }))
}

/// The data of each block of a chat stream, by type: `(type, content or tool or error)`.
fn frames(blocks: &[Value]) -> Vec<(String, String)> {
    blocks
        .iter()
        .map(|data| {
            let kind = data["type"].as_str().unwrap_or_default().to_owned();
            let what = ["content", "tool_name", "error", "status"]
                .iter()
                .find_map(|key| data[*key].as_str())
                .unwrap_or_default()
                .to_owned();
            (kind, what)
        })
        .collect()
}

/// `POST /api/chat/stream`, every block's data.
async fn chat_stream(hub: &TestHub, session: &str, message: &str) -> Vec<Value> {
    let blocks = hub.client.chat_stream(session, message).await;
    blocks.iter().map(|block| block.json().clone()).collect()
}

fn pair(kind: &str, what: &str) -> (String, String) {
    (kind.to_owned(), what.to_owned())
}

#[actix_rt::test]
async fn the_models_chunks_stream_as_they_come_and_it_reads_the_conversation() {
    let gap = Duration::from_millis(5);
    let fake = FakeOpenAi::start(vec![
        Reply::text(&["Hel", "lo!"], gap),
        Reply::text(&["Fine, ", "thanks."], gap),
    ])
    .await;
    let hub = hub_with_model(fake.base_url());

    let blocks = chat_stream(&hub, "model", "hi").await;
    assert_eq!(
        frames(&blocks),
        [
            pair("message", "Hel"),
            pair("message", "lo!"),
            pair("done", "bot_active")
        ]
    );
    assert_eq!(blocks[2]["message"], "Hello!");
    let body = hub.client.chat("model", "how are you?").await;
    assert_eq!(body["message"], "Fine, thanks.");
    assert_eq!(body.get("error"), None, "{body}");

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].body["stream"], true);
    assert_eq!(requests[1].body["max_tokens"], 200);
    assert_eq!(
        requests[1].body["messages"],
        json!([
            {"role": "system", "content": "You answer customers."},
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "how are you?"},
        ])
    );
    let history = hub.client.session("model").await["history"].clone();
    assert_eq!(history[1]["content"], "Hello!");
    assert_eq!(history[3]["content"], "Fine, thanks.");
}

#[actix_rt::test]
async fn a_tool_the_model_calls_shows_in_the_stream() {
    let call = event(&json!({"tool_calls": [{
        "index": 0, "id": "call_1", "type": "function",
        "function": {"name": "calculator", "arguments": "{\"expression\": \"6*7\"}"},
    }]}));
    let tool_round = Reply::raw(&[&call, "data: [DONE]\n\n"]);
    let answer_round = Reply::text(&["42."], Duration::from_millis(5));
    let fake = FakeOpenAi::start(vec![tool_round, answer_round]).await;
    let hub = hub_with_model(fake.base_url());

    let blocks = chat_stream(&hub, "tools", "what is 6*7?").await;
    assert_eq!(
        frames(&blocks),
        [
            pair("tool_call", "calculator"),
            pair("tool_result", "calculator"),
            pair("message", "42."),
            pair("done", "bot_active"),
        ]
    );
    assert_eq!(blocks[0]["params"], json!({"expression": "6*7"}));
    assert_eq!(blocks[1]["result"], 42);
}

#[actix_rt::test]
async fn a_failing_model_is_an_error_an_honest_answer_and_a_failure_for_the_regulator() {
    let fake = FakeOpenAi::start(vec![Reply::Status(500, r#"{"error":"boom"}"#.into())]).await;
    let hub = hub_with_model(fake.base_url());

    let blocks = chat_stream(&hub, "down", "hello").await;
    let kinds: Vec<(String, String)> = frames(&blocks);
    assert_eq!(
        kinds,
        [
            pair("error", "upstream_failed"),
            pair("message", BOT_UNAVAILABLE),
            pair("done", "bot_active"),
        ]
    );
    assert!(
        blocks[0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("500"),
        "{}",
        blocks[0]
    );
    assert_eq!(blocks[2]["interrupted"], "failed");

    let second = hub.client.chat("down", "hello?").await;
    assert_eq!(second["error"]["error"], "upstream_failed", "{second}");
    assert_eq!(second["message"], BOT_UNAVAILABLE);
    assert_eq!(second["interrupted"], "failed");
    assert_eq!(second["escalated"], false);
    let third = hub.client.chat("down", "anyone?").await;
    assert_eq!(third["escalated"], true, "{third}");
    assert_eq!(third["rule"], "bot_failures:3");
    assert_eq!(third["status"], "pending_manual");

    let history = hub.client.session("down").await["history"].clone();
    assert_eq!(history[1]["role"], "assistant");
    assert_eq!(history[1]["content"], BOT_UNAVAILABLE);
    assert_eq!(history[1]["interrupted"], "failed");
}

#[actix_rt::test]
async fn an_https_model_is_spoken_to_over_tls() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("bound").port();
    let first_bytes = actix_rt::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("the hub connects");
        let mut bytes = [0u8; 3];
        tokio::io::AsyncReadExt::read_exact(&mut stream, &mut bytes)
            .await
            .expect("the hub sends");
        bytes
    });
    let hub = hub_with_model(format!("https://127.0.0.1:{port}/v1"));

    let body = hub.client.chat("tls", "hello").await;
    let hello = first_bytes.await.expect("the listener ran");
    assert_eq!(
        hello[0], 0x16,
        "a TLS handshake record, not an HTTP request line: {hello:?}"
    );
    assert_eq!(hello[1], 0x03, "TLS version 3.x: {hello:?}");
    assert_eq!(body["error"]["error"], "upstream_failed", "{body}");
}
