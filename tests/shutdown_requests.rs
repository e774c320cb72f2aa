//! HTTP requests met by a shutdown are answered, never reset: while the hub drains, a new
//! connection and a kept-alive idle one both hear 503 `unavailable` with `Connection: close`,
//! and a request already in flight (its body still on its way) is answered in JSON once its
//! body arrives, before the hub stops.

mod support;

use support::raw::{RawConnection, RawResponse};
use support::{eventually, start_hub, test_config};

/// A `GET /api/health` on `connection`; returns the response.
async fn health_on(connection: &mut RawConnection) -> RawResponse {
    connection.request("GET", "/api/health", "", "").await;
    connection.response().await
}

/// Asserts `response` is the 503 `unavailable` JSON that closes its connection.
fn assert_unavailable(response: &RawResponse) {
    assert_eq!(response.status, 503, "{response:?}");
    assert_eq!(response.json()["error"], "unavailable");
    assert!(response.closes(), "Connection: close in {response:?}");
}

#[actix_rt::test]
async fn requests_met_by_a_shutdown_get_json_answers_not_resets() {
    let hub = start_hub(test_config());
    let mut idle = RawConnection::open(hub.addr).await;
    assert_eq!(health_on(&mut idle).await.status, 200);
    let body = r#"{"session_name":"late","message":"hello"}"#;
    let mut in_flight = RawConnection::open(hub.addr).await;
    let head = format!(
        "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n",
        body.len()
    );
    in_flight.request("POST", "/api/chat", &head, "").await;
    let go_on = in_flight.response().await;
    assert_eq!(go_on.status, 100, "the request is in flight: {go_on:?}");

    let handle = hub.handle.clone();
    let shutdown = actix_rt::spawn(async move { handle.shutdown().await });
    let refused = eventually(
        "new requests to be refused while the hub stops",
        async || {
            let mut fresh = RawConnection::open(hub.addr).await;
            let response = health_on(&mut fresh).await;
            (response.status != 200).then_some((response, fresh))
        },
    )
    .await;
    let (response, mut fresh) = refused;
    assert_unavailable(&response);
    fresh.until_end().await;

    assert_unavailable(&health_on(&mut idle).await);
    idle.until_end().await;

    in_flight.send(body.as_bytes()).await;
    let answer = in_flight.response().await;
    assert!(answer.closes(), "Connection: close in {answer:?}");
    match answer.status {
        200 => assert_eq!(answer.json()["session_name"], "late"),
        503 => assert_eq!(answer.json()["error"], "unavailable"),
        other => panic!("the request in flight got {other}: {answer:?}"),
    }
    in_flight.until_end().await;

    shutdown.await.expect("shutdown task");
    hub.wait_stopped().await;
}
