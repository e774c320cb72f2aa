//! Test harness: starts a real hub on 127.0.0.1:0 and drives it with real HTTP and WebSocket
//! clients (awc). Every wait is bounded so a broken hub fails a test instead of hanging it.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_http::ws::{CloseReason, Frame, Item, Message};
use awc::BoxedSocket;
use awc::ws::Codec;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use switchboard::{Config, HubHandle};

/// Longest wait for any single expected frame or response.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A hub running inside the test's actix system.
pub struct TestHub {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Steers shutdown.
    pub handle: HubHandle,
    /// Completes when the server has stopped.
    pub stopped: actix_rt::task::JoinHandle<std::io::Result<()>>,
    /// HTTP client.
    pub http: awc::Client,
}

/// Test settings: fast heartbeats, loopback, two workers.
pub fn test_config() -> Config {
    let mut config = Config::default();
    config.server.host = "127.0.0.1".into();
    config.server.port = 0;
    config.server.workers = Some(2);
    config.server.shutdown_timeout = Duration::from_secs(5);
    config.sockets.heartbeat_interval = Duration::from_millis(50);
    config.sockets.connection_timeout = Duration::from_secs(5);
    config.calls.queue_update_interval = Duration::from_millis(10);
    config.store.database_path = ":memory:".into();
    config.takeover.sse_keepalive_interval = Duration::from_millis(200);
    config
}

/// Starts a hub with `config` on an ephemeral loopback port.
pub fn start_hub(config: Config) -> TestHub {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let hub = switchboard::start(config, listener).expect("hub starts");
    let addr = hub.local_addr();
    let handle = hub.handle();
    let stopped = actix_rt::spawn(hub.stopped());
    TestHub {
        addr,
        handle,
        stopped,
        http: awc::Client::builder().timeout(PATIENCE).finish(),
    }
}

impl TestHub {
    /// Shuts the hub down gracefully and waits (bounded) until it has stopped.
    pub async fn stop(self) {
        self.handle.shutdown().await;
        self.wait_stopped().await;
    }

    /// Waits (at most [`PATIENCE`]) until a shutdown begun elsewhere has stopped the hub.
    pub async fn wait_stopped(self) {
        actix_rt::time::timeout(PATIENCE, self.stopped)
            .await
            .expect("the hub stopped within the patience")
            .expect("server task")
            .expect("server result");
    }

    /// `http://addr` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// GET `path`, returning status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let mut response = self.http.get(self.url(path)).send().await.expect("GET");
        let body = response.json::<Value>().await.expect("JSON body");
        (response.status().as_u16(), body)
    }

    /// POST raw `body` to `path`, returning status and JSON body.
    pub async fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        let mut response = self
            .http
            .post(self.url(path))
            .insert_header(("content-type", "application/json"))
            .send_body(body.to_owned())
            .await
            .expect("POST");
        let body = response.json::<Value>().await.expect("JSON body");
        (response.status().as_u16(), body)
    }

    /// POST JSON `body` to `path`, returning status and JSON body.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.post_raw(path, &body.to_string()).await
    }

    /// Polls `/api/health` until `done` holds (at most [`PATIENCE`]); returns that body.
    pub async fn wait_for_health(&self, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let (_, health) = self.get("/api/health").await;
            if done(&health) {
                return health;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "health never reached the expected state: {health}"
            );
            actix_rt::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// `POST /api/calls/start` for `role` named `name`; asserts 200 and returns the body.
    pub async fn start_call(&self, role: &str, name: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/calls/start",
                json!({"user_type": role, "user_name": name}),
            )
            .await;
        assert_eq!(status, 200, "start_call failed: {body}");
        body
    }

    /// Starts a `role` leg named `name`, opens its socket and reads its first queue position.
    pub async fn waiting_leg(&self, role: &str, name: &str) -> (String, WsClient, Value) {
        let body = self.start_call(role, name).await;
        assert_eq!(body["status"], "waiting", "{body}");
        let call_id = body["call_id"].as_str().expect("call_id").to_owned();
        let mut ws = self.call_socket(&call_id).await;
        let position = ws.expect("queue_position").await;
        (call_id, ws, position)
    }

    /// Opens a WebSocket at `path`.
    pub async fn socket(&self, path: &str) -> WsClient {
        WsClient::connect(&format!("ws://{}{}", self.addr, path)).await
    }

    /// Opens the call socket for `call_id`.
    pub async fn call_socket(&self, call_id: &str) -> WsClient {
        self.socket(&format!("/ws/call/{call_id}")).await
    }
}

/// A WebSocket test client that answers pings by itself.
pub struct WsClient {
    framed: actix_codec::Framed<BoxedSocket, Codec>,
}

/// What the next meaningful thing from the server was.
#[derive(Debug)]
pub enum Received {
    /// A text message, parsed as JSON.
    Json(Value),
    /// A close frame.
    Closed(Option<CloseReason>),
    /// The connection ended without a close frame.
    Ended,
}

impl WsClient {
    /// Opens a WebSocket at `url`.
    pub async fn connect(url: &str) -> WsClient {
        let (_, framed) = awc::Client::new()
            .ws(url)
            .max_frame_size(4 << 20)
            .connect()
            .await
            .expect("websocket upgrade");
        WsClient { framed }
    }

    /// Sends a text message.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.framed
            .send(Message::Text(text.into()))
            .await
            .expect("send text");
    }

    /// Sends a JSON message.
    pub async fn send_json(&mut self, value: Value) {
        self.send_text(value.to_string()).await;
    }

    /// Sends any WebSocket message.
    pub async fn send_message(&mut self, message: Message) {
        self.framed.send(message).await.expect("send message");
    }

    /// The next text message or close, answering pings on the way.
    pub async fn next(&mut self) -> Received {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let frame = actix_rt::time::timeout(left, self.framed.next())
                .await
                .expect("timed out waiting for a frame");
            match frame {
                None | Some(Err(_)) => return Received::Ended,
                Some(Ok(Frame::Text(bytes))) => {
                    let value = serde_json::from_slice(&bytes).expect("server sent JSON");
                    return Received::Json(value);
                }
                Some(Ok(Frame::Ping(payload))) => {
                    let _ = self.framed.send(Message::Pong(payload)).await;
                }
                Some(Ok(Frame::Close(reason))) => return Received::Closed(reason),
                Some(Ok(other)) => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// The next frame as it comes, without answering pings (a silent client).
    pub async fn next_raw(&mut self) -> Option<Frame> {
        actix_rt::time::timeout(PATIENCE, self.framed.next())
            .await
            .expect("timed out waiting for a frame")
            .and_then(Result::ok)
    }

    /// Answers pings for `period`; fails if any message or close arrives meanwhile.
    pub async fn idle_for(&mut self, period: Duration) {
        let deadline = std::time::Instant::now() + period;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok(frame) = actix_rt::time::timeout(left, self.framed.next()).await else {
                return;
            };
            match frame {
                Some(Ok(Frame::Ping(payload))) => {
                    let _ = self.framed.send(Message::Pong(payload)).await;
                }
                other => panic!("expected only pings while idle, got {other:?}"),
            }
        }
    }

    /// The next text message, which must be JSON.
    pub async fn recv(&mut self) -> Value {
        match self.next().await {
            Received::Json(value) => value,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The next message, which must have `"type": kind`.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let value = self.recv().await;
        assert_eq!(value["type"], kind, "expected a {kind} frame, got {value}");
        value
    }

    /// The next message, which must be an error frame with `"error": code`.
    pub async fn expect_error(&mut self, code: &str) -> Value {
        let value = self.expect("error").await;
        assert_eq!(value["error"], code, "unexpected error frame {value}");
        assert!(value["detail"].as_str().is_some_and(|d| !d.is_empty()));
        value
    }

    /// Waits for the close frame, which must carry `code`; other messages are not allowed.
    pub async fn expect_close(&mut self, code: u16) -> CloseReason {
        match self.next().await {
            Received::Closed(Some(reason)) => {
                assert_eq!(u16::from(reason.code), code, "close reason {reason:?}");
                reason
            }
            other => panic!("expected close {code}, got {other:?}"),
        }
    }

    /// Proves the socket is still open and served: a ping must come back as a pong.
    pub async fn assert_alive(&mut self) {
        self.send_json(json!({"type": "ping"})).await;
        self.expect("pong").await;
    }

    /// Sends a close frame and waits for the server's.
    pub async fn close(mut self) {
        let _ = self.framed.send(Message::Close(None)).await;
        while let Received::Json(_) = self.next().await {}
    }

    /// Drops the TCP connection without a close handshake.
    pub fn abort(self) {
        drop(self.framed);
    }

    /// Sends a text message split into continuation frames of `chunk` bytes.
    pub async fn send_fragmented(&mut self, text: &str, chunk: usize) {
        let bytes = text.as_bytes();
        let pieces: Vec<&[u8]> = bytes.chunks(chunk).collect();
        let last = pieces.len() - 1;
        for (index, piece) in pieces.into_iter().enumerate() {
            let piece = bytes::Bytes::copy_from_slice(piece);
            let item = match index {
                0 => Item::FirstText(piece),
                i if i == last => Item::Last(piece),
                _ => Item::Continue(piece),
            };
            self.send_message(Message::Continuation(item)).await;
        }
    }
}

/// Starts a customer and an agent, opens both sockets and waits until both are matched.
/// Returns (customer socket, customer call id, agent socket, agent call id).
pub async fn matched_pair(hub: &TestHub, name: &str) -> (WsClient, String, WsClient, String) {
    let customer = hub
        .start_call("customer", &format!("{name}-customer"))
        .await;
    let customer_id = customer["call_id"].as_str().expect("call_id").to_owned();
    let mut customer_ws = hub.call_socket(&customer_id).await;
    let agent = hub.start_call("agent", &format!("{name}-agent")).await;
    let agent_id = agent["call_id"].as_str().expect("call_id").to_owned();
    let mut agent_ws = hub.call_socket(&agent_id).await;
    wait_until_matched(&mut customer_ws).await;
    let matched = agent_ws.expect("call_matched").await;
    assert_eq!(matched["partner_call_id"], customer_id.as_str());
    (customer_ws, customer_id, agent_ws, agent_id)
}

/// Skips queue updates until `call_matched` arrives; returns it.
pub async fn wait_until_matched(ws: &mut WsClient) -> Value {
    loop {
        let value = ws.recv().await;
        match value["type"].as_str() {
            Some("queue_position") => continue,
            Some("call_matched") => return value,
            _ => panic!("expected call_matched, got {value}"),
        }
    }
}

/// Starts the real binary on an ephemeral loopback port with one worker and these extra
/// environment variables, and returns it with the address it logged.
pub fn spawn_binary(env: &[(&str, &str)]) -> (std::process::Child, SocketAddr) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("WORKERS", "1")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("spawn the hub binary");
    let stderr = child.stderr.take().expect("stderr piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.split("listening on ").nth(1) {
                let _ = tx.send(addr.trim().to_owned());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the hub logs its address");
    (child, addr.parse().expect("a socket address"))
}
