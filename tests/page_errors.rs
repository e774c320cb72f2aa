//! What the pages show when the hub refuses something, in headless Chromium driven over
//! WebDriver: the widget shows a refused line's reason in words, marks the line unsent and
//! keeps working; the console tells a refused token (401) from a token that is not an admin's
//! (403); the desk shows a refused reply's reason in words and keeps the reply. A failing step
//! saves a screenshot under `target/`. Without ChromeDriver the test says so and passes.

mod support;

use serde_json::json;
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

use support::auth::token;
use support::browser::{Browser, driver_missing, in_chromium};
use support::monitor::monitor_config;
use support::pages::{bot_answer, say, sign_in_at_desk, take_at_desk};
use support::{HubClient, start_hub};

/// A line one character over the hub's limit.
const TOO_LONG: usize = 10_001;

/// The conversation the desk takes.
const ESCALATED: &str = "page-errors-escalated";

#[actix_rt::test]
async fn the_pages_show_refusals_in_words_and_keep_what_was_typed() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(monitor_config(AuthMode::Open));
    let greeting = bot_answer(&hub, "page-errors-reference", "hello").await;
    bot_answer(&hub, ESCALATED, "hello").await;
    let body = json!({"session_name": ESCALATED, "reason": "user_request"});
    let (status, escalated) = hub.post("/api/manual/escalate", body).await;
    assert_eq!(status, 200, "{escalated}");
    in_chromium("page-errors", hub.addr.port(), async |browser| {
        widget_refusal(browser, &hub, &greeting).await;
        console_refusals(browser, &hub).await;
        desk_refusal(browser, &hub).await;
    })
    .await;
}

/// Sets the field `selector` to `length` copies of "x" in one step (typing them would be slow).
async fn fill_long(browser: &Browser<'_>, selector: &str, length: usize) {
    browser
        .execute(
            "document.querySelector(arguments[0]).value = 'x'.repeat(arguments[1]);",
            json!([selector, length]),
        )
        .await;
}

/// A line over the limit: the reason in words, the line marked unsent; the next line answered.
async fn widget_refusal(browser: &Browser<'_>, hub: &HubClient, greeting: &str) {
    browser
        .open_page(&format!("http://{}/widget", hub.addr))
        .await;
    browser.wait_for_text("#status", |s| s == "connected").await;
    fill_long(browser, "#line", TOO_LONG).await;
    browser.click("#send").await;
    browser
        .wait_for_text("#error", |said| {
            said.contains("longer than 10000 characters")
        })
        .await;
    browser
        .wait_for_text("#log li.unsent .mark", |mark| mark.starts_with("Not sent:"))
        .await;
    say(browser, "hello").await;
    browser
        .wait_for_text("#log", |log| log.contains(greeting))
        .await;
}

/// A token the hub does not accept, then a customer's token: each refusal in its own words.
async fn console_refusals(browser: &Browser<'_>, hub: &HubClient) {
    browser
        .open_page(&format!("http://{}/admin", hub.addr))
        .await;
    browser.type_into("#token", "not-a-token").await;
    browser.click("#connect").await;
    browser
        .wait_for_text("#error", |said| said.contains("did not accept the token"))
        .await;
    browser
        .execute("document.getElementById('token').value = ''", json!([]))
        .await;
    let customer = token("cy", UserRole::Customer);
    browser.type_into("#token", &customer).await;
    browser.click("#connect").await;
    browser
        .wait_for_text("#error", |said| said.contains("not an admin's"))
        .await;
}

/// The desk takes a conversation; a reply over the limit is refused in words and stays in the
/// reply field.
async fn desk_refusal(browser: &Browser<'_>, hub: &HubClient) {
    let desk = format!("http://{}/desk", hub.addr);
    sign_in_at_desk(browser, &desk, "agent_eve", "Eve").await;
    take_at_desk(browser, ESCALATED).await;
    browser
        .wait_for_text("#history", |history| history.contains("hello"))
        .await;
    fill_long(browser, "#reply", TOO_LONG).await;
    browser.click("#send").await;
    browser
        .wait_for_text("#error", |said| said.contains("10000 characters"))
        .await;
    let kept = browser
        .execute(
            "return document.getElementById('reply').value.length",
            json!([]),
        )
        .await;
    assert_eq!(kept, json!(TOO_LONG), "the refused reply is kept");
}
