//! The customer widget in headless Chromium driven over WebDriver: `/widget` sends a line and
//! shows the bot's streamed answer, asks for a human, and after a reload shows the same
//! conversation with no line twice; a plain page with the one `<script src=".../widget.js"
//! data-hub>` tag gets a bubble that opens a chat that answers. A failing step saves a screenshot
//! under `target/`. Without ChromeDriver the test says so and passes.

mod support;

use std::path::Path;

use serde_json::json;

use support::browser::{Browser, driver_missing, in_chromium};
use support::pages::{bot_answer, lines, say};
use support::{HubClient, start_hub, test_config};

/// What the widget says once a human has been asked for.
const HUMAN_ASKED: &str = "A human has been asked for";

#[actix_rt::test]
async fn the_widget_chats_asks_for_a_human_and_resumes_after_a_reload() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(test_config());
    let answer = bot_answer(&hub, "widget-reference", "hello").await;
    in_chromium("widget", hub.addr.port(), async |browser| {
        widget_steps(browser, &hub, &answer).await
    })
    .await;
}

/// The widget's whole walk: chat, a human, a reload, the embedded bubble.
async fn widget_steps(browser: &Browser<'_>, hub: &HubClient, answer: &str) {
    let page = format!("http://{}/widget", hub.addr);
    browser.open_page(&page).await;
    browser
        .wait_for_text("#status", |status| status == "connected")
        .await;
    say(browser, "hello").await;
    browser
        .wait_for_text("#log", |log| log.contains(answer) && log.contains("hello"))
        .await;
    browser.click("#human").await;
    browser
        .wait_for_text("#log", |log| log.contains(HUMAN_ASKED))
        .await;
    let before = lines(browser).await;
    browser.command("POST", "/refresh", json!({})).await;
    browser
        .wait_for_text("#status", |status| status == "connected")
        .await;
    let after = lines(browser).await;
    assert_eq!(after, before, "the reload shows the same conversation");
    for line in ["hello", answer, HUMAN_ASKED] {
        let seen = after.iter().filter(|text| text.starts_with(line)).count();
        assert_eq!(seen, 1, "{line:?} once in {after:?}");
    }
    embedded_bubble(browser, hub, answer).await;
}

/// A plain page from a file with the one script tag: its bubble opens the chat (a conversation
/// of its own, as the browser keeps a framed page's storage per top-level site), which answers.
async fn embedded_bubble(browser: &Browser<'_>, hub: &HubClient, answer: &str) {
    let host = format!("http://{}", hub.addr);
    let page = format!(
        "<!doctype html><title>A shop</title><h1>A shop</h1>\
         <script src=\"{host}/widget.js\" data-hub=\"{host}\"></script>"
    );
    let file = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("widget-shop-{}.html", hub.addr.port()));
    std::fs::write(&file, page).expect("write the shop page");
    let url = format!("file://{}", file.display());
    browser.open_page(&url).await;
    browser.click("#switchboard-bubble").await;
    browser.element("#switchboard-chat").await;
    browser.command("POST", "/frame", json!({"id": 0})).await;
    browser
        .wait_for_text("#status", |status| status == "connected")
        .await;
    say(browser, "hello").await;
    browser
        .wait_for_text("#log", |log| log.contains(answer))
        .await;
    let _ = std::fs::remove_file(file);
}
