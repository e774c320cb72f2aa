//! Test harness shared by every integration test: starts a real hub on 127.0.0.1:0 inside the
//! test's actix system ([`start_hub`], [`TestHub`]) with fast test settings ([`test_config`],
//! [`test_config_with`]), talks plain HTTP to it ([`HubClient`]), and waits for outcomes with
//! the one bounded poll, [`eventually`]. Every wait is bounded by [`PATIENCE`], so a broken hub
//! fails a test instead of hanging it.
//!
//! The submodules add what some test files need: [`ws`] the WebSocket client, [`sse`] the
//! server-sent-events reader, [`calls`] seed 000's call helpers, [`takeover`] seed 001's
//! takeover helpers, [`binary`] the real binary in a child process, [`raw`] plain TCP for
//! HTTP clients that misbehave ([`blocking_http`] the same outside an async runtime), and
//! [`raw_ws`] for WebSocket clients that misbehave, and [`fake_openai`] an OpenAI-compatible
//! server scripted per test ([`fake_stt`] the same for speech to text); [`browser`] drives
//! headless Chromium over WebDriver and [`pages`] takes the steps its walks of the widget and
//! the desk share; [`prometheus_text`] reads `GET /metrics` strictly.

// Every test file compiles this whole module and uses only part of it.
#![allow(dead_code)]

pub mod auth;
pub mod binary;
pub mod blocking_http;
pub mod browser;
pub mod calls;
pub mod fake_openai;
pub mod fake_stt;
pub mod fake_upstream;
pub mod interview;
pub mod monitor;
pub mod pages;
pub mod prometheus_text;
pub mod raw;
pub mod raw_ws;
pub mod sse;
pub mod takeover;
pub mod ws;

use std::net::{SocketAddr, TcpListener};
use std::ops::Deref;
use std::time::{Duration, Instant};

use serde_json::Value;
use switchboard::{Config, HubHandle};

/// Longest wait for any single expected frame, response or outcome.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// How long [`eventually`] lets the hub run between two probes.
const POLL: Duration = Duration::from_millis(10);

/// Asks `probe` again and again until it answers `Some`, and returns that answer; panics
/// naming `what` once [`PATIENCE`] has passed. A synchronous check is an `async` closure
/// without an `.await` in it.
pub async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "waited {PATIENCE:?} for {what}");
        actix_rt::time::sleep(POLL).await;
    }
}

/// Test settings: loopback, two workers, an in-memory store, fast heartbeats, queue updates
/// and keep-alives.
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

/// [`test_config`] with the nested fields that `change` sets, e.g.
/// `test_config_with(|c| c.takeover.desk_reconnect_grace = Duration::from_millis(200))`.
pub fn test_config_with(change: impl FnOnce(&mut Config)) -> Config {
    let mut config = test_config();
    change(&mut config);
    config
}

/// Talks plain HTTP to a hub at an address, in process or in a child process. The WebSocket,
/// call and takeover helpers add methods to it in their own modules.
pub struct HubClient {
    /// Where the hub listens.
    pub addr: SocketAddr,
    /// HTTP client; every request is bounded by [`PATIENCE`].
    pub http: awc::Client,
}

impl HubClient {
    /// A client for the hub at `addr`.
    pub fn new(addr: SocketAddr) -> HubClient {
        HubClient {
            addr,
            http: awc::Client::builder().timeout(PATIENCE).finish(),
        }
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
        eventually("the health to reach the expected state", async || {
            let (_, health) = self.get("/api/health").await;
            done(&health).then_some(health)
        })
        .await
    }
}

/// A hub running inside the test's actix system; reached through its [`HubClient`].
pub struct TestHub {
    /// Talks to it.
    pub client: HubClient,
    /// Steers shutdown.
    pub handle: HubHandle,
    /// Completes when the server has stopped.
    pub stopped: actix_rt::task::JoinHandle<std::io::Result<()>>,
}

impl Deref for TestHub {
    type Target = HubClient;

    /// The hub's client, so that `hub.get(..)` and `hub.addr` read naturally.
    fn deref(&self) -> &HubClient {
        &self.client
    }
}

/// Starts a hub with `config` on an ephemeral loopback port.
pub fn start_hub(config: Config) -> TestHub {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let hub = switchboard::start(config, listener).expect("hub starts");
    let client = HubClient::new(hub.local_addr());
    let handle = hub.handle();
    let stopped = actix_rt::spawn(hub.stopped());
    TestHub {
        client,
        handle,
        stopped,
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
}
