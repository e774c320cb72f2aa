//! Seed 002's interview socket on the `openai` backend, end to end against a fake
//! OpenAI-compatible server started in the test: the model's text is the `ai_response`, every
//! other field of the seed is there and typed, chosen by the built-in interviewer's rules; the
//! request carries the interviewer's system prompt, the earlier exchanges (bounded by
//! `BOT_HISTORY_TURNS`) and the answer, and no tools; two answers sent at once are answered in
//! order; a 500, a malformed chunk, a stall and a refused connection each give an
//! `upstream_failed` error, store nothing, and leave the socket serving; the exchanges survive a
//! reconnect with the session id.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use switchboard_actors::bot::bot_config::BackendKind;

use support::fake_openai::{FakeOpenAi, Reply, event, roles};
use support::interview::{answer, assert_interview_alive, expect_interview_error, open_interview};
use support::{TestHub, start_hub, test_config_with};

/// A hub whose interviewer asks the model at `base_url`, reading one earlier exchange and
/// waiting at most `timeout`.
fn hub_with_model(base_url: String, timeout: Duration) -> TestHub {
    start_hub(test_config_with(|config| {
        config.bot.backend = BackendKind::Openai;
        config.bot.openai_base_url = base_url;
        config.bot.openai_model = "interview-model".into();
        config.bot.history_turns = 1;
        config.bot.timeout = timeout;
    }))
}

/// A streamed answer of `text` cut in three, 5 ms apart.
fn said(text: &str) -> Reply {
    let third = text.len() / 3;
    let (first, rest) = text.split_at(third);
    let (second, last) = rest.split_at(third);
    Reply::text(&[first, second, last], Duration::from_millis(5))
}

/// Sends `text` as `text_input` on the session `session_id`.
async fn send_answer(ws: &mut support::ws::WsClient, session_id: &str, text: &str) {
    ws.send_json(json!({"type": "text_input", "session_id": session_id,
        "data": {"text": text, "context": ""}}))
        .await;
}

/// The system prompt of a request.
fn prompt(request: &Value) -> &str {
    request["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
}

const WELCOME: &str = "Welcome! Could you tell me about your background and your last role?";
const TECHNICAL: &str = "Thank you. Which systems have you built, and with what?";
const RICH: &str = "I worked five years at a company in a senior role after my university \
    degree, with experience in every part of the work; I led the backend and database team.";

#[actix_rt::test]
async fn the_model_writes_the_questions_and_the_interviewer_keeps_the_fields() {
    let replies = vec![
        said(WELCOME),
        said(TECHNICAL),
        said("And how do you work with a team?"),
    ];
    let fake = FakeOpenAi::start(replies).await;
    let hub = hub_with_model(fake.base_url(), Duration::from_secs(5));
    let (mut ws, _) = open_interview(&hub, "/api/v1/ws/model-writes").await;

    let reply = answer(
        &mut ws,
        "model-writes",
        "Hello, I'm ready for the interview.",
    )
    .await;
    assert_eq!(reply["ai_response"], WELCOME, "{reply}");
    assert_eq!(reply["strategy_used"], "opening", "{reply}");
    assert_eq!(reply["focus_area"], "background", "{reply}");
    assert_eq!(reply["response_type"], "question", "{reply}");
    let keys: BTreeSet<&str> = reply
        .as_object()
        .map(|data| data.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let seed = [
        "user_input",
        "ai_response",
        "response_type",
        "strategy_used",
        "focus_area",
        "confidence",
        "processing_time",
    ];
    assert_eq!(keys, BTreeSet::from(seed), "the seed's fields and no more");
    assert!(
        reply["confidence"]
            .as_f64()
            .is_some_and(|c| (0.0..=1.0).contains(&c))
    );
    assert!(reply["processing_time"].as_f64().is_some_and(|t| t >= 0.0));

    let reply = answer(&mut ws, "model-writes", RICH).await;
    assert_eq!(reply["ai_response"], TECHNICAL, "{reply}");
    assert_eq!(reply["strategy_used"], "broaden", "{reply}");
    assert_eq!(reply["focus_area"], "technical_skills", "{reply}");
    answer(&mut ws, "model-writes", "I build services in Rust.").await;

    let requests: Vec<Value> = fake.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first["model"], "interview-model");
    assert_eq!(first["stream"], true);
    assert!(first.get("tools").is_none(), "no tools: {first}");
    let opening = prompt(first);
    for expected in [
        "job interview",
        "Interview style: formal",
        "Strategy: opening",
    ] {
        assert!(opening.contains(expected), "{expected:?} in {opening}");
    }
    let second = &requests[1];
    assert!(prompt(second).contains("Strategy: broaden"), "{second}");
    assert!(
        prompt(second).contains("Covered so far: background."),
        "{second}"
    );
    assert_eq!(
        roles(second)[1..],
        [
            json!(["user", "Hello, I'm ready for the interview."]),
            json!(["assistant", WELCOME]),
            json!(["user", RICH]),
        ]
    );
    assert_eq!(
        roles(&requests[2])[1..],
        [
            json!(["user", RICH]),
            json!(["assistant", TECHNICAL]),
            json!(["user", "I build services in Rust."]),
        ],
        "one earlier exchange (BOT_HISTORY_TURNS)"
    );
    ws.close().await;

    let (mut ws, connected) = open_interview(&hub, "/api/v1/ws/model-writes").await;
    assert_eq!(connected["data"]["resumed"], true, "{connected}");
    assert_eq!(connected["data"]["exchanges"], 3, "{connected}");
    let (status, body) = hub.get("/api/v1/websocket/sessions/model-writes").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["history"][0]["ai_response"], WELCOME, "{body}");
    assert_eq!(
        body["data"]["history"][1]["ai_response"], TECHNICAL,
        "{body}"
    );
    assert_interview_alive(&mut ws).await;
}

#[actix_rt::test]
async fn two_answers_sent_at_once_are_answered_in_order() {
    let slow = Reply::text(
        &["Welcome! ", "Tell me ", "about you?"],
        Duration::from_millis(60),
    );
    let fake = FakeOpenAi::start(vec![slow, said(TECHNICAL)]).await;
    let hub = hub_with_model(fake.base_url(), Duration::from_secs(5));
    let (mut ws, _) = open_interview(&hub, "/api/v1/ws/in-order").await;
    send_answer(&mut ws, "in-order", "Hello").await;
    send_answer(&mut ws, "in-order", RICH).await;
    let first = ws.expect("ai_response").await;
    assert_eq!(first["data"]["user_input"], "Hello", "{first}");
    assert_eq!(first["data"]["ai_response"], "Welcome! Tell me about you?");
    let second = ws.expect("ai_response").await;
    assert_eq!(second["data"]["user_input"], RICH, "{second}");
    assert_eq!(second["data"]["ai_response"], TECHNICAL, "{second}");
    let asked = fake.requests();
    assert_eq!(
        roles(&asked[1].body)[2],
        json!(["assistant", "Welcome! Tell me about you?"]),
        "the second turn was asked after the first was written"
    );
}

#[actix_rt::test]
async fn a_failing_model_gives_an_error_stores_nothing_and_the_next_answer_works() {
    let broken = Reply::raw(&[
        &event(&json!({"content": "Hi"})),
        "data: {\"choices\": [\n\n",
    ]);
    let stall = Reply::Stream {
        writes: vec![(Duration::ZERO, event(&json!({"content": "Hi"})))],
        stall: true,
    };
    let server_error = Reply::Status(500, r#"{"error":{"message":"on fire"}}"#.into());
    let replies = vec![server_error, broken, stall, said(WELCOME)];
    let fake = FakeOpenAi::start(replies).await;
    let hub = hub_with_model(fake.base_url(), Duration::from_millis(300));
    let (mut ws, _) = open_interview(&hub, "/api/v1/ws/failing").await;
    for says in [
        "500 Internal Server Error",
        "not JSON",
        "sent nothing for 300ms",
    ] {
        send_answer(&mut ws, "failing", "Hello").await;
        let error = expect_interview_error(&mut ws, "upstream_failed").await;
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{message:?} should say {says:?}");
        assert_interview_alive(&mut ws).await;
    }
    let reply = answer(&mut ws, "failing", "Hello").await;
    assert_eq!(reply["ai_response"], WELCOME, "{reply}");
    assert_eq!(
        reply["strategy_used"], "opening",
        "the failures moved nothing: {reply}"
    );
    let (_, body) = hub.get("/api/v1/websocket/sessions/failing").await;
    assert_eq!(body["data"]["exchange_count"], 1, "{body}");
    assert_eq!(body["data"]["history"].as_array().map(Vec::len), Some(1));
}

#[actix_rt::test]
async fn a_model_nobody_serves_gives_an_error_on_a_socket_that_stays_open() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = closed.local_addr().expect("local addr");
    drop(closed);
    let hub = hub_with_model(format!("http://{addr}/v1"), Duration::from_millis(300));
    let (mut ws, _) = open_interview(&hub, "/api/v1/ws/nobody").await;
    send_answer(&mut ws, "nobody", "Hello").await;
    let error = expect_interview_error(&mut ws, "upstream_failed").await;
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("could not reach the model"), "{message}");
    assert_interview_alive(&mut ws).await;
    let (_, body) = hub.get("/api/v1/websocket/sessions/nobody").await;
    assert_eq!(body["data"]["exchange_count"], 0, "{body}");
}
