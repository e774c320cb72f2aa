//! The built-in bot on seed 004's agent socket (`/ws/agent`): a calculation or a time question
//! streams `tool_call`, `tool_result` and then the answer built from the result; an FAQ file
//! named in the configuration (`BOT_FAQ_FILE`) replaces the shipped one, in both of its
//! languages; and a file that is missing or malformed stops the hub at start, named.

mod support;

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use support::ws::WsClient;
use support::{TestHub, start_hub, test_config_with};

/// An FAQ file in the temporary folder, removed when dropped.
struct FaqFile(PathBuf);

impl FaqFile {
    /// A file named for `label` and this process, holding `text`.
    fn new(label: &str, text: &str) -> FaqFile {
        let name = format!("switchboard-faq-{label}-{}.json", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, text).expect("write the FAQ file");
        FaqFile(path)
    }
}

impl Drop for FaqFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A hub whose built-in bot streams a chunk every millisecond, answering from `faq_file`.
fn hub_with_faq(faq_file: Option<PathBuf>) -> TestHub {
    start_hub(test_config_with(|config| {
        config.bot.chunk_interval = Duration::from_millis(1);
        config.bot.faq_file = faq_file;
    }))
}

/// An agent socket past its `connected` frame.
async fn agent(hub: &TestHub) -> WsClient {
    let mut ws = hub.socket("/ws/agent").await;
    ws.expect("connected").await;
    ws
}

/// Asks `query` with `streaming_query`; returns the frames between `stream_start` and
/// `stream_end` other than chunks, and the chunks joined.
async fn streamed(ws: &mut WsClient, query: &str) -> (Vec<Value>, String) {
    ws.send_json(json!({"type": "streaming_query", "query": query}))
        .await;
    ws.expect("stream_start").await;
    let (mut others, mut text) = (Vec::new(), String::new());
    loop {
        let frame = ws.recv().await;
        match frame["type"].as_str() {
            Some("stream_chunk") => text.push_str(frame["content"].as_str().expect("content")),
            Some("stream_end") => return (others, text),
            _ => others.push(frame),
        }
    }
}

/// Asks `query` with `agent_query`; returns the answer's content.
async fn answer(ws: &mut WsClient, query: &str) -> String {
    ws.send_json(json!({"type": "agent_query", "query": query}))
        .await;
    ws.expect("status").await;
    let response = ws.expect("agent_response").await;
    assert_eq!(response["vendor"], "builtin", "{response}");
    response["content"].as_str().expect("content").to_owned()
}

#[actix_rt::test]
async fn a_calculation_streams_the_tool_call_its_result_then_the_answer() {
    let hub = hub_with_faq(None);
    let mut ws = agent(&hub).await;
    let (tools, text) = streamed(&mut ws, "what is 6*7").await;
    assert_eq!(tools.len(), 2, "{tools:?}");
    assert_eq!(tools[0]["type"], "tool_call");
    assert_eq!(tools[0]["tool_name"], "calculator");
    assert_eq!(tools[0]["params"], json!({"expression": "6*7"}));
    assert_eq!(tools[1]["type"], "tool_result");
    assert_eq!(tools[1]["tool_name"], "calculator");
    assert_eq!(tools[1]["result"], 42);
    assert_eq!(text, "6*7 = 42");

    let (tools, text) = streamed(&mut ws, "计算 (1+2)*3").await;
    assert_eq!(tools[1]["result"], 9, "{tools:?}");
    assert_eq!(text, "(1+2)*3 = 9");
    assert_eq!(
        answer(&mut ws, "calculate sqrt(16)/2").await,
        "sqrt(16)/2 = 2"
    );
}

#[actix_rt::test]
async fn a_tool_error_is_said_and_the_time_is_told_in_a_named_zone() {
    let hub = hub_with_faq(None);
    let mut ws = agent(&hub).await;
    let (tools, text) = streamed(&mut ws, "what is 1/0").await;
    assert_eq!(
        tools[1]["result"]["error"],
        "division by zero at position 2"
    );
    assert_eq!(
        text,
        "I could not calculate 1/0: division by zero at position 2."
    );

    let (tools, text) = streamed(&mut ws, "What time is it in Tokyo?").await;
    assert_eq!(tools[0]["tool_name"], "time", "{tools:?}");
    assert_eq!(tools[0]["params"], json!({"timezone": "Asia/Tokyo"}));
    assert_eq!(tools[1]["result"]["timezone"], "Asia/Tokyo");
    assert!(text.starts_with("In Asia/Tokyo it is "), "{text}");
    assert!(text.ends_with(" (UTC+09:00)."), "{text}");
}

#[actix_rt::test]
async fn other_questions_are_no_tool_call() {
    let hub = hub_with_faq(None);
    let mut ws = agent(&hub).await;
    for query in ["I have 2 orders", "what time do you open?"] {
        let (others, text) = streamed(&mut ws, query).await;
        assert!(others.is_empty(), "{query}: {others:?}");
        assert!(!text.is_empty(), "{query}");
    }
}

#[actix_rt::test]
async fn an_faq_file_in_the_configuration_answers_in_both_languages() {
    let file = FaqFile::new(
        "answers",
        r#"{
            "fallback": "No idea, sorry.",
            "fallback_zh": "不知道。",
            "entries": [
                {"keywords": ["opening hours", "营业时间"],
                 "answer": "We open at dawn.", "answer_zh": "我们天亮开门。"}
            ]
        }"#,
    );
    let hub = hub_with_faq(Some(file.0.clone()));
    let mut ws = agent(&hub).await;
    assert_eq!(
        answer(&mut ws, "What are your opening hours?").await,
        "We open at dawn."
    );
    assert_eq!(answer(&mut ws, "你们的营业时间？").await, "我们天亮开门。");
    let (_, text) = streamed(&mut ws, "where is my order?").await;
    assert_eq!(text, "No idea, sorry.", "the shipped FAQ is not read");
    assert_eq!(answer(&mut ws, "订单").await, "不知道。");
}

#[actix_rt::test]
async fn a_missing_or_malformed_faq_file_stops_the_hub_at_start() {
    let malformed = FaqFile::new("malformed", r#"{"fallback": "?", "entries": [}"#);
    let missing = std::env::temp_dir().join("switchboard-faq-never-written.json");
    for (path, problem) in [
        (malformed.0.clone(), "is not a valid FAQ: "),
        (missing, "cannot be read: "),
    ] {
        let config = test_config_with(|config| config.bot.faq_file = Some(path.clone()));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let refused = switchboard::start(config, listener).map(drop);
        let message = refused.expect_err("the hub refuses to start").to_string();
        let named = format!("the FAQ file {} (BOT_FAQ_FILE) {problem}", path.display());
        assert!(message.contains(&named), "{message}");
    }
}
