//! Helpers for the seed-001 takeover tests (`takeover_*.rs`): a server-sent-events reader over
//! a real awc response, and short REST calls for the chat, handover and session endpoints.
//! Every read is bounded by [`PATIENCE`], so a hub that goes quiet fails a test instead of
//! hanging it. Test files include it next to `common` (`mod common; mod takeover_support;`).

#![allow(dead_code)]

use std::pin::Pin;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde_json::{Value, json};

use crate::common::{PATIENCE, TestHub};

/// The notice the hub writes when the regulator escalates (the config default).
pub const ESCALATION_NOTICE: &str = "Connecting you to a human agent; please hold on.";

/// The notice the hub writes when the agent releases a session (the config default).
pub const RELEASE_NOTICE: &str = "The agent has left the conversation; the assistant is back.";

/// What the built-in bot says when it does not understand.
pub const BOT_FALLBACK: &str = "Sorry, I did not understand that. Could you put it another way? Say \"human\" to reach a person.";

/// What the built-in bot answers to a greeting.
pub const BOT_GREETING: &str = "Hello! I am the Switchboard assistant. Ask me about orders, shipping, returns or opening hours, or say \"human\" to reach a person.";

/// What the built-in bot answers to thanks.
pub const BOT_THANKS: &str = "You are welcome! Anything else I can help with?";

/// One SSE message block (the text between two blank lines), as a client sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseBlock {
    /// The `id:` field.
    pub id: Option<u64>,
    /// The `data:` lines joined with `\n` and parsed as JSON.
    pub data: Option<Value>,
    /// The `retry:` field.
    pub retry: Option<u64>,
    /// Comment lines (`: text`), without the colon and the space after it.
    pub comments: Vec<String>,
}

impl SseBlock {
    /// Parses one block; panics on a field an SSE client would not understand.
    fn parse(text: &str) -> SseBlock {
        let mut block = SseBlock::default();
        let mut data: Vec<&str> = Vec::new();
        for line in text.lines() {
            if let Some(comment) = line.strip_prefix(':') {
                block.comments.push(comment.trim_start().to_owned());
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => block.id = Some(value.parse().expect("id: is a sequence number")),
                "data" => data.push(value),
                "retry" => block.retry = Some(value.parse().expect("retry: is a number")),
                other => panic!("unexpected SSE field {other:?} in block {text:?}"),
            }
        }
        if !data.is_empty() {
            let joined = data.join("\n");
            block.data = Some(serde_json::from_str(&joined).expect("data: is JSON"));
        }
        block
    }

    /// The data, which must be there.
    pub fn json(&self) -> &Value {
        self.data.as_ref().expect("a data block")
    }
}

/// A streaming response read as server-sent events.
pub struct SseStream {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The `Cache-Control` header.
    pub cache_control: String,
    /// The block that opened an events stream (`retry:` and a comment), once read.
    pub opening: Option<SseBlock>,
    /// The body.
    body: Pin<Box<dyn Stream<Item = Result<Bytes, awc::error::PayloadError>>>>,
    /// Bytes received and not yet cut into blocks.
    buffer: Vec<u8>,
}

/// A client without awc's whole-response timeout (which would cut a long stream); every read
/// below has its own bound instead.
pub fn streaming_client() -> awc::Client {
    awc::Client::builder().disable_timeout().finish()
}

impl SseStream {
    /// Sends `request` (with `body` as JSON when given) and wraps the response.
    pub async fn open(request: awc::ClientRequest, body: Option<Value>) -> SseStream {
        let sent = match body {
            Some(body) => request
                .insert_header(("content-type", "application/json"))
                .send_body(body.to_string()),
            None => request.send(),
        };
        let response = actix_rt::time::timeout(PATIENCE, sent)
            .await
            .expect("response head within the patience")
            .expect("request sent");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        SseStream {
            status: response.status().as_u16(),
            content_type: header("content-type"),
            cache_control: header("cache-control"),
            opening: None,
            body: Box::pin(response),
            buffer: Vec::new(),
        }
    }

    /// The next block, or `None` when the server ended the stream. Panics when nothing
    /// arrives within `wait`.
    pub async fn next_block_within(&mut self, wait: Duration) -> Option<SseBlock> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.windows(2).position(|pair| pair == b"\n\n") {
                let raw: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let text = std::str::from_utf8(&raw[..end]).expect("SSE is UTF-8");
                return Some(SseBlock::parse(text));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = actix_rt::time::timeout(left, self.body.next())
                .await
                .expect("timed out waiting for an SSE block");
            match chunk {
                Some(Ok(bytes)) => self.buffer.extend_from_slice(&bytes),
                Some(Err(error)) => panic!("the SSE body failed: {error}"),
                None => {
                    assert!(
                        self.buffer.iter().all(u8::is_ascii_whitespace),
                        "the stream ended inside a block: {:?}",
                        String::from_utf8_lossy(&self.buffer)
                    );
                    return None;
                }
            }
        }
    }

    /// The next block within [`PATIENCE`], or `None` at the end.
    pub async fn next_block(&mut self) -> Option<SseBlock> {
        self.next_block_within(PATIENCE).await
    }

    /// The next block with data (skipping comments such as keep-alives), or `None` at the
    /// end of the stream.
    pub async fn next_data_or_end(&mut self) -> Option<SseBlock> {
        loop {
            match self.next_block().await {
                Some(block) if block.data.is_some() => return Some(block),
                Some(_) => continue,
                None => return None,
            }
        }
    }

    /// The next block with data; the stream must not end first.
    pub async fn next_data(&mut self) -> SseBlock {
        self.next_data_or_end()
            .await
            .expect("the stream ended before the next event")
    }

    /// The next event, which must carry `"type": kind` and an `id:` equal to its `seq`;
    /// returns its data.
    pub async fn expect_event(&mut self, kind: &str) -> Value {
        let block = self.next_data().await;
        let data = block.json().clone();
        assert_eq!(data["type"], kind, "expected a {kind} event, got {data}");
        assert_eq!(
            block.id,
            data["seq"].as_u64(),
            "id: and seq agree in {block:?}"
        );
        data
    }

    /// Every block until the server ends the stream.
    pub async fn read_to_end(&mut self) -> Vec<SseBlock> {
        let mut blocks = Vec::new();
        while let Some(block) = self.next_block().await {
            blocks.push(block);
        }
        blocks
    }

    /// Reads for `period`; fails if any data event or the end of the stream arrives. Returns
    /// the comment-only blocks seen (keep-alives).
    pub async fn quiet_for(&mut self, period: Duration) -> Vec<SseBlock> {
        let deadline = Instant::now() + period;
        let mut comments = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return comments;
            }
            if let Some(end) = self.buffer.windows(2).position(|pair| pair == b"\n\n") {
                let raw: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let block = SseBlock::parse(std::str::from_utf8(&raw[..end]).expect("UTF-8"));
                assert!(block.data.is_none(), "expected quiet, got {block:?}");
                comments.push(block);
                continue;
            }
            match actix_rt::time::timeout(left, self.body.next()).await {
                Err(_) => return comments,
                Ok(Some(Ok(bytes))) => self.buffer.extend_from_slice(&bytes),
                Ok(Some(Err(error))) => panic!("the SSE body failed: {error}"),
                Ok(None) => panic!("the stream ended while it should have stayed open"),
            }
        }
    }

    /// The rest of the body as JSON (for refusals, which are not event streams).
    pub async fn error_body(mut self) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match actix_rt::time::timeout(left, self.body.next())
                .await
                .expect("timed out reading an error body")
            {
                Some(Ok(bytes)) => self.buffer.extend_from_slice(&bytes),
                Some(Err(error)) => panic!("the body failed: {error}"),
                None => break,
            }
        }
        serde_json::from_slice(&self.buffer).expect("a JSON error body")
    }
}

/// `{"agent_id", "agent_name"}`.
pub fn agent(id: &str, name: &str) -> Value {
    json!({"agent_id": id, "agent_name": name})
}

/// Asserts that `body` is the JSON error `code` with a detail, and (for 409s) names `status`.
pub fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"], code, "unexpected error body {body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "error without detail: {body}"
    );
}

/// Asserts a 409 `invalid_state` naming `current` in `status` and in `detail`.
pub fn assert_conflict(status: u16, body: &Value, current: &str) {
    assert_eq!(status, 409, "expected 409, got {status}: {body}");
    assert_error(body, "invalid_state");
    assert_eq!(
        body["status"], current,
        "409 names the current status: {body}"
    );
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(current),
        "the detail names the current status {current}: {body}"
    );
}

/// The sorted keys of a JSON object.
pub fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

impl TestHub {
    /// `POST /api/chat` with `message` on `session`; asserts 200 and returns the body.
    pub async fn chat(&self, session: &str, message: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/chat",
                json!({"session_name": session, "message": message}),
            )
            .await;
        assert_eq!(status, 200, "chat {message:?} on {session}: {body}");
        assert_eq!(body["success"], true, "{body}");
        assert_eq!(body["session_name"], session, "{body}");
        body
    }

    /// `POST /api/manual/escalate` with `reason`; asserts 200 and returns the session.
    pub async fn escalate(&self, session: &str, reason: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/manual/escalate",
                json!({"session_name": session, "reason": reason}),
            )
            .await;
        assert_eq!(status, 200, "escalate {session}: {body}");
        assert_eq!(body["status"], "pending_manual", "{body}");
        body
    }

    /// `POST /api/manual/messages` as agent `id`; returns status and body.
    pub async fn try_agent_says(&self, session: &str, id: &str, content: &str) -> (u16, Value) {
        self.post(
            "/api/manual/messages",
            json!({
                "session_name": session,
                "role": "agent",
                "content": content,
                "agent_info": agent(id, &format!("Agent {id}")),
            }),
        )
        .await
    }

    /// `POST /api/manual/messages` as agent `id` (named `Agent <id>`); asserts 200.
    pub async fn agent_says(&self, session: &str, id: &str, content: &str) -> Value {
        let (status, body) = self.try_agent_says(session, id, content).await;
        assert_eq!(status, 200, "agent {id} on {session}: {body}");
        body
    }

    /// `POST /api/manual/messages` as the user; asserts 200.
    pub async fn user_says(&self, session: &str, content: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/manual/messages",
                json!({"session_name": session, "role": "user", "content": content}),
            )
            .await;
        assert_eq!(status, 200, "user on {session}: {body}");
        body
    }

    /// `POST /api/sessions/{session}/claim` for agent `id` (named `Agent <id>`).
    pub async fn try_claim(&self, session: &str, id: &str) -> (u16, Value) {
        self.post(
            &format!("/api/sessions/{session}/claim"),
            agent(id, &format!("Agent {id}")),
        )
        .await
    }

    /// `POST /api/sessions/{session}/release`; asserts 200 and returns the session.
    pub async fn release(&self, session: &str) -> Value {
        let (status, body) = self
            .post(&format!("/api/sessions/{session}/release"), json!({}))
            .await;
        assert_eq!(status, 200, "release {session}: {body}");
        assert_eq!(body["status"], "bot_active", "{body}");
        body
    }

    /// `GET /api/sessions/{session}`; asserts 200.
    pub async fn session(&self, session: &str) -> Value {
        let (status, body) = self.get(&format!("/api/sessions/{session}")).await;
        assert_eq!(status, 200, "get {session}: {body}");
        body
    }

    /// `GET /api/sessions/{session}/audit`; asserts 200 and returns the records.
    pub async fn audit(&self, session: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/api/sessions/{session}/audit")).await;
        assert_eq!(status, 200, "audit {session}: {body}");
        assert_eq!(body["success"], true);
        assert_eq!(body["session_name"], session);
        body["audit"].as_array().expect("audit list").clone()
    }

    /// The `event` names of the session's audit records, oldest first.
    pub async fn audit_events(&self, session: &str) -> Vec<String> {
        self.audit(session)
            .await
            .iter()
            .map(|record| record["event"].as_str().expect("event").to_owned())
            .collect()
    }

    /// The names listed by `GET /api/sessions?status=...`, in order.
    pub async fn listed(&self, status: &str) -> Vec<String> {
        let (code, body) = self.get(&format!("/api/sessions?status={status}")).await;
        assert_eq!(code, 200, "{body}");
        let sessions = body["sessions"].as_array().expect("sessions list");
        assert_eq!(body["total"], sessions.len(), "{body}");
        sessions
            .iter()
            .map(|row| {
                assert_eq!(row["status"], status, "{row}");
                row["session_name"].as_str().expect("name").to_owned()
            })
            .collect()
    }

    /// Follows `GET /api/sessions/{session}/events`, from `Last-Event-ID: after` when given;
    /// asserts 200, the SSE headers and the opening `retry:` block.
    pub async fn follow(&self, session: &str, after: Option<u64>) -> SseStream {
        let mut request =
            streaming_client().get(self.url(&format!("/api/sessions/{session}/events")));
        if let Some(after) = after {
            request = request.insert_header(("Last-Event-ID", after.to_string()));
        }
        let mut stream = SseStream::open(request, None).await;
        assert_eq!(stream.status, 200, "follow {session}");
        assert_eq!(stream.content_type, "text/event-stream");
        assert_eq!(stream.cache_control, "no-cache");
        let opening = stream.next_block().await.expect("the opening block");
        assert_eq!(opening.retry, Some(2000), "{opening:?}");
        assert!(opening.data.is_none(), "{opening:?}");
        stream.opening = Some(opening);
        stream
    }

    /// `POST /api/chat/stream`; asserts 200 and the SSE content type, and reads the whole
    /// (finite) stream.
    pub async fn chat_stream(&self, session: &str, message: &str) -> Vec<SseBlock> {
        let request = streaming_client().post(self.url("/api/chat/stream"));
        let mut stream = SseStream::open(
            request,
            Some(json!({"session_name": session, "message": message})),
        )
        .await;
        assert_eq!(stream.status, 200, "chat/stream on {session}");
        assert_eq!(stream.content_type, "text/event-stream");
        let blocks = stream.read_to_end().await;
        assert!(
            blocks.iter().all(|block| block.data.is_some()),
            "a chat stream carries only data blocks: {blocks:?}"
        );
        blocks
    }
}

/// A temporary database file, removed (with its WAL and shared-memory files) when dropped.
pub struct TempDatabase {
    /// The file's path.
    pub path: std::path::PathBuf,
}

impl TempDatabase {
    /// A fresh, unused path under the system's temp directory.
    pub fn new(label: &str) -> TempDatabase {
        let unique = uuid_like();
        let path = std::env::temp_dir().join(format!(
            "switchboard-{label}-{}-{unique}.db",
            std::process::id()
        ));
        let database = TempDatabase { path };
        database.remove();
        database
    }

    /// The path as the config wants it.
    pub fn path_str(&self) -> String {
        self.path.to_str().expect("a UTF-8 temp path").to_owned()
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = self.path.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A string unique within this machine for a while: the time in nanoseconds and a counter.
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("{nanos}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}
