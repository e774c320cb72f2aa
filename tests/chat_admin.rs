//! Seed 003's chat users as the admin side sees them: a chat user coming online and going
//! offline is a `user_status_update` on the monitor, is listed by `online-users` and
//! `users/{id}/connections`, hears a notification meant for it (and another user does not),
//! a notification to a conversation reaches that conversation's members only, a broadcast and
//! a ping by name reach its chat socket, and `users/disconnect` closes it.

mod support;

use serde_json::{Value, json};
use support::auth::token;
use support::monitor::monitor_config;
use support::ws::{Received, WsClient};
use support::{TestHub, start_hub};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

/// A chat socket for `user`, past its `connection_established`.
async fn chat(hub: &TestHub, user: &str) -> WsClient {
    let mut socket = hub.socket(&format!("/ws/chat?user_id={user}")).await;
    socket.expect("connection_established").await;
    socket
}

/// `method path` with `body` as the admin `admin-1`.
async fn as_admin(hub: &TestHub, method: &str, path: &str, body: Option<Value>) -> Value {
    let admin = token("admin-1", UserRole::Admin);
    let (status, answer) = hub.call_as(method, path, Some(&admin), body.as_ref()).await;
    assert_eq!(status, 200, "{method} {path}: {answer}");
    answer
}

/// The next `user_status_update` about `user`.
async fn status_of(monitor: &mut WsClient, user: &str) -> Value {
    loop {
        let update = monitor.next_of("user_status_update").await;
        if update["user_id"] == user {
            return update;
        }
    }
}

/// A notification body for `audience` (`user_id` or `session_id`).
fn notification(title: &str, audience: Value) -> Value {
    let mut body = json!({"title": title, "message": "hello", "type": "info"});
    if let (Some(body), Some(audience)) = (body.as_object_mut(), audience.as_object()) {
        body.extend(audience.clone());
    }
    body
}

#[actix_rt::test]
async fn chat_users_are_seen_by_the_monitor_and_the_management_api() {
    let hub = start_hub(monitor_config(AuthMode::Open));
    let (mut monitor, _) = hub.monitor("admin-1").await;
    let mut ada = chat(&hub, "ada").await;
    let online = status_of(&mut monitor, "ada").await;
    assert_eq!(online["status"], "online", "{online}");

    let users = as_admin(&hub, "GET", "/api/v1/websocket/online-users", None).await;
    let listed: Vec<&str> = users["data"]["users"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|user| user["user_id"].as_str())
        .collect();
    assert!(listed.contains(&"ada"), "{users}");
    let path = "/api/v1/websocket/users/ada/connections";
    let connections = as_admin(&hub, "GET", path, None).await;
    assert_eq!(
        connections["data"]["connections"][0]["metadata"]["endpoint"], "chat",
        "{connections}"
    );

    let pinged = as_admin(&hub, "POST", "/api/v1/websocket/ping/ada", Some(json!({}))).await;
    assert_eq!(pinged["data"], json!({"user_id": "ada", "connections": 1}));
    ada.next_of("ping").await;

    let body = json!({"type": "maintenance", "data": {"at": "22:00"}});
    as_admin(&hub, "POST", "/api/v1/websocket/broadcast", Some(body)).await;
    let broadcast = ada.next_of("maintenance").await;
    assert_eq!(broadcast["data"]["at"], "22:00", "{broadcast}");

    let body = json!({"user_id": "ada", "reason": "maintenance"});
    as_admin(
        &hub,
        "POST",
        "/api/v1/websocket/users/disconnect",
        Some(body),
    )
    .await;
    let closed = loop {
        match ada.next().await {
            Received::Json(_) => continue,
            other => break other,
        }
    };
    assert!(matches!(closed, Received::Closed(Some(_))), "{closed:?}");
    let offline = status_of(&mut monitor, "ada").await;
    assert_eq!(offline["status"], "offline", "{offline}");
}

#[actix_rt::test]
async fn a_notification_reaches_its_user_or_its_conversation_and_no_one_else() {
    let hub = start_hub(monitor_config(AuthMode::Open));
    let mut ada = chat(&hub, "ada").await;
    let mut bob = chat(&hub, "bob").await;
    let for_ada = notification("for ada", json!({"user_id": "ada"}));
    as_admin(&hub, "POST", "/api/v1/websocket/notify", Some(for_ada)).await;
    let heard = ada.next_of("notification").await;
    assert_eq!(heard["notification"]["title"], "for ada", "{heard}");

    ada.send_json(json!({"type": "join_session", "session_id": "room-1"}))
        .await;
    ada.next_of("session_joined").await;
    let for_room = notification("for room-1", json!({"session_id": "room-1"}));
    as_admin(&hub, "POST", "/api/v1/websocket/notify", Some(for_room)).await;
    let heard = ada.next_of("notification").await;
    assert_eq!(heard["notification"]["title"], "for room-1", "{heard}");

    // Bob heard neither: the next notification he hears is the one for everyone.
    let for_all = notification("for everyone", json!({}));
    as_admin(&hub, "POST", "/api/v1/websocket/notify", Some(for_all)).await;
    let heard = bob.next_of("notification").await;
    assert_eq!(heard["notification"]["title"], "for everyone", "{heard}");
}
