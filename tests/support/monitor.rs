//! The admin monitor in tests: a hub in open mode that accepts the tests' tokens and sends
//! `stats_update` every 40 ms, a monitor socket opened with an admin token, the next frame of
//! one type (skipping the periodic others), and a fake notification webhook on loopback that
//! records every POSTed JSON body and when it arrived, answering with scripted statuses.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use switchboard::Config;
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::HubClient;
use super::auth::{config_in, token};
use super::fake_upstream::{read_request, serve_in_turn};
use super::ws::WsClient;

/// Between two `stats_update`s in these tests.
pub const STATS_INTERVAL: Duration = Duration::from_millis(40);

/// Most frames skipped while looking for one type.
const MOST_SKIPPED: usize = 500;

/// A hub in `mode` with the tests' secret and [`STATS_INTERVAL`].
pub fn monitor_config(mode: AuthMode) -> Config {
    let mut config = config_in(mode);
    config.admin.stats_interval = STATS_INTERVAL;
    config
}

impl HubClient {
    /// Opens `/ws/admin/monitor` as the admin `user` and reads its `connection_established`.
    pub async fn monitor(&self, user: &str) -> (WsClient, Value) {
        let admin = token(user, UserRole::Admin);
        let mut socket = self
            .socket(&format!("/ws/admin/monitor?token={admin}"))
            .await;
        let established = socket.expect("connection_established").await;
        (socket, established)
    }
}

impl WsClient {
    /// The next message of `"type": kind`, skipping others (the periodic `stats_update`s).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        for _ in 0..MOST_SKIPPED {
            let value = self.recv().await;
            if value["type"] == kind {
                return value;
            }
        }
        panic!("no {kind} frame among the next {MOST_SKIPPED}");
    }
}

/// One POST the fake webhook received.
#[derive(Debug, Clone)]
pub struct Posted {
    /// Its JSON body.
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
}

/// The running fake webhook.
pub struct FakeWebhook {
    /// Where it listens.
    pub addr: SocketAddr,
    /// What it received, in order.
    seen: Arc<Mutex<Vec<Posted>>>,
}

impl FakeWebhook {
    /// Starts the fake on this actix system; the `n`th POST is answered with the `n`th of
    /// `statuses` (the last one for every later POST).
    pub async fn start(statuses: Vec<u16>) -> FakeWebhook {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = seen.clone();
        let addr = serve_in_turn(statuses, move |stream, status| {
            answer(stream, status, recorded.clone())
        })
        .await;
        FakeWebhook { addr, seen }
    }

    /// The URL to configure.
    pub fn url(&self) -> String {
        format!("http://{}/hooks/notifications", self.addr)
    }

    /// Every POST so far.
    pub fn posted(&self) -> Vec<Posted> {
        self.seen.lock().expect("fake's lock").clone()
    }
}

/// Reads one request, records its body and answers `status` with an empty body.
async fn answer(mut stream: TcpStream, status: u16, seen: Arc<Mutex<Vec<Posted>>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let at = Instant::now();
    seen.lock().expect("fake's lock").push(Posted { body, at });
    let reply = format!("HTTP/1.1 {status} Fake\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}
