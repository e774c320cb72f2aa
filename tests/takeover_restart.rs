//! Seed 001's durability: sessions live in the SQLite file named by `database_path`. A hub
//! shut down gracefully and started again on the same file serves the same status, history,
//! escalation, agent, audit trail, failure count and stream cursor, still lists the pending
//! handovers, and continues the sequence numbers. The real binary killed with SIGKILL right
//! after acknowledging writes loses none of them.

mod support;

use serde_json::{Value, json};
use switchboard::Config;
use switchboard_actors::bot::builtin::FALLBACK;

use support::binary::{Binary, TempDatabase, spawn_binary};
use support::sse::SseStream;
use support::takeover::agent;
use support::{HubClient, start_hub, test_config_with};

/// Everything a client can read about a session.
async fn snapshot(hub: &HubClient, name: &str) -> (Value, Vec<Value>) {
    (hub.session(name).await, hub.audit(name).await)
}

/// The test settings on the file `database`.
fn on_file(database: &TempDatabase) -> Config {
    test_config_with(|config| config.store.database_path = database.path_str())
}

/// Leaves four sessions on `hub`: `live` held by agent a1, with a streamed turn so that its
/// stream cursor is stored; `waiting`, escalated by the regulator; `bot`, with two failures
/// counted; and `cycled`, escalated, taken and released. Returns the follower of `cycled`,
/// opened before its cycle.
async fn four_sessions(hub: &HubClient) -> SseStream {
    // manual_live, with a streamed turn so that its stream cursor is stored.
    hub.chat("live", "hello").await;
    hub.escalate("live", "user_request").await;
    hub.agent_says("live", "a1", "Alice here").await;
    hub.user_says("live", "my parcel").await;
    hub.chat("live", "is lost").await;
    hub.chat_stream("live", "any news?").await;
    // pending_manual, escalated by the regulator.
    hub.chat("waiting", "hello").await;
    hub.chat("waiting", "转人工").await;
    // bot_active with two failures counted.
    hub.chat("bot", "qwerty").await;
    hub.chat("bot", "asdf").await;
    // A whole cycle, back with the bot, followed over SSE.
    hub.chat("cycled", "hello").await;
    let follower = hub.follow("cycled", None).await;
    hub.escalate("cycled", "user_request").await;
    hub.agent_says("cycled", "a2", "hi").await;
    hub.release("cycled").await;
    follower
}

/// On the restarted `hub`, the `live` session, whose last event before the restart was
/// `last_live`, continues its numbering and its stream cursor; then it is released.
async fn the_stream_cursor_survived(hub: &HubClient, last_live: u64) {
    // The stream cursor survived: nothing is queued for "live" but what happens now.
    let written = hub.agent_says("live", "a1", "found it").await;
    assert_eq!(written["last_seq"], last_live + 1, "numbering continues");
    let blocks = hub.chat_stream("live", "great").await;
    let queued: Vec<u64> = blocks.iter().filter_map(|block| block.id).collect();
    assert_eq!(
        queued,
        [last_live + 1],
        "only the new agent message is queued"
    );
    let released = hub.release("live").await;
    assert_eq!(released["last_seq"], last_live + 4);
}

/// On the restarted `hub`, the audit trail of `live` starts with the records it had before
/// the restart, `old`, and ends with the release made since.
async fn the_audit_trail_grew(hub: &HubClient, old: &[Value]) {
    let audit = hub.audit("live").await;
    assert_eq!(audit[..old.len()], old[..], "old records kept");
    assert_eq!(
        audit.last().expect("a record")["event"],
        "manual_release",
        "new records appended"
    );
}

#[actix_rt::test]
async fn a_restarted_hub_serves_the_same_sessions_from_the_same_file() {
    let database = TempDatabase::new("takeover-restart");
    let first = start_hub(on_file(&database));

    let mut follower = four_sessions(&first).await;

    let names = ["live", "waiting", "bot", "cycled"];
    let mut before = Vec::new();
    for name in names {
        before.push(snapshot(&first, name).await);
    }
    let (_, listed_before) = first.get("/api/sessions").await;
    let last_cycled = before[3].0["last_seq"].as_u64().expect("last_seq");
    let mut followed = Vec::new();
    for _ in 3..=last_cycled {
        followed.push(follower.next_data().await.id.expect("id"));
    }
    assert_eq!(followed, (3..=last_cycled).collect::<Vec<_>>());
    first.stop().await;
    assert_eq!(
        follower.next_data_or_end().await,
        None,
        "the stream ended with the hub"
    );

    let second = start_hub(on_file(&database));
    for (name, expected) in names.iter().zip(&before) {
        assert_eq!(
            &snapshot(&second, name).await,
            expected,
            "{name} is the same after the restart"
        );
    }
    let (_, listed_after) = second.get("/api/sessions").await;
    assert_eq!(listed_after, listed_before);
    assert_eq!(second.listed("pending_manual").await, ["waiting"]);
    assert_eq!(second.listed("manual_live").await, ["live"]);
    assert_eq!(before[0].0["assigned_agent"]["agent_id"], "a1");

    // The failure count survived: the third failure escalates.
    let turn = second.chat("bot", "zxcv").await;
    assert_eq!(turn["message"], FALLBACK);
    assert_eq!(turn["rule"], "bot_failures:3");

    let last_live = before[0].0["last_seq"].as_u64().expect("last_seq");
    the_stream_cursor_survived(&second, last_live).await;

    // The pending session is still claimable, and the full log replays.
    let (status, claimed) = second
        .post("/api/sessions/waiting/claim", agent("a3", "Carol"))
        .await;
    assert_eq!(status, 200, "{claimed}");
    assert_eq!(claimed["status"], "manual_live");
    let mut events = second.follow("live", Some(0)).await;
    for seq in 1..=last_live + 4 {
        let block = events.next_data().await;
        assert_eq!(block.id, Some(seq), "{block:?}");
    }

    // The follower of the first hub resumes on the second from its last id.
    second.chat("cycled", "hello").await;
    let mut resumed = second.follow("cycled", Some(last_cycled)).await;
    for seq in last_cycled + 1..=last_cycled + 2 {
        assert_eq!(resumed.next_data().await.id, Some(seq), "nothing missed");
    }
    drop(resumed);

    the_audit_trail_grew(&second, &before[0].1).await;
    drop(events);
    second.stop().await;
}

/// Starts the binary on `database` and an ephemeral loopback port.
fn start_binary(database: &TempDatabase) -> Binary {
    spawn_binary(&[("DATABASE_PATH", &database.path_str())])
}

/// SIGKILL, and wait until the process is gone.
async fn kill_9(mut hub: Binary) {
    let status = hub.kill().await;
    assert!(!status.success(), "killed, not exited: {status}");
}

/// POST JSON `body` to `path`; asserts 200 and returns the body.
async fn post_ok(hub: &HubClient, path: &str, body: Value) -> Value {
    let (status, reply) = hub.post(path, body.clone()).await;
    assert_eq!(status, 200, "{path} {body} → {reply}");
    reply
}

/// GET `path`; asserts 200 and returns the body.
async fn get_ok(hub: &HubClient, path: &str) -> Value {
    let (status, reply) = hub.get(path).await;
    assert_eq!(status, 200, "{path} → {reply}");
    reply
}

#[actix_rt::test]
async fn sigkill_loses_no_acknowledged_write() {
    let database = TempDatabase::new("takeover-kill");
    let hub = start_binary(&database);
    let chat = |name: &str, text: &str| json!({"session_name": name, "message": text});

    post_ok(&hub, "/api/chat", chat("kept", "hello")).await;
    post_ok(
        &hub,
        "/api/manual/escalate",
        json!({"session_name": "kept", "reason": "user_request", "details": "wants Alice"}),
    )
    .await;
    post_ok(
        &hub,
        "/api/manual/messages",
        json!({"session_name": "kept", "role": "agent", "content": "Alice here",
               "agent_info": agent("a1", "Alice")}),
    )
    .await;
    for index in 0..30 {
        post_ok(&hub, "/api/chat", chat("kept", &format!("line {index}"))).await;
    }
    post_ok(&hub, "/api/chat", chat("queued", "我要投诉")).await;
    let last = post_ok(
        &hub,
        "/api/manual/messages",
        json!({"session_name": "kept", "role": "user", "content": "last words"}),
    )
    .await;
    assert_eq!(last["last_seq"], 36);

    let kept = get_ok(&hub, "/api/sessions/kept").await;
    let kept_audit = get_ok(&hub, "/api/sessions/kept/audit").await;
    let queued = get_ok(&hub, "/api/sessions/queued").await;
    kill_9(hub).await;

    let hub = start_binary(&database);
    assert_eq!(
        get_ok(&hub, "/api/sessions/kept").await,
        kept,
        "every line survived"
    );
    assert_eq!(get_ok(&hub, "/api/sessions/kept/audit").await, kept_audit);
    assert_eq!(get_ok(&hub, "/api/sessions/queued").await, queued);
    let pending = get_ok(&hub, "/api/sessions?status=pending_manual").await;
    assert_eq!(pending["total"], 1);
    assert_eq!(pending["sessions"][0]["session_name"], "queued");
    assert_eq!(pending["sessions"][0]["escalation"]["rule"], "keyword:投诉");

    let next = post_ok(
        &hub,
        "/api/manual/messages",
        json!({"session_name": "kept", "role": "agent", "content": "still here",
                   "agent_info": agent("a1", "Alice")}),
    )
    .await;
    assert_eq!(next["last_seq"], 37, "numbering continues after the crash");
    assert_eq!(next["assigned_agent"]["agent_name"], "Alice");
    kill_9(hub).await;
}
