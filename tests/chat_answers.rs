//! Seed 001's chat turn while the bot is still answering, with the built-in bot streaming
//! slowly: `POST /api/chat/cancel` cuts the answer short, and so do a client that leaves and an
//! escalation. Each time the stream (when someone still reads it) ends with `done` marked
//! `interrupted: cancelled`, and the history keeps exactly what was sent, marked the same way,
//! before whatever came next. A newer line waits for the answer in flight and is answered
//! after it; past the limit of waiting lines, a line is refused with 429.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::{Value, json};
use switchboard_actors::takeover::session::user_lines::MOST_WAITING_LINES;

use support::sse::{SseStream, streaming_client};
use support::{HubClient, TestHub, eventually, start_hub, test_config_with};

/// A hub whose built-in bot sends a chunk every 200 ms: an answer takes seconds, so a test
/// cuts it short long before its end.
fn slow_hub() -> TestHub {
    start_hub(test_config_with(|config| {
        config.bot.chunk_interval = Duration::from_millis(200);
    }))
}

/// The built-in bot's whole answer to `message`, from a turn on a session of its own.
async fn whole_answer(client: &HubClient, message: &str) -> String {
    let body = client.chat("reference", message).await;
    body["message"]
        .as_str()
        .expect("the bot answers")
        .to_owned()
}

/// `POST /api/chat/stream` on `session`, read up to its first chunk of answer (returned).
async fn stream_started(client: &HubClient, session: &str, message: &str) -> (SseStream, String) {
    let request = streaming_client().post(client.url("/api/chat/stream"));
    let body = json!({"session_name": session, "message": message});
    let mut stream = SseStream::open(request, Some(body)).await;
    assert_eq!(stream.status, 200);
    let first = stream.next_data().await;
    let first = first.json();
    assert_eq!(first["type"], "message", "{first}");
    let chunk = first["content"].as_str().expect("chunk text").to_owned();
    (stream, chunk)
}

/// Reads the rest of a chat stream: the chunks that still come, and `done`.
async fn stream_rest(mut stream: SseStream, mut text: String) -> (String, Value) {
    loop {
        let block = stream.next_data().await;
        let data = block.json().clone();
        match data["type"].as_str() {
            Some("message") if block.id.is_none() => {
                text.push_str(data["content"].as_str().expect("chunk text"))
            }
            Some("done") => return (text, data),
            _ => {}
        }
    }
}

/// The session's history.
async fn history(client: &HubClient, session: &str) -> Vec<Value> {
    let session = client.session(session).await;
    session["history"].as_array().cloned().unwrap_or_default()
}

/// `(role, content, interrupted)` of each message of a history.
fn lines(history: &[Value]) -> Vec<(String, String, Option<String>)> {
    history
        .iter()
        .map(|entry| {
            let text = |key: &str| entry[key].as_str().map(str::to_owned);
            (
                text("role").unwrap_or_default(),
                text("content").unwrap_or_default(),
                text("interrupted"),
            )
        })
        .collect()
}

/// Asserts that `sent` is a strict, non-empty beginning of `whole`.
fn assert_cut_short(sent: &str, whole: &str) {
    assert!(!sent.is_empty(), "something was sent");
    assert!(
        whole.starts_with(sent) && sent.len() < whole.len(),
        "{sent:?} is a strict beginning of {whole:?}"
    );
}

#[actix_rt::test]
async fn a_cancel_ends_the_stream_and_keeps_what_was_sent_marked_cancelled() {
    let hub = slow_hub();
    let client = &hub.client;
    let whole = whole_answer(client, "hello").await;
    let (stream, first) = stream_started(client, "cut", "hello").await;

    let (status, body) = client
        .post("/api/chat/cancel", json!({"session_name": "cut"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"success": true, "session_name": "cut", "cancelled": true})
    );
    let (sent, done) = stream_rest(stream, first).await;
    assert_cut_short(&sent, &whole);
    assert_eq!(done["interrupted"], "cancelled", "{done}");
    assert_eq!(done["message"], sent.as_str(), "{done}");
    assert_eq!(done["status"], "bot_active");

    let lines = lines(&history(client, "cut").await);
    let cancelled = Some("cancelled".to_owned());
    assert_eq!(
        lines,
        [
            ("user".into(), "hello".into(), None),
            ("assistant".into(), sent, cancelled)
        ]
    );

    let (status, again) = client
        .post("/api/chat/cancel", json!({"session_name": "cut"}))
        .await;
    assert_eq!((status, &again["cancelled"]), (200, &json!(false)));
    let (status, unknown) = client
        .post("/api/chat/cancel", json!({"session_name": "nobody"}))
        .await;
    assert_eq!(status, 404, "{unknown}");
    assert_eq!(unknown["error"], "session_not_found");
}

#[actix_rt::test]
async fn a_client_that_leaves_mid_answer_cancels_it() {
    let hub = slow_hub();
    let client = &hub.client;
    let whole = whole_answer(client, "hello").await;
    let (stream, first) = stream_started(client, "left", "hello").await;
    drop(stream);

    let (content, interrupted) = eventually("the cut answer is stored", async || {
        let lines = lines(&history(client, "left").await);
        let (role, content, interrupted) = lines.get(1)?.clone();
        (role == "assistant").then_some((content, interrupted))
    })
    .await;
    assert_eq!(interrupted.as_deref(), Some("cancelled"));
    assert!(
        content.starts_with(&first),
        "{content:?} begins with {first:?}"
    );
    assert_cut_short(&content, &whole);
}

#[actix_rt::test]
async fn a_newer_line_waits_for_the_answer_in_flight_and_is_answered_after_it() {
    let hub = slow_hub();
    let client = &hub.client;
    let whole = whole_answer(client, "thanks").await;
    let (stream, first) = stream_started(client, "newer", "thanks").await;

    let (next, (sent, done)) =
        futures_util::future::join(client.chat("newer", "hello"), stream_rest(stream, first)).await;
    assert_eq!(sent, whole, "the first answer is whole");
    assert_eq!(done.get("interrupted"), None, "{done}");
    let hello = next["message"].as_str().expect("answered").to_owned();
    assert_eq!(next.get("interrupted"), None, "{next}");

    let lines = lines(&history(client, "newer").await);
    assert_eq!(
        lines,
        [
            ("user".into(), "thanks".into(), None),
            ("assistant".into(), whole, None),
            ("user".into(), "hello".into(), None),
            ("assistant".into(), hello, None),
        ]
    );
}

#[actix_rt::test]
async fn an_escalation_cuts_the_answer_short_before_the_handover() {
    let hub = slow_hub();
    let client = &hub.client;
    let (mut stream, first) = stream_started(client, "handover", "hello").await;

    let session = client.escalate("handover", "user_request").await;
    assert_eq!(session["status"], "pending_manual", "{session}");
    let mut sent = first;
    let mut changes = Vec::new();
    let done = loop {
        let block = stream.next_data().await;
        let data = block.json().clone();
        match data["type"].as_str() {
            Some("message") => sent.push_str(data["content"].as_str().expect("chunk text")),
            Some("status_change") => changes.push(data["status"].clone()),
            Some("done") => break data,
            _ => {}
        }
    };
    assert_eq!(done["interrupted"], "cancelled", "{done}");
    assert_eq!(
        done["status"], "pending_manual",
        "the turn ends after the handover: {done}"
    );
    assert_eq!(
        changes,
        [json!("pending_manual")],
        "the stream shows the handover"
    );

    let history = history(client, "handover").await;
    let last = history.last().expect("the cut answer");
    assert_eq!(last["role"], "assistant");
    assert_eq!(last["content"], sent.as_str());
    assert_eq!(last["interrupted"], "cancelled");
}

#[actix_rt::test]
async fn lines_beyond_the_waiting_limit_are_refused_and_the_rest_answered_in_turn() {
    let hub = slow_hub();
    let client = &hub.client;
    let (_stream, _) = stream_started(client, "busy", "hello").await;
    let offered = MOST_WAITING_LINES + 2;
    let mut lines: FuturesUnordered<_> = (0..offered)
        .map(|_| {
            client.post(
                "/api/chat",
                json!({"session_name": "busy", "message": "thanks"}),
            )
        })
        .collect();

    let mut refused = Vec::new();
    while refused.len() < offered - MOST_WAITING_LINES {
        let (status, body) = lines.next().await.expect("a line is answered");
        assert_eq!(
            status, 429,
            "only refusals come while the answer runs: {body}"
        );
        refused.push(body);
    }
    for body in &refused {
        assert_eq!(body["error"], "too_many_lines", "{body}");
    }
    let (status, cancelled) = client
        .post("/api/chat/cancel", json!({"session_name": "busy"}))
        .await;
    assert_eq!((status, &cancelled["cancelled"]), (200, &json!(true)));
    let mut answered = 0;
    while let Some((status, body)) = lines.next().await {
        assert_eq!(status, 200, "{body}");
        assert!(body["message"].is_string(), "{body}");
        answered += 1;
    }
    assert_eq!(answered, MOST_WAITING_LINES);
}
