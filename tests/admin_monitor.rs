//! Seed 003's admin monitor socket and management API: the socket admits admin tokens only,
//! in both modes; an admin hears `stats_update` on a millisecond interval with figures that
//! move as the hub works, `user_status_update` as admins come and go; the management API
//! answers `stats`, `connections`, `users/{id}/connections`, `online-users` and `health` in
//! their documented shapes, pings a user's sockets by name and disconnects them.

mod support;

use serde_json::{Value, json};
use support::auth::token;
use support::monitor::monitor_config;
use support::ws::{Received, WsClient};
use support::{TestHub, eventually, start_hub};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

/// The keys of seed 003's statistics.
const STATS_KEYS: [&str; 10] = [
    "total_connections",
    "active_connections",
    "messages_sent",
    "messages_received",
    "disconnections",
    "errors",
    "active_users",
    "active_sessions",
    "total_user_connections",
    "total_session_connections",
];

/// `GET path` as the admin `admin-1`: the status and body.
async fn admin_get(hub: &TestHub, path: &str) -> (u16, Value) {
    let admin = token("admin-1", UserRole::Admin);
    hub.call_as("GET", path, Some(&admin), None).await
}

/// `POST path` with `body` as the admin `admin-1`.
async fn admin_post(hub: &TestHub, path: &str, body: Value) -> (u16, Value) {
    let admin = token("admin-1", UserRole::Admin);
    hub.call_as("POST", path, Some(&admin), Some(&body)).await
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

#[actix_rt::test]
async fn the_monitor_admits_admin_tokens_only_in_both_modes() {
    for mode in [AuthMode::Open, AuthMode::Strict] {
        let hub = start_hub(monitor_config(mode));
        let (status, _, body) = hub.upgrade_with("/ws/admin/monitor", &[]).await;
        assert_eq!((status, &body["error"]), (401, &json!("unauthorized")));
        for role in [UserRole::Customer, UserRole::Agent] {
            let bearer = format!("Authorization: Bearer {}", token("someone", role));
            let (status, _, body) = hub.upgrade_with("/ws/admin/monitor", &[&bearer]).await;
            assert_eq!(
                (status, &body["error"]),
                (403, &json!("forbidden")),
                "{mode:?}"
            );
        }
        let bearer = format!(
            "Authorization: Bearer {}",
            token("admin-1", UserRole::Admin)
        );
        let (status, _, _) = hub.upgrade_with("/ws/admin/monitor", &[&bearer]).await;
        assert_eq!(status, 101, "{mode:?}");
        hub.stop().await;
    }
}

#[actix_rt::test]
async fn an_admin_hears_stats_update_on_the_interval_with_moving_figures() {
    let hub = start_hub(monitor_config(AuthMode::Open));
    let (mut monitor, established) = hub.monitor("admin-1").await;
    assert_eq!(established["user_id"], "admin-1");
    assert_eq!(established["stats_interval"], 0.04);
    let first = monitor.next_of("stats_update").await;
    for key in STATS_KEYS {
        assert!(first["stats"][key].is_u64(), "{key} in {first}");
    }
    assert_eq!(first["stats"]["monitors"], 1);
    assert!(first["timestamp"].is_string());

    let mut agent = hub.socket("/ws/agent").await;
    agent.expect("connected").await;
    agent.assert_alive().await;
    let figure = |update: &Value, key: &str| update["stats"][key].as_u64().unwrap_or_default();
    let moved = eventually("a stats_update showing the agent socket", async || {
        let update = monitor.next_of("stats_update").await;
        (figure(&update, "active_connections") >= 2
            && figure(&update, "messages_received") > figure(&first, "messages_received"))
        .then_some(update)
    })
    .await;
    assert!(figure(&moved, "total_connections") > figure(&first, "total_connections"));
    assert!(figure(&moved, "messages_sent") > figure(&first, "messages_sent"));
    assert!(figure(&moved, "uptime_seconds") >= figure(&first, "uptime_seconds"));

    monitor.send_json(json!({"type": "get_stats"})).await;
    monitor.next_of("stats_update").await;
    monitor.send_json(json!({"type": "subscribe"})).await;
    let refused = monitor.next_of("error").await;
    assert_eq!(refused["error"], "unknown_type", "{refused}");
    hub.stop().await;
}

#[actix_rt::test]
async fn monitors_hear_admins_come_online_and_go_offline() {
    let hub = start_hub(monitor_config(AuthMode::Open));
    let (mut first, _) = hub.monitor("admin-1").await;
    let (second, _) = hub.monitor("admin-2").await;
    let online = status_of(&mut first, "admin-2").await;
    assert_eq!(online["status"], "online", "{online}");
    assert!(online["timestamp"].is_string());
    second.close().await;
    let offline = status_of(&mut first, "admin-2").await;
    assert_eq!(offline["status"], "offline", "{offline}");
    hub.stop().await;
}

#[actix_rt::test]
async fn the_management_reads_answer_in_their_documented_shapes() {
    let hub = start_hub(monitor_config(AuthMode::Strict));
    let (_monitor, established) = hub.monitor("admin-1").await;
    let (status, listed) = admin_get(&hub, "/api/v1/websocket/connections").await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["data"]["total"], 1);
    let connection = &listed["data"]["connections"][0];
    assert_eq!(connection["connection_id"], established["connection_id"]);
    assert_eq!(connection["user_id"], "admin-1");
    assert_eq!(connection["is_alive"], true);
    assert_eq!(connection["metadata"]["endpoint"], "admin_monitor");
    for key in ["session_id", "last_ping", "last_pong"] {
        assert!(connection[key].is_null(), "{key} in {connection}");
    }
    assert!(connection["connected_at"].is_string());

    let (_, own) = admin_get(&hub, "/api/v1/websocket/users/admin-1/connections").await;
    assert_eq!(own["data"]["total"], 1, "{own}");
    let (_, none) = admin_get(&hub, "/api/v1/websocket/users/nobody/connections").await;
    assert_eq!(none["data"], json!({"connections": [], "total": 0}));

    let (_, online) = admin_get(&hub, "/api/v1/websocket/online-users").await;
    assert_eq!(online["data"]["total"], 1, "{online}");
    assert_eq!(online["data"]["users"][0]["user_id"], "admin-1");
    assert_eq!(online["data"]["users"][0]["connections"], 1);

    let (status, health) = admin_get(&hub, "/api/v1/websocket/health").await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["data"]["status"], "healthy");
    assert_eq!(health["data"]["monitors"], 1);
    assert_eq!(health["data"]["webhook_configured"], false);

    let (status, stats) = admin_get(&hub, "/api/v1/websocket/stats").await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["success"], true);
    assert!(
        stats["data"]["active_sessions"].is_array(),
        "seed 002's list"
    );
    assert!(stats["data"]["websocket_stats"]["errors_count"].is_u64());
    for key in STATS_KEYS {
        assert!(stats[key].is_u64(), "seed 003's {key} in {stats}");
    }
    assert_eq!(stats["active_users"], 1);
    hub.stop().await;
}

#[actix_rt::test]
async fn a_user_is_pinged_by_name_and_disconnected() {
    let hub = start_hub(monitor_config(AuthMode::Open));
    let (mut monitor, _) = hub.monitor("admin-1").await;
    let (status, pinged) = admin_post(&hub, "/api/v1/websocket/ping/admin-1", json!({})).await;
    assert_eq!(status, 200, "{pinged}");
    assert_eq!(
        pinged["data"],
        json!({"user_id": "admin-1", "connections": 1})
    );
    monitor.next_of("ping").await;
    monitor.send_json(json!({"type": "pong"})).await;
    eventually("the pong recorded", async || {
        let (_, listed) = admin_get(&hub, "/api/v1/websocket/users/admin-1/connections").await;
        let connection = &listed["data"]["connections"][0];
        (connection["last_ping"].is_string() && connection["last_pong"].is_string()).then_some(())
    })
    .await;
    let (status, unknown) = admin_post(&hub, "/api/v1/websocket/ping/ghost", json!({})).await;
    assert_eq!((status, &unknown["error"]), (404, &json!("not_found")));

    let (status, refused) = admin_post(&hub, "/api/v1/websocket/users/disconnect", json!({})).await;
    assert_eq!((status, &refused["error"]), (400, &json!("invalid_field")));
    let body = json!({"user_id": "admin-1", "reason": "maintenance"});
    let (status, done) = admin_post(&hub, "/api/v1/websocket/users/disconnect", body).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["data"]["connections"], 1);
    let closed = loop {
        match monitor.next().await {
            Received::Json(_) => continue,
            other => break other,
        }
    };
    let Received::Closed(Some(reason)) = closed else {
        panic!("expected a close frame, got {closed:?}");
    };
    assert_eq!(u16::from(reason.code), 1000);
    assert_eq!(reason.description.as_deref(), Some("maintenance"));
    hub.stop().await;
}
