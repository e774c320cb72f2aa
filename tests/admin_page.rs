//! The admin console in headless Chromium driven over WebDriver: `/admin` takes an admin token,
//! shows the live statistics from the monitor socket, a chat user among the online users and a
//! conversation under its status; its broadcast and notify forms reach that user's chat socket,
//! and its disconnect button closes it. A failing step saves a screenshot under `target/`.
//! Without ChromeDriver the test says so and passes.

mod support;

use serde_json::json;
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

use support::auth::token;
use support::browser::{Browser, driver_missing, in_chromium};
use support::monitor::monitor_config;
use support::ws::WsClient;
use support::{HubClient, start_hub};

/// The conversation the test opens over REST.
const CONVERSATION: &str = "admin-console-talk";

#[actix_rt::test]
async fn the_console_shows_live_figures_and_disconnects_a_user() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(monitor_config(AuthMode::Open));
    let mut ada = hub.socket("/ws/chat?user_id=ada").await;
    ada.expect("connection_established").await;
    let body = json!({"session_name": CONVERSATION, "message": "hello"});
    let (status, answer) = hub.post("/api/chat", body).await;
    assert_eq!(status, 200, "{answer}");
    in_chromium("admin", hub.addr.port(), async |browser| {
        console_steps(browser, &hub, &mut ada).await
    })
    .await;
}

/// Signs in, watches the figures, finds ada and the conversation, disconnects ada.
async fn console_steps(browser: &Browser<'_>, hub: &HubClient, ada: &mut WsClient) {
    let page = format!("http://{}/admin", hub.addr);
    browser.open_page(&page).await;
    let field = browser.element("#token").await;
    let admin = token("ops", UserRole::Admin);
    browser
        .command(
            "POST",
            &format!("/element/{field}/value"),
            json!({"text": admin}),
        )
        .await;
    browser.click("#connect").await;
    browser
        .wait_for_text("#status", |status| status == "connected")
        .await;
    let first = browser
        .wait_for_text("#stats", |stats| stats.contains("uptime"))
        .await;
    browser
        .wait_for_text("#stats", |stats| stats != first)
        .await;
    browser
        .wait_for_text("#online", |online| online.contains("ada"))
        .await;
    browser
        .wait_for_text("#conversations", |found| {
            found.contains("bot_active: 1") && found.contains(CONVERSATION)
        })
        .await;
    browser
        .wait_for_text("#metrics", |metrics| metrics.contains("bot answer"))
        .await;
    forms(browser, ada).await;
    browser.click("button[data-user='ada']").await;
    ada.expect_close(1000).await;
    browser
        .wait_for_text("#online", |online| !online.contains("ada"))
        .await;
}

/// The broadcast form reaches ada's socket as a broadcast, the notify form as a notification
/// to ada alone; each form says how many sockets it reached.
async fn forms(browser: &Browser<'_>, ada: &mut WsClient) {
    browser
        .type_into("#broadcast-message", "Maintenance at 22:00")
        .await;
    browser.click("#broadcast button[type=submit]").await;
    let broadcast = ada.expect("message").await;
    assert_eq!(
        broadcast["data"]["message"], "Maintenance at 22:00",
        "{broadcast}"
    );
    browser
        .wait_for_text("#broadcast-result", |said| said.starts_with("Sent to"))
        .await;
    browser.type_into("#notify-title-field", "Your order").await;
    browser.type_into("#notify-message", "It ships today").await;
    browser.type_into("#notify-user", "ada").await;
    browser.click("#notify button[type=submit]").await;
    let notification = ada.expect("notification").await;
    let sent = &notification["notification"];
    assert_eq!(
        (&sent["title"], &sent["message"]),
        (&json!("Your order"), &json!("It ships today")),
        "{notification}"
    );
    browser
        .wait_for_text("#notify-result", |said| said.starts_with("Delivered to"))
        .await;
}
