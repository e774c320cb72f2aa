//! The real binary: it reads its settings from the environment (seed 002's older variable
//! names too), prints where it listens, serves, and on SIGTERM or SIGINT closes its sockets
//! with 1001 and exits cleanly.

mod support;

use std::process::Command;

use support::binary::{Binary, spawn_binary};

/// Starts the binary on an ephemeral loopback port with fast heartbeats and a 5 s drain.
fn spawn_hub() -> Binary {
    spawn_binary(&[("WS_HEARTBEAT_INTERVAL", "50ms"), ("SHUTDOWN_TIMEOUT", "5")])
}

/// Sends the signal `name` (`TERM`, `INT`...) to the binary.
fn signal(hub: &Binary, name: &str) {
    let status = Command::new("sh")
        .args(["-c", &format!("kill -{name} {}", hub.child.id())])
        .status()
        .expect("run kill");
    assert!(status.success());
}

#[actix_rt::test]
async fn sigterm_closes_sockets_with_1001_and_exits_zero() {
    for name in ["TERM", "INT"] {
        let mut hub = spawn_hub();
        let (_, mut ws, _) = hub.waiting_leg("customer", "Ann").await;
        signal(&hub, name);
        let reason = ws.expect_close(1001).await;
        assert_eq!(reason.description.as_deref(), Some("server shutting down"));
        drop(ws);
        let status = hub.wait_for_exit().await;
        assert!(status.success(), "SIG{name}: exit status {status}");
    }
}

/// `MAX_WEBSOCKET_CONNECTIONS`, seed 002's name for `WS_MAX_CONNECTIONS`, still sets the
/// connection limit when the newer name is absent.
#[actix_rt::test]
async fn the_older_connection_limit_variable_is_read() {
    let mut hub = spawn_binary(&[("MAX_WEBSOCKET_CONNECTIONS", "1")]);
    let (_, mut first, _) = hub.waiting_leg("customer", "first").await;

    let second = hub.start_call("customer", "second").await;
    let mut refused = hub
        .call_socket(second["call_id"].as_str().expect("call_id"))
        .await;
    refused.expect_error("too_many_connections").await;
    refused.expect_close(1013).await;
    first.assert_alive().await;

    drop((first, refused));
    hub.kill().await;
}
