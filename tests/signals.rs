//! The real binary: it reads its settings from the environment, serves, and on SIGTERM or
//! SIGINT closes its sockets with 1001 and exits cleanly.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::WsClient;
use serde_json::{Value, json};

/// Starts the binary on an ephemeral loopback port and returns it with its address.
fn spawn_hub() -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("WORKERS", "1")
        .env("WS_HEARTBEAT_INTERVAL", "50ms")
        .env("SHUTDOWN_TIMEOUT", "5")
        .env("DATABASE_PATH", ":memory:")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the hub binary");
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
