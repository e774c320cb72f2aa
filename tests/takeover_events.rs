//! Seed 001's event stream, `GET /api/sessions/{name}/events`, read with a real HTTP client:
//! every change arrives in order as `id: <seq>` plus one JSON `data:` line with the exact shape
//! of its type; quiet streams carry `: keep-alive` comments; a client that reconnects with
//! `Last-Event-ID` (or `?last_event_id=`) gets what it missed exactly once; a subscriber that
//! falls behind is cut off and resumes without gaps; the subscriber limit is a 429; shutdown
//! ends the streams.

mod support;

use serde_json::{Value, json};
use switchboard_actors::bot::builtin::GREETING;
use switchboard_actors::takeover::takeover_config::{
    DEFAULT_ESCALATION_NOTICE, DEFAULT_RELEASE_NOTICE,
};

use support::sse::{SseStream, streaming_client};
use support::takeover::{assert_error, keys};
use support::{HubClient, eventually, start_hub, test_config, test_config_with};

/// Unix seconds now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// Asserts the exact key set of each event type and a plausible timestamp.
fn assert_shape(event: &Value, started: i64) {
    let expected: &[&str] = match event["type"].as_str() {
        Some("status_change") => &["reason", "seq", "status", "timestamp", "type"],
        Some("manual_message") => &[
            "agent_id",
            "agent_name",
            "content",
            "role",
            "seq",
            "timestamp",
            "type",
        ],
        Some("system") | Some("message") => &["content", "role", "seq", "timestamp", "type"],
        other => panic!("unknown event type {other:?} in {event}"),
    };
    assert_eq!(keys(event), expected, "{event}");
    let timestamp = event["timestamp"].as_i64().expect("unix seconds");
    assert!(
        (started - 1..=now() + 1).contains(&timestamp),
        "timestamp {timestamp} in {event}"
    );
}

/// Reads data events until one with `seq == last` arrives; returns them all.
async fn read_through(stream: &mut SseStream, last: u64) -> Vec<Value> {
    let mut events = Vec::new();
    loop {
        let block = stream.next_data().await;
        let data = block.json().clone();
        assert_eq!(block.id, data["seq"].as_u64(), "id: equals seq: {data}");
        let seq = data["seq"].as_u64().expect("seq");
        events.push(data);
        if seq >= last {
            return events;
        }
    }
}

/// The `seq` of every event.
fn seqs(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|event| event["seq"].as_u64().expect("seq"))
        .collect()
}

/// Opens the events stream with an arbitrary request (query form, both header and query).
async fn follow_with(hub: &HubClient, path_and_query: &str, header: Option<&str>) -> SseStream {
    let mut request = streaming_client().get(hub.url(path_and_query));
    if let Some(header) = header {
        request = request.insert_header(("Last-Event-ID", header));
    }
    let mut stream = SseStream::open(request, None).await;
    assert_eq!(stream.status, 200, "{path_and_query}");
    let opening = stream.next_block().await.expect("opening block");
    assert_eq!(opening.retry, Some(2000));
    stream
}

#[actix_rt::test]
async fn every_change_arrives_in_order_with_its_exact_shape() {
    let hub = start_hub(test_config());
    let started = now();
    let name = "shapes";
    hub.chat(name, "hello").await;

    let mut events = hub.follow(name, None).await;
    let mut second = hub.follow(name, None).await;
    let opening = events.opening.clone().expect("opening");
    assert_eq!(
        opening.comments,
        [format!("following {name} from seq 2")],
        "without Last-Event-ID the stream starts after the last event"
    );

    hub.escalate(name, "user_request").await;
    hub.chat(name, "still there?").await;
    hub.agent_says(name, "a1", "Hi, Agent a1 here").await;
    hub.user_says(name, "great").await;
    hub.release(name).await;
    hub.chat(name, "hello").await;
    let turn = hub.chat(name, "我要转人工").await;
    assert_eq!(turn["rule"], "keyword:转人工");

    let expected = [
        json!({"type": "status_change", "status": "pending_manual", "reason": "user_request", "seq": 3}),
        json!({"type": "manual_message", "role": "user", "content": "still there?",
               "agent_id": null, "agent_name": null, "seq": 4}),
        json!({"type": "status_change", "status": "manual_live", "reason": "agent_joined", "seq": 5}),
        json!({"type": "manual_message", "role": "agent", "content": "Hi, Agent a1 here",
               "agent_id": "a1", "agent_name": "Agent a1", "seq": 6}),
        json!({"type": "manual_message", "role": "user", "content": "great",
               "agent_id": null, "agent_name": null, "seq": 7}),
        json!({"type": "system", "role": "system", "content": DEFAULT_RELEASE_NOTICE, "seq": 8}),
        json!({"type": "status_change", "status": "bot_active", "reason": "released", "seq": 9}),
        json!({"type": "message", "role": "user", "content": "hello", "seq": 10}),
        json!({"type": "message", "role": "assistant", "content": GREETING, "seq": 11}),
        json!({"type": "message", "role": "user", "content": "我要转人工", "seq": 12}),
        json!({"type": "system", "role": "system", "content": DEFAULT_ESCALATION_NOTICE, "seq": 13}),
        json!({"type": "status_change", "status": "pending_manual",
               "reason": "regulator_triggered", "seq": 14}),
    ];
    for stream in [&mut events, &mut second] {
        let received = read_through(stream, 14).await;
        assert_eq!(seqs(&received), (3..=14).collect::<Vec<_>>());
        for (event, want) in received.iter().zip(&expected) {
            assert_shape(event, started);
            let mut without_time = event.clone();
            without_time
                .as_object_mut()
                .expect("object")
                .remove("timestamp");
            assert_eq!(&without_time, want);
        }
    }
}

#[actix_rt::test]
async fn quiet_streams_carry_keep_alive_comments() {
    let hub = start_hub(test_config());
    let name = "quiet";
    hub.chat(name, "hello").await;
    let mut events = hub.follow(name, None).await;

    for _ in 0..2 {
        let block = events.next_comment().await;
        assert_eq!(block.comments, ["keep-alive"], "{block:?}");
        assert_eq!(block.id, None);
    }

    hub.escalate(name, "user_request").await;
    let change = events.expect_event("status_change").await;
    assert_eq!(change["seq"], 3);
    let block = events.next_comment().await;
    assert_eq!(
        block.comments,
        ["keep-alive"],
        "keep-alives continue after an event"
    );
    assert_eq!(block.id, None);
}

#[actix_rt::test]
async fn resuming_with_last_event_id_misses_nothing_and_repeats_nothing() {
    let hub = start_hub(test_config());
    let name = "resume";
    hub.chat(name, "hello").await;

    // Connected: read part of what happens, then drop the connection.
    let mut events = hub.follow(name, None).await;
    hub.escalate(name, "user_request").await;
    hub.agent_says(name, "a1", "first").await;
    hub.user_says(name, "reply").await;
    let mut seen = vec![
        events.expect_event("status_change").await,
        events.expect_event("status_change").await,
    ];
    let last_id = seen.last().and_then(|e| e["seq"].as_u64()).expect("seq");
    assert_eq!(last_id, 4);
    drop(events);

    // Disconnected: more happens.
    hub.chat(name, "via chat").await;
    hub.agent_says(name, "a1", "second").await;
    hub.release(name).await;
    hub.chat(name, "hello").await;
    let last_seq = hub.session(name).await["last_seq"]
        .as_u64()
        .expect("last_seq");
    assert_eq!(last_seq, 12);

    // Reconnected with the last id: the rest, then live events.
    let mut resumed = hub.follow(name, Some(last_id)).await;
    assert_eq!(
        resumed.opening.clone().expect("opening").comments,
        [format!("following {name} from seq {last_id}")]
    );
    seen.extend(read_through(&mut resumed, last_seq).await);
    hub.escalate(name, "user_request").await;
    seen.push(resumed.expect_event("status_change").await);
    assert_eq!(
        seqs(&seen),
        (3..=13).collect::<Vec<_>>(),
        "contiguous, nothing missed, nothing twice"
    );

    // Nothing after the live event: the next event the stream delivers is one caused now.
    let live_seq = seen.last().and_then(|e| e["seq"].as_u64()).expect("seq");
    let written = hub.user_says(name, "one more").await;
    let next = resumed.expect_event("manual_message").await;
    assert_eq!(next["content"], "one more", "{next}");
    assert_eq!(next["seq"], written["last_seq"], "{next}");
    assert_eq!(next["seq"], live_seq + 1, "nothing came in between: {next}");

    // Live and replayed frames are the same JSON: a full replay from 0 matches.
    let mut full = hub.follow(name, Some(0)).await;
    let replayed = read_through(&mut full, 13).await;
    assert_eq!(seqs(&replayed), (1..=13).collect::<Vec<_>>());
    assert_eq!(
        &replayed[2..],
        &seen[..],
        "replay equals what was seen live"
    );
    assert_eq!(replayed[0]["type"], "message");
    assert_eq!(replayed[0]["role"], "user");

    resume_by_query_and_header(&hub, name).await;
}

/// Resumes `name`, whose last event is seq 13 or later, in the query form, and with both the
/// header and the query, where the header wins.
async fn resume_by_query_and_header(hub: &HubClient, name: &str) {
    // The query form, and the header winning over it.
    let mut by_query = follow_with(
        hub,
        &format!("/api/sessions/{name}/events?last_event_id=10"),
        None,
    )
    .await;
    let from_query = read_through(&mut by_query, 13).await;
    assert_eq!(seqs(&from_query), [11, 12, 13]);
    let mut both = follow_with(
        hub,
        &format!("/api/sessions/{name}/events?last_event_id=0"),
        Some(" 12 "),
    )
    .await;
    let from_header = read_through(&mut both, 13).await;
    assert_eq!(
        seqs(&from_header),
        [13],
        "Last-Event-ID wins over the query"
    );
}

/// A subscriber that stops reading is cut off once its queue is full, instead of holding
/// the session back or silently losing events; it then resumes with `Last-Event-ID`. With a
/// limit of one subscriber, a second subscription succeeds exactly when the first was cut off.
#[actix_rt::test]
async fn a_subscriber_that_falls_behind_is_cut_off_and_resumes_without_gaps() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.sse_subscriber_queue = 8;
        config.takeover.sse_max_subscribers = 1;
    }));
    let name = "behind";
    hub.chat(name, "hello").await;
    hub.escalate(name, "user_request").await;
    hub.agent_says(name, "a1", "here").await;
    let mut slow = hub.follow(name, None).await;
    let url = hub.url(&format!("/api/sessions/{name}/events"));

    // Write large messages without reading until the socket backs up and the queue overflows.
    let big = "字".repeat(9_000);
    let last_seq = loop {
        let written = hub.chat(name, &big).await;
        let last_seq = written["seq"].as_u64().expect("seq");
        let probe = SseStream::open(streaming_client().get(&url), None).await;
        if probe.status == 200 {
            break last_seq;
        }
        assert_eq!(
            probe.status, 429,
            "the slow subscriber still holds the only place"
        );
        assert!(
            last_seq < 3_000,
            "3000 unread events never overflowed an 8-event queue"
        );
    };

    // The slow subscriber gets a gapless prefix, then the end of its stream.
    let mut received = Vec::new();
    while let Some(block) = slow.next_data_or_end().await {
        assert_eq!(block.id, block.json()["seq"].as_u64());
        received.push(block.id.expect("id"));
    }
    let resume_from = *received.last().expect("some events arrived before the cut");
    assert_eq!(received, (6..=resume_from).collect::<Vec<_>>());
    assert!(resume_from < last_seq, "the cut came before the last event");

    // Resuming from the last id received delivers the rest exactly once.
    let mut resumed = eventually("the probe subscriber to leave", async || {
        let request = streaming_client()
            .get(&url)
            .insert_header(("Last-Event-ID", resume_from.to_string()));
        let attempt = SseStream::open(request, None).await;
        (attempt.status == 200).then_some(attempt)
    })
    .await;
    let rest = read_through(&mut resumed, last_seq).await;
    assert_eq!(
        seqs(&rest),
        (resume_from + 1..=last_seq).collect::<Vec<_>>()
    );
}

#[actix_rt::test]
async fn the_subscriber_limit_is_a_429_and_frees_up_when_one_leaves() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.sse_max_subscribers = 2;
    }));
    let name = "crowded";
    hub.chat(name, "hello").await;
    let first = hub.follow(name, None).await;
    let mut second = hub.follow(name, None).await;
    let url = hub.url(&format!("/api/sessions/{name}/events"));

    let third = SseStream::open(streaming_client().get(&url), None).await;
    assert_eq!(third.status, 429);
    assert_error(&third.error_body().await, "too_many_subscribers");

    drop(first);
    let mut replacement = eventually("a dropped subscriber to free its place", async || {
        let attempt = SseStream::open(streaming_client().get(&url), None).await;
        if attempt.status == 200 {
            return Some(attempt);
        }
        assert_eq!(attempt.status, 429);
        None
    })
    .await;
    hub.escalate(name, "user_request").await;
    assert_eq!(second.expect_event("status_change").await["seq"], 3);
    assert!(
        replacement
            .next_block()
            .await
            .is_some_and(|b| b.retry.is_some())
    );
    assert_eq!(replacement.expect_event("status_change").await["seq"], 3);
}

#[actix_rt::test]
async fn shutdown_ends_every_event_stream() {
    let hub = start_hub(test_config());
    let name = "closing";
    hub.chat(name, "hello").await;
    let mut events = hub.follow(name, None).await;
    hub.escalate(name, "user_request").await;
    assert_eq!(events.expect_event("status_change").await["seq"], 3);

    let handle = hub.handle.clone();
    let shutdown = actix_rt::spawn(async move { handle.shutdown().await });
    assert_eq!(
        events.next_data_or_end().await,
        None,
        "the stream ends at shutdown (the client resumes with Last-Event-ID)"
    );
    shutdown.await.expect("shutdown task");
    hub.wait_stopped().await;
}
