//! Graceful shutdown: every open socket is told 1001 "going away", every SSE stream ends, the
//! server stops accepting and finishes within the drain time.

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use support::calls::matched_pair;
use support::{start_hub, test_config};

#[actix_rt::test]
async fn shutdown_closes_every_socket_with_1001_and_stops() {
    let hub = start_hub(test_config());
    let (mut customer, _, mut agent, _) = matched_pair(&hub, "bye").await;
    let (_, mut waiting_ws, _) = hub.waiting_leg("customer", "waiting").await;

    let began = Instant::now();
    let handle = hub.handle.clone();
    let shutdown = actix_rt::spawn(async move { handle.shutdown().await });
    for ws in [&mut customer, &mut agent, &mut waiting_ws] {
        let reason = ws.expect_close(1001).await;
        assert_eq!(reason.description.as_deref(), Some("server shutting down"));
    }
    shutdown.await.expect("shutdown task");
    let addr = hub.addr;
    hub.wait_stopped().await;
    assert!(
        began.elapsed() < test_config().server.shutdown_timeout,
        "drained before the timeout had to force it"
    );

    let refused = awc::Client::new()
        .get(format!("http://{addr}/api/health"))
        .send()
        .await;
    assert!(refused.is_err(), "no longer accepting connections");
}

#[actix_rt::test]
async fn shutdown_ends_open_event_streams_and_stops() {
    let hub = start_hub(test_config());
    let (status, _) = hub
        .post(
            "/api/chat",
            serde_json::json!({"session_name": "streamed", "message": "hello"}),
        )
        .await;
    assert_eq!(status, 200);
    let mut events = hub
        .http
        .get(hub.url("/api/sessions/streamed/events"))
        .insert_header(("Last-Event-ID", "0"))
        .send()
        .await
        .expect("the events stream opens");
    assert_eq!(events.status(), 200);
    let first = events
        .next()
        .await
        .expect("a first chunk")
        .expect("readable");
    assert!(String::from_utf8_lossy(&first).contains("retry:"));

    let began = Instant::now();
    let handle = hub.handle.clone();
    let shutdown = actix_rt::spawn(async move { handle.shutdown().await });
    let ended = actix_rt::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = events.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream ended at shutdown");
    shutdown.await.expect("shutdown task");
    hub.wait_stopped().await;
    assert!(
        began.elapsed() < test_config().server.shutdown_timeout,
        "an open stream did not hold the shutdown to its timeout"
    );
}
