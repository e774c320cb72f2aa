//! Seed 001's takeover helpers: short REST calls for the chat, handover and session
//! endpoints that assert the status they expect ([`HubClient::chat`], `escalate`,
//! `agent_says`, `user_says`, `try_claim`, `release`, `session`, `audit`, `listed`...), the two
//! event streams ([`HubClient::follow`], [`HubClient::chat_stream`]), and checks of error
//! bodies ([`assert_error`], [`assert_conflict`]) and shapes ([`keys`], [`agent`]); long
//! conversations built fast ([`HubClient::converse`]) and read a page at a time
//! ([`HubClient::page`]).

use futures_util::future::join_all;
use serde_json::{Value, json};

use super::HubClient;
use super::sse::{SseBlock, SseStream, streaming_client};

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

impl HubClient {
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

    /// Adds `turns` bot exchanges (a greeting and its answer: two messages each) to
    /// `session` through `POST /api/chat`, sixteen turns in flight at a time.
    pub async fn converse(&self, session: &str, turns: usize) {
        let indexes: Vec<usize> = (0..turns).collect();
        for batch in indexes.chunks(16) {
            let said = batch
                .iter()
                .map(|index| async move { self.chat(session, &format!("hello {index}")).await });
            for answer in join_all(said).await {
                assert_eq!(answer["status"], "bot_active", "{answer}");
            }
        }
    }

    /// `GET /api/sessions/{session}` with `query` (e.g. `limit=50&before_seq=120`); returns
    /// status and body.
    pub async fn page(&self, session: &str, query: &str) -> (u16, Value) {
        self.get(&format!("/api/sessions/{session}?{query}")).await
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
