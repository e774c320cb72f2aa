//! Seed 001's streaming chat, `POST /api/chat/stream`: the bot's answer in `message` chunks
//! that join to the whole answer and a closing `done`; the status changes, notices and agent
//! messages queued since the last streaming turn come first (each with its `id:`), exactly once;
//! the turn's own escalation notice and status change follow the answer; while a human is asked
//! for or holds the session there is no bot answer.

mod support;

use serde_json::{Value, json};
use switchboard_actors::bot::builtin::{FALLBACK, GREETING, THANKS};
use switchboard_actors::takeover::takeover_config::{
    DEFAULT_ESCALATION_NOTICE, DEFAULT_RELEASE_NOTICE,
};

use support::sse::{SseBlock, SseStream, streaming_client};
use support::takeover::keys;
use support::{HubClient, start_hub, test_config};

/// A streamed turn cut into its three parts: the events with ids before the answer, the
/// answer's chunks, and the events with ids after it; `done` is checked and returned last.
struct Streamed {
    /// Events with ids sent before the answer.
    before: Vec<Value>,
    /// The answer's chunks, in order.
    chunks: Vec<String>,
    /// Events with ids sent after the answer.
    after: Vec<Value>,
    /// The closing `done` event.
    done: Value,
}

/// Cuts a streamed turn; events up to `prior` (the session's last seq before the turn) were
/// queued, later ones are the turn's own. Checks that queued events precede every chunk and the
/// turn's own events follow them.
fn split(blocks: Vec<SseBlock>, prior: u64) -> Streamed {
    let (done, rest) = blocks.split_last().expect("at least done");
    assert_eq!(done.id, None, "done has no id");
    let done = done.json().clone();
    assert_eq!(done["type"], "done", "the stream ends with done: {done}");
    assert_eq!(keys(&done), ["message", "session_name", "status", "type"]);
    let mut streamed = Streamed {
        before: Vec::new(),
        chunks: Vec::new(),
        after: Vec::new(),
        done,
    };
    for block in rest {
        let data = block.json().clone();
        if data["type"] == "message" && block.id.is_none() {
            assert_eq!(keys(&data), ["content", "type"], "a chunk: {data}");
            assert!(
                streamed.after.is_empty(),
                "chunks come before the turn's own events"
            );
            streamed
                .chunks
                .push(data["content"].as_str().expect("chunk text").to_owned());
            continue;
        }
        let seq = data["seq"].as_u64().expect("seq");
        assert_eq!(block.id, Some(seq), "events carry id = seq: {data}");
        if seq <= prior {
            assert!(
                streamed.chunks.is_empty() && streamed.after.is_empty(),
                "queued events come first: {data}"
            );
            streamed.before.push(data);
        } else {
            streamed.after.push(data);
        }
    }
    streamed
}

/// `(type, seq)` of events.
fn kinds(events: &[Value]) -> Vec<(String, u64)> {
    events
        .iter()
        .map(|event| {
            (
                event["type"].as_str().expect("type").to_owned(),
                event["seq"].as_u64().expect("seq"),
            )
        })
        .collect()
}

/// One streamed turn on `name`, cut into its parts.
async fn stream_turn(hub: &HubClient, name: &str, text: &str) -> Streamed {
    let (status, session) = hub.get(&format!("/api/sessions/{name}")).await;
    let prior = match status {
        200 => session["last_seq"].as_u64().expect("last_seq"),
        _ => 0,
    };
    split(hub.chat_stream(name, text).await, prior)
}

#[actix_rt::test]
async fn the_answer_arrives_in_chunks_then_done() {
    let hub = start_hub(test_config());
    let name = "chunks";
    let turn = stream_turn(&hub, name, "hello").await;
    assert!(turn.before.is_empty() && turn.after.is_empty());
    assert!(
        turn.chunks.len() > 1,
        "a long answer is cut: {:?}",
        turn.chunks
    );
    assert_eq!(turn.chunks.concat(), GREETING);
    assert_eq!(
        turn.done,
        json!({"type": "done", "session_name": name, "status": "bot_active", "message": GREETING})
    );

    let session = hub.session(name).await;
    assert_eq!(session["last_seq"], 2);
    assert_eq!(session["history"][1]["content"], GREETING);

    // The content alias and a generated name work here too.
    let blocks = SseStream::open(
        streaming_client().post(hub.url("/api/chat/stream")),
        Some(json!({"content": "thanks"})),
    )
    .await
    .read_to_end()
    .await;
    let turn = split(blocks, 0);
    assert_eq!(turn.chunks.concat(), THANKS);
    assert!(
        turn.done["session_name"]
            .as_str()
            .is_some_and(|n| n.starts_with("session_")),
        "{}",
        turn.done
    );
}

#[actix_rt::test]
async fn events_queued_while_no_stream_was_open_come_first_and_once() {
    let hub = start_hub(test_config());
    let name = "queued";
    stream_turn(&hub, name, "hello").await;

    hub.escalate(name, "user_request").await; // 3
    hub.agent_says(name, "a1", "Agent here, all sorted").await; // 4 claim, 5 message
    hub.user_says(name, "thank you").await; // 6: written elsewhere, so the stream brings it
    hub.release(name).await; // 7 notice, 8 status change

    let turn = stream_turn(&hub, name, "thanks").await;
    assert_eq!(
        kinds(&turn.before),
        [
            ("status_change".into(), 3),
            ("status_change".into(), 4),
            ("manual_message".into(), 5),
            ("manual_message".into(), 6),
            ("system".into(), 7),
            ("status_change".into(), 8),
        ],
        "{:?}",
        turn.before
    );
    assert_eq!(turn.before[0]["status"], "pending_manual");
    assert_eq!(turn.before[1]["status"], "manual_live");
    assert_eq!(turn.before[2]["role"], "agent");
    assert_eq!(turn.before[2]["agent_id"], "a1");
    assert_eq!(turn.before[2]["content"], "Agent here, all sorted");
    assert_eq!(turn.before[3]["role"], "user");
    assert_eq!(turn.before[3]["content"], "thank you");
    assert_eq!(turn.before[3]["agent_id"], Value::Null);
    assert_eq!(turn.before[4]["content"], DEFAULT_RELEASE_NOTICE);
    assert_eq!(turn.before[5]["status"], "bot_active");
    assert_eq!(turn.chunks.concat(), THANKS);
    assert!(turn.after.is_empty(), "the turn itself changed no status");
    assert_eq!(turn.done["status"], "bot_active");
    assert_eq!(turn.done["message"], THANKS);

    let again = stream_turn(&hub, name, "hello").await;
    assert!(
        again.before.is_empty(),
        "queued events are delivered once: {:?}",
        again.before
    );
    assert_eq!(again.chunks.concat(), GREETING);
}

#[actix_rt::test]
async fn plain_chat_turns_leave_the_queue_for_the_next_streaming_turn() {
    let hub = start_hub(test_config());
    let name = "mixed";
    hub.chat(name, "hello").await; // 1, 2
    hub.escalate(name, "user_request").await; // 3
    hub.agent_says(name, "a1", "hello from a1").await; // 4, 5
    let plain = hub.chat(name, "plain turn").await; // 6
    assert_eq!(plain["message"], Value::Null);

    let turn = stream_turn(&hub, name, "streamed turn").await; // 7
    assert_eq!(
        kinds(&turn.before),
        [
            ("status_change".into(), 3),
            ("status_change".into(), 4),
            ("manual_message".into(), 5),
            ("manual_message".into(), 6),
        ]
    );
    assert_eq!(turn.before[3]["content"], "plain turn");
    assert!(
        turn.chunks.is_empty(),
        "no bot answer while the agent holds the session"
    );
    assert!(
        turn.after.is_empty(),
        "the user's own message is not pushed back"
    );
    assert_eq!(
        turn.done,
        json!({"type": "done", "session_name": name, "status": "manual_live", "message": null})
    );

    hub.agent_says(name, "a1", "anything else?").await; // 8
    let turn = stream_turn(&hub, name, "no, bye").await; // 9
    assert_eq!(kinds(&turn.before), [("manual_message".into(), 8)]);
    assert_eq!(turn.before[0]["content"], "anything else?");
    let session = hub.session(name).await;
    assert_eq!(session["last_seq"], 9);
    assert_eq!(session["history"][6]["content"], "no, bye");
}

#[actix_rt::test]
async fn a_keyword_escalation_streams_the_notice_and_the_status_after_the_turn() {
    let hub = start_hub(test_config());
    let name = "keyword";
    let turn = stream_turn(&hub, name, "我要转人工").await;
    assert!(turn.before.is_empty());
    assert!(turn.chunks.is_empty(), "the bot does not answer a keyword");
    assert_eq!(
        kinds(&turn.after),
        [("system".into(), 2), ("status_change".into(), 3)]
    );
    assert_eq!(turn.after[0]["content"], DEFAULT_ESCALATION_NOTICE);
    assert_eq!(turn.after[1]["status"], "pending_manual");
    assert_eq!(turn.after[1]["reason"], "regulator_triggered");
    assert_eq!(turn.done["status"], "pending_manual");
    assert_eq!(turn.done["message"], Value::Null);

    let next = stream_turn(&hub, name, "hello?").await;
    assert!(
        next.before.is_empty(),
        "the turn's own events were already streamed: {:?}",
        next.before
    );
    assert_eq!(next.done["status"], "pending_manual");
}

#[actix_rt::test]
async fn a_failure_escalation_streams_the_answer_then_the_notice() {
    let hub = start_hub(test_config());
    let name = "failures";
    for _ in 0..2 {
        let turn = stream_turn(&hub, name, "qwerty").await;
        assert_eq!(turn.chunks.concat(), FALLBACK);
        assert!(turn.after.is_empty());
        assert_eq!(turn.done["status"], "bot_active");
    }
    let turn = stream_turn(&hub, name, "qwerty").await;
    assert_eq!(
        turn.chunks.concat(),
        FALLBACK,
        "the third answer is still sent"
    );
    assert_eq!(
        kinds(&turn.after),
        [("system".into(), 7), ("status_change".into(), 8)]
    );
    assert_eq!(turn.after[1]["reason"], "regulator_triggered");
    assert_eq!(turn.done["status"], "pending_manual");
    assert_eq!(turn.done["message"], FALLBACK);
    assert_eq!(
        hub.session(name).await["escalation"]["rule"],
        "bot_failures:3"
    );
}
