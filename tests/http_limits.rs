//! The HTTP edge's limits, tried with clients that misbehave on plain TCP: a body that stalls
//! gets 408 `request_timeout` after `HTTP_BODY_TIMEOUT` and its connection is closed; a body
//! over the limit gets 413 `payload_too_large` (refused before it is read when its length is
//! declared); a client address holding `MAX_CONNECTIONS_PER_IP` connections gets 429
//! `too_many_connections` on the next, WebSocket upgrades included, until one closes. Each
//! refusal is counted in `/api/health`.

mod support;

use std::time::Duration;

use support::raw::{RawConnection, RawResponse};
use support::{HubClient, eventually, start_hub, test_config_with};

/// Asserts `response` is the JSON refusal `status` / `code` that closes its connection.
fn assert_refused(response: &RawResponse, status: u16, code: &str) {
    assert_eq!(response.status, status, "{response:?}");
    let body = response.json();
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|detail| !detail.is_empty())
    );
    assert!(response.closes(), "Connection: close in {response:?}");
}

/// Waits until the hub's health shows `counter` at `value`.
async fn counted(hub: &HubClient, counter: &str, value: u64) {
    hub.wait_for_health(|health| health[counter] == value).await;
}

#[actix_rt::test]
async fn a_stalled_body_gets_408_and_its_connection_is_closed() {
    let hub = start_hub(test_config_with(|config| {
        config.server.body_timeout = Duration::from_millis(200);
    }));
    let mut stalled = RawConnection::open(hub.addr).await;
    let head = "Content-Type: application/json\r\nContent-Length: 100\r\n";
    stalled.request("POST", "/api/chat", head, "{").await;
    let response = stalled.response().await;
    assert_refused(&response, 408, "request_timeout");
    stalled.until_end().await;
    counted(&hub, "requests_timed_out", 1).await;

    let (status, body) = hub
        .post_raw("/api/chat", r#"{"session_name":"after","message":"hello"}"#)
        .await;
    assert_eq!(status, 200, "a whole body in time is served: {body}");
}

#[actix_rt::test]
async fn a_declared_body_over_the_limit_is_refused_before_it_is_read() {
    let hub = start_hub(test_config_with(|_| {}));
    let mut large = RawConnection::open(hub.addr).await;
    let head = "Content-Type: application/json\r\nContent-Length: 2000000\r\n";
    large.request("POST", "/api/chat", head, "").await;
    assert_refused(&large.response().await, 413, "payload_too_large");
    large.until_end().await;
    counted(&hub, "bodies_too_large", 1).await;
}

#[actix_rt::test]
async fn a_chunked_body_over_the_limit_gets_413() {
    let hub = start_hub(test_config_with(|_| {}));
    let mut large = RawConnection::open(hub.addr).await;
    let chunk = format!(
        r#"{{"session_name":"big","message":"{}"}}"#,
        "x".repeat(70_000)
    );
    let head = "POST /api/chat HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\n\r\n";
    let body = format!("{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len());
    large.send(format!("{head}{body}").as_bytes()).await;
    assert_refused(&large.response().await, 413, "payload_too_large");
    counted(&hub, "bodies_too_large", 1).await;
    let (status, _) = hub.get("/api/sessions/big").await;
    assert_eq!(status, 404, "nothing was created");
}

/// A `GET /api/health` on `connection`; returns the response.
async fn health_on(connection: &mut RawConnection) -> RawResponse {
    connection.request("GET", "/api/health", "", "").await;
    connection.response().await
}

#[actix_rt::test]
async fn an_address_over_its_connection_cap_gets_429_until_one_closes() {
    let hub = start_hub(test_config_with(|config| {
        config.server.max_connections_per_ip = 3;
    }));
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut connection = RawConnection::open(hub.addr).await;
        assert_eq!(health_on(&mut connection).await.status, 200);
        held.push(connection);
    }
    let mut fourth = RawConnection::open(hub.addr).await;
    assert_refused(&health_on(&mut fourth).await, 429, "too_many_connections");
    fourth.until_end().await;

    let mut upgrade = RawConnection::open(hub.addr).await;
    let head = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    upgrade.request("GET", "/ws/desk", head, "").await;
    assert_refused(&upgrade.response().await, 429, "too_many_connections");
    upgrade.until_end().await;

    let health = health_on(&mut held[0]).await.json();
    assert_eq!(health["connections_refused_per_ip"], 2, "{health}");
    held.pop();
    eventually("a place given back when a connection closed", async || {
        let mut next = RawConnection::open(hub.addr).await;
        (health_on(&mut next).await.status == 200).then_some(())
    })
    .await;
}
