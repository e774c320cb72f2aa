//! The real binary: it reads its settings from the environment, serves, and on SIGTERM or
//! SIGINT closes its sockets with 1001 and exits cleanly.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{WsClient, spawn_binary};
use serde_json::{Value, json};

/// Starts the binary on an ephemeral loopback port and returns it with its address.
fn spawn_hub() -> (Child, SocketAddr) {
    spawn_binary(&[
        ("WS_HEARTBEAT_INTERVAL", "50ms"),
        ("SHUTDOWN_TIMEOUT", "5"),
        ("DATABASE_PATH", ":memory:"),
    ])
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("sh")
        .args(["-c", &format!("kill -{name} {}", child.id())])
        .status()
        .expect("run kill");
    assert!(status.success());
}

fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().expect("poll the child") {
            return status;
        }
        assert!(Instant::now() < deadline, "the hub did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn open_waiting_leg(addr: SocketAddr) -> WsClient {
    let client = awc::Client::new();
    let mut response = client
        .post(format!("http://{addr}/api/calls/start"))
        .send_json(&json!({"user_type": "customer", "user_name": "Ann"}))
        .await
        .expect("start a call");
    let body: Value = response.json().await.expect("JSON");
    let call_id = body["call_id"].as_str().expect("call id");
    let mut ws = WsClient::connect(&format!("ws://{addr}/ws/call/{call_id}")).await;
    ws.expect("queue_position").await;
    ws
}

#[actix_web::test]
async fn sigterm_closes_sockets_with_1001_and_exits_zero() {
    for name in ["TERM", "INT"] {
        let (mut child, addr) = spawn_hub();
        let mut ws = open_waiting_leg(addr).await;
        signal(&child, name);
        let reason = ws.expect_close(1001).await;
        assert_eq!(reason.description.as_deref(), Some("server shutting down"));
        drop(ws);
        let status = wait_for_exit(&mut child);
        assert!(status.success(), "SIG{name}: exit status {status}");
    }
}
