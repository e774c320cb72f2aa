//! Seed 003's notifications: `POST /api/v1/websocket/notify` checks its body, reaches every
//! admin monitor over its socket and is POSTed as JSON to the configured webhook; a webhook
//! that keeps failing is retried with a doubling backoff and the notification is then
//! dropped with a log line, while the hub keeps answering.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::auth::{SECRET, token};
use support::binary::spawn_binary;
use support::monitor::{FakeWebhook, monitor_config};
use support::{eventually, start_hub};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

/// The seed's example notification, for user `u-7`, by email and SMS.
fn device_warning() -> Value {
    json!({
        "title": "设备状态变化",
        "message": "设备 张三的微信 状态从 在线 变更为 离线",
        "type": "warning",
        "action_url": "/devices/device_123",
        "auto_close": false,
        "user_id": "u-7",
        "channels": ["sms", "email"],
    })
}

#[actix_rt::test]
async fn a_notification_reaches_every_monitor_and_the_webhook() {
    let webhook = FakeWebhook::start(vec![200]).await;
    let mut config = monitor_config(AuthMode::Open);
    config.admin.webhook_url = Some(webhook.url());
    let hub = start_hub(config);
    let (mut first, _) = hub.monitor("admin-1").await;
    let (mut second, _) = hub.monitor("admin-2").await;
    let admin = token("admin-1", UserRole::Admin);
    let notify = async |body: Value| {
        hub.call_as(
            "POST",
            "/api/v1/websocket/notify",
            Some(&admin),
            Some(&body),
        )
        .await
    };
    let (status, answer) = notify(device_warning()).await;
    assert_eq!(status, 200, "{answer}");
    let data = &answer["data"];
    assert_eq!(data["webhook"], "queued");
    assert_eq!(data["delivered"], 2, "both monitors");
    assert_eq!(data["audience"], json!({"type": "user", "id": "u-7"}));
    let sent = &data["notification"];
    assert!(
        sent["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("notify_"))
    );
    assert_eq!(sent["type"], "warning");
    assert_eq!(sent["auto_close"], false);
    assert_eq!(sent["action_url"], "/devices/device_123");
    for monitor in [&mut first, &mut second] {
        let frame = monitor.next_of("notification").await;
        assert_eq!(&frame["notification"], sent, "{frame}");
    }
    let posted = eventually("the webhook to receive the notification", async || {
        webhook.posted().into_iter().next()
    })
    .await;
    assert_eq!(posted.body["type"], "notification");
    assert_eq!(&posted.body["notification"], sent);
    assert_eq!(
        posted.body["audience"],
        json!({"type": "user", "id": "u-7"})
    );
    assert_eq!(posted.body["channels"], json!(["email", "sms"]));

    let refusals = [
        json!({"title": "t", "message": "m", "type": "loud"}),
        json!({"message": "no title"}),
        json!({"title": "no message"}),
        json!({"title": "t", "message": "m", "user_id": "u", "session_id": "s"}),
        json!({"title": "t", "message": "m", "channels": ["fax"]}),
    ];
    for body in refusals {
        let (status, refused) = notify(body.clone()).await;
        assert_eq!(
            (status, &refused["error"]),
            (400, &json!("invalid_field")),
            "{body}"
        );
        assert!(refused["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    let customer = token("u-7", UserRole::Customer);
    let (status, _) = hub
        .call_as(
            "POST",
            "/api/v1/websocket/notify",
            Some(&customer),
            Some(&device_warning()),
        )
        .await;
    assert_eq!(status, 403, "notify is for admins");
    hub.stop().await;
}

#[actix_rt::test]
async fn a_failing_webhook_is_retried_with_backoff_then_dropped_with_a_log_line() {
    let webhook = FakeWebhook::start(vec![500]).await;
    let url = webhook.url();
    let hub = spawn_binary(&[
        ("JWT_SECRET", SECRET),
        ("NOTIFY_WEBHOOK_URL", &url),
        ("NOTIFY_WEBHOOK_RETRIES", "2"),
        ("NOTIFY_WEBHOOK_BACKOFF", "150ms"),
    ]);
    let admin = token("admin-1", UserRole::Admin);
    let body = json!({"title": "Quota", "message": "95% of the quota used", "type": "urgent"});
    let (status, answer) = hub
        .call_as(
            "POST",
            "/api/v1/websocket/notify",
            Some(&admin),
            Some(&body),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["webhook"], "queued");
    let id = answer["data"]["notification"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    eventually("the first attempt", async || {
        (!webhook.posted().is_empty()).then_some(())
    })
    .await;
    let (status, health) = hub.get("/api/health").await;
    assert_eq!(
        status, 200,
        "the hub answers while the webhook is retried: {health}"
    );

    let attempts = eventually("three attempts", async || {
        let posted = webhook.posted();
        (posted.len() >= 3).then_some(posted)
    })
    .await;
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(
        gaps[0] >= Duration::from_millis(150),
        "first backoff {gaps:?}"
    );
    assert!(
        gaps[1] >= Duration::from_millis(300),
        "the backoff doubles {gaps:?}"
    );
    let dropped = format!("notification {id} dropped after 3 attempts");
    eventually("the log line of the drop", async || {
        let log = hub.log.lock().expect("the log's lock");
        log.iter().any(|line| line.contains(&dropped)).then_some(())
    })
    .await;
    assert_eq!(webhook.posted().len(), 3, "no attempt after the drop");
    let (status, _) = hub.get("/api/health").await;
    assert_eq!(status, 200);
}
