//! Seed 001's durability: sessions live in the SQLite file named by `database_path`. A hub
//! shut down gracefully and started again on the same file serves the same status, history,
//! escalation, agent, audit trail, failure count and stream cursor, still lists the pending
//! handovers, and continues the sequence numbers. The real binary killed with SIGKILL right
//! after acknowledging writes loses none of them.

mod common;
mod takeover_support;

use std::net::SocketAddr;
use std::process::Child;
use std::time::{Duration, Instant};

use common::{PATIENCE, TestHub, spawn_binary, start_hub, test_config};
use serde_json::{Value, json};
use switchboard::Config;
use takeover_support::{BOT_FALLBACK, TempDatabase, agent};

/// Everything a client can read about a session.
async fn snapshot(hub: &TestHub, name: &str) -> (Value, Vec<Value>) {
    (hub.session(name).await, hub.audit(name).await)
}
fn on_file(database: &TempDatabase) -> Config {
    {
        let mut config = test_config();
        config.store.database_path = database.path_str();
        config
    }
}

#[actix_rt::test]
async fn a_restarted_hub_serves_the_same_sessions_from_the_same_file() {
    let database = TempDatabase::new("takeover-restart");
    let first = start_hub(on_file(&database));

    // manual_live, with a streamed turn so that its stream cursor is stored.
    first.chat("live", "hello").await;
    first.escalate("live", "user_request").await;
    first.agent_says("live", "a1", "Alice here").await;
    first.user_says("live", "my parcel").await;
    first.chat("live", "is lost").await;
    first.chat_stream("live", "any news?").await;
    // pending_manual, escalated by the regulator.
    first.chat("waiting", "hello").await;
    first.chat("waiting", "转人工").await;
    // bot_active with two failures counted.
    first.chat("bot", "qwerty").await;
    first.chat("bot", "asdf").await;
    // A whole cycle, back with the bot, followed over SSE.
    first.chat("cycled", "hello").await;
    let mut follower = first.follow("cycled", None).await;
    first.escalate("cycled", "user_request").await;
    first.agent_says("cycled", "a2", "hi").await;
    first.release("cycled").await;

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
    assert_eq!(turn["message"], BOT_FALLBACK);
    assert_eq!(turn["rule"], "bot_failures:3");

    // The stream cursor survived: nothing is queued for "live" but what happens now.
    let last_live = before[0].0["last_seq"].as_u64().expect("last_seq");
    let written = second.agent_says("live", "a1", "found it").await;
    assert_eq!(written["last_seq"], last_live + 1, "numbering continues");
    let blocks = second.chat_stream("live", "great").await;
    let queued: Vec<u64> = blocks.iter().filter_map(|block| block.id).collect();
    assert_eq!(
        queued,
        [last_live + 1],
        "only the new agent message is queued"
    );
    let released = second.release("live").await;
    assert_eq!(released["last_seq"], last_live + 4);

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

    let audit = second.audit("live").await;
    assert_eq!(
        audit[..before[0].1.len()],
        before[0].1[..],
        "old records kept"
    );
    assert_eq!(
        audit.last().expect("a record")["event"],
        "manual_release",
        "new records appended"
    );
    drop(events);
    second.stop().await;
}

/// The binary, killed when dropped.
struct Binary {
    /// The running process.
    child: Child,
    /// Where it listens.
    addr: SocketAddr,
}

impl Binary {
    /// Starts the binary on `database` and an ephemeral loopback port.
    fn start(database: &TempDatabase) -> Binary {
        let (child, addr) = spawn_binary(&[("DATABASE_PATH", &database.path_str())]);
        Binary { child, addr }
    }

    /// SIGKILL, and wait until the process is gone.
    fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL the hub");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                assert!(!status.success(), "killed, not exited: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the hub did not die");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let mut response = awc::Client::builder()
            .timeout(PATIENCE)
            .finish()
            .post(format!("http://{}{path}", self.addr))
            .send_json(&body)
            .await
            .expect("POST");
        let reply: Value = response.json().await.expect("JSON");
        assert_eq!(response.status().as_u16(), 200, "{path} {body} → {reply}");
        reply
    }

    async fn get(&self, path: &str) -> Value {
        let mut response = awc::Client::builder()
            .timeout(PATIENCE)
            .finish()
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .expect("GET");
        let reply: Value = response.json().await.expect("JSON");
        assert_eq!(response.status().as_u16(), 200, "{path} → {reply}");
        reply
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[actix_rt::test]
async fn sigkill_loses_no_acknowledged_write() {
    let database = TempDatabase::new("takeover-kill");
    let hub = Binary::start(&database);
    let chat = |name: &str, text: &str| json!({"session_name": name, "message": text});

    hub.post("/api/chat", chat("kept", "hello")).await;
    hub.post(
        "/api/manual/escalate",
        json!({"session_name": "kept", "reason": "user_request", "details": "wants Alice"}),
    )
    .await;
    hub.post(
        "/api/manual/messages",
        json!({"session_name": "kept", "role": "agent", "content": "Alice here",
               "agent_info": agent("a1", "Alice")}),
    )
    .await;
    for index in 0..30 {
        hub.post("/api/chat", chat("kept", &format!("line {index}")))
            .await;
    }
    hub.post("/api/chat", chat("queued", "我要投诉")).await;
    let last = hub
        .post(
            "/api/manual/messages",
            json!({"session_name": "kept", "role": "user", "content": "last words"}),
        )
        .await;
    assert_eq!(last["last_seq"], 36);

    let kept = hub.get("/api/sessions/kept").await;
    let kept_audit = hub.get("/api/sessions/kept/audit").await;
    let queued = hub.get("/api/sessions/queued").await;
    hub.kill_9();

    let hub = Binary::start(&database);
    assert_eq!(
        hub.get("/api/sessions/kept").await,
        kept,
        "every line survived"
    );
    assert_eq!(hub.get("/api/sessions/kept/audit").await, kept_audit);
    assert_eq!(hub.get("/api/sessions/queued").await, queued);
    let pending = hub.get("/api/sessions?status=pending_manual").await;
    assert_eq!(pending["total"], 1);
    assert_eq!(pending["sessions"][0]["session_name"], "queued");
    assert_eq!(pending["sessions"][0]["escalation"]["rule"], "keyword:投诉");

    let next = hub
        .post(
            "/api/manual/messages",
            json!({"session_name": "kept", "role": "agent", "content": "still here",
                   "agent_info": agent("a1", "Alice")}),
        )
        .await;
    assert_eq!(next["last_seq"], 37, "numbering continues after the crash");
    assert_eq!(next["assigned_agent"]["agent_name"], "Alice");
    hub.kill_9();
}
