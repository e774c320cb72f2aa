//! Event streams under the hub's limits: at most `SSE_MAX_STREAMS` open at once, across all
//! sessions (the next gets 503 `too_many_streams` until one ends), and a stream whose client
//! stops reading while its session is busy is cut after `WS_WRITE_TIMEOUT`: its connection is
//! let go, its place is given back and its session drops the subscriber.

mod support;

use std::time::Duration;

use support::raw::RawConnection;
use support::sse::{SseStream, streaming_client};
use support::{eventually, start_hub, test_config_with};

#[actix_rt::test]
async fn streams_beyond_the_hub_wide_limit_get_503_until_one_ends() {
    let hub = start_hub(test_config_with(|config| config.server.sse_max_streams = 2));
    for session in ["one", "two", "three"] {
        hub.chat(session, "hello").await;
    }
    let first = hub.follow("one", None).await;
    let _second = hub.follow("two", None).await;
    let request = streaming_client().get(hub.url("/api/sessions/three/events"));
    let refused = SseStream::open(request, None).await;
    assert_eq!(refused.status, 503);
    let body = refused.error_body().await;
    assert_eq!(body["error"], "too_many_streams", "{body}");
    let health = hub
        .wait_for_health(|health| health["sse_refused"] == 1)
        .await;
    assert_eq!(health["sse_streams_open"], 2, "{health}");

    drop(first);
    hub.wait_for_health(|health| health["sse_streams_open"] == 1)
        .await;
    hub.follow("three", None).await;
}

#[actix_rt::test]
async fn a_stream_whose_client_stops_reading_is_cut_and_its_subscriber_dropped() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.write_timeout = Duration::from_millis(200);
        config.takeover.sse_max_subscribers = 1;
    }));
    hub.chat("busy", "hello").await;
    let mut stalled = RawConnection::open_with_small_window(hub.addr, 1024).await;
    stalled
        .request("GET", "/api/sessions/busy/events", "", "")
        .await;
    hub.wait_for_health(|health| health["sse_streams_open"] == 1)
        .await;

    let long_line = "where is my parcel? ".repeat(450);
    let health = eventually("the stalled stream to be cut", async || {
        let lines = (0..16).map(|_| hub.chat("busy", &long_line));
        futures_util::future::join_all(lines).await;
        let (_, health) = hub.get("/api/health").await;
        (health["sse_write_timeouts"] == 1).then_some(health)
    })
    .await;
    assert_eq!(health["sse_refused"], 0, "{health}");
    hub.wait_for_health(|health| health["sse_streams_open"] == 0)
        .await;
    stalled.until_end().await;
    hub.follow("busy", None).await;
}
