//! The admin console in headless Chromium driven over WebDriver: `/admin` takes an admin token,
//! shows the live statistics from the monitor socket, a chat user among the online users and a
//! conversation under its status, and its disconnect button closes that user's chat socket. A
//! failing step saves a screenshot under `target/`. Without ChromeDriver the test says so and
//! passes.

mod support;

use std::panic::AssertUnwindSafe;
use std::path::Path;

use base64::Engine;
use futures_util::FutureExt;
use serde_json::{Value, json};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

use support::auth::token;
use support::browser::{Browser, CHROMEDRIVER, Driver};
use support::monitor::monitor_config;
use support::ws::WsClient;
use support::{HubClient, start_hub};

/// The conversation the test opens over REST.
const CONVERSATION: &str = "admin-console-talk";

#[actix_rt::test]
async fn the_console_shows_live_figures_and_disconnects_a_user() {
    if !Path::new(CHROMEDRIVER).exists() {
        println!("skipped: {CHROMEDRIVER} is missing (`.ci/run` installs chromium-driver)");
        return;
    }
    let hub = start_hub(monitor_config(AuthMode::Open));
    let mut ada = hub.socket("/ws/chat?user_id=ada").await;
    ada.expect("connection_established").await;
    let body = json!({"session_name": CONVERSATION, "message": "hello"});
    let (status, answer) = hub.post("/api/chat", body).await;
    assert_eq!(status, 200, "{answer}");
    let driver = Driver::start().await;
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let profile = target.join(format!("chromium-admin-{}", hub.addr.port()));
    let browser = Browser::open(&driver, &profile).await;
    let steps = AssertUnwindSafe(console_steps(&browser, &hub, &mut ada)).catch_unwind();
    if let Err(failure) = steps.await {
        let shot = target.join(format!("admin-failure-{}.png", hub.addr.port()));
        save_screenshot(&browser, &shot).await;
        println!("screenshot of the failure: {}", shot.display());
        std::panic::resume_unwind(failure);
    }
    browser.close().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// Signs in, watches the figures, finds ada and the conversation, disconnects ada.
async fn console_steps(browser: &Browser<'_>, hub: &HubClient, ada: &mut WsClient) {
    let page = format!("http://{}/admin", hub.addr);
    browser.command("POST", "/url", json!({"url": page})).await;
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
    browser.click("button[data-user='ada']").await;
    ada.expect_close(1000).await;
    browser
        .wait_for_text("#online", |online| !online.contains("ada"))
        .await;
}

/// Writes the browser's screenshot to `path`.
async fn save_screenshot(browser: &Browser<'_>, path: &Path) {
    let shot: Value = browser.command("GET", "/screenshot", json!({})).await;
    let png = base64::engine::general_purpose::STANDARD.decode(shot.as_str().unwrap_or_default());
    if let Ok(png) = png {
        let _ = std::fs::write(path, png);
    }
}
