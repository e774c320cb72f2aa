//! How the customer widget delivers, in headless Chromium driven over WebDriver: the bot's
//! answer grows on the page piece by piece as it streams; the customer's line is marked `Read`
//! once an agent's chat socket reports it read; a notification to the customer and a
//! broadcast are shown above the conversation; and a line typed while the browser is offline
//! (Chromium's network emulation, with the chat socket cut by the management API) is shown as
//! not sent yet, kept, and sent once the network is back, when the bot answers it. A failing
//! step saves a screenshot under `target/`. Without ChromeDriver the test says so and passes.

mod support;

use serde_json::{Value, json};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

use support::auth::token;
use support::browser::{Browser, driver_missing, in_chromium};
use support::monitor::monitor_config;
use support::pages::{bot_answer, conversation, lines, say};
use support::{HubClient, eventually, start_hub};

/// The line typed while offline.
const OFFLINE_LINE: &str = "where is my order";

#[actix_rt::test]
async fn the_widget_streams_shows_receipts_and_keeps_a_line_typed_offline() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(monitor_config(AuthMode::Open));
    let greeting = bot_answer(&hub, "delivery-reference-1", "hello").await;
    let order_answer = bot_answer(&hub, "delivery-reference-2", OFFLINE_LINE).await;
    in_chromium("widget-delivery", hub.addr.port(), async |browser| {
        let session = streamed(browser, &hub, &greeting).await;
        read_receipt(browser, &hub, &session).await;
        operators_words(browser, &hub, &session).await;
        if browser.is_chromium() {
            typed_offline(browser, &hub, &session, &order_answer).await;
        } else {
            println!("the offline step needs Chromium's network emulation; not run");
        }
    })
    .await;
}

/// Sends "hello" and watches the answer grow; answers the widget's conversation.
async fn streamed(browser: &Browser<'_>, hub: &HubClient, answer: &str) -> String {
    browser
        .open_page(&format!("http://{}/widget", hub.addr))
        .await;
    browser.wait_for_text("#status", |s| s == "connected").await;
    browser
        .execute(
            "window.answerSeen = [];
             const log = document.getElementById('log');
             new MutationObserver(() => {
               for (const li of log.querySelectorAll('li.assistant')) {
                 window.answerSeen.push(li.firstChild ? li.firstChild.nodeValue : '');
               }
             }).observe(log, {childList: true, characterData: true, subtree: true});",
            json!([]),
        )
        .await;
    say(browser, "hello").await;
    browser
        .wait_for_text("#log", |log| log.contains(answer))
        .await;
    let seen = browser.execute("return window.answerSeen", json!([])).await;
    let pieces: Vec<&str> = seen
        .as_array()
        .map(|texts| texts.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        pieces
            .iter()
            .any(|text| !text.is_empty() && text.len() < answer.len() && answer.starts_with(text)),
        "the answer grew piece by piece: {pieces:?}"
    );
    conversation(browser).await
}

/// An agent's chat socket reads the customer's line; the widget marks it `Read`.
async fn read_receipt(browser: &Browser<'_>, hub: &HubClient, session: &str) {
    let mut agent = hub.socket("/ws/chat?user_id=agent_zoe").await;
    agent.expect("connection_established").await;
    agent
        .send_json(json!({"type": "join_session", "session_id": session, "since": 0}))
        .await;
    let joined = agent.expect("session_joined").await;
    let history = joined["history"].as_array().cloned().unwrap_or_default();
    let customer_line = history
        .iter()
        .find(|frame| frame["message"]["role"] == "user")
        .map(|frame| frame["message"]["seq"].clone())
        .unwrap_or_else(|| panic!("the customer's line in {joined}"));
    let read = json!({"type": "message_status_update", "session_id": session,
                      "status": "read", "seq": customer_line});
    agent.send_json(read).await;
    browser
        .wait_for_text("#log li.user .mark", |mark| mark == "Read")
        .await;
}

/// A notification to the customer and a broadcast to everyone, sent the way the console sends
/// them, each shown above the conversation.
async fn operators_words(browser: &Browser<'_>, hub: &HubClient, session: &str) {
    let admin = token("ops", UserRole::Admin);
    let notification = json!({"title": "Delivery", "message": "Orders ship within a day",
                              "type": "info", "user_id": format!("guest-{session}")});
    let path = "/api/v1/websocket/notify";
    let (status, sent) = hub
        .call_as("POST", path, Some(&admin), Some(&notification))
        .await;
    assert_eq!(status, 200, "{sent}");
    browser
        .wait_for_text("#notice.shown", |notice| {
            notice.contains("Delivery: Orders ship within a day")
        })
        .await;
    browser.click("#notice-close").await;
    let hidden = browser
        .execute("return !document.querySelector('#notice.shown')", json!([]))
        .await;
    assert_eq!(hidden, json!(true), "Dismiss hides the notice");
    let broadcast = json!({"type": "message", "message": "We close at 18:00 today"});
    let path = "/api/v1/websocket/broadcast";
    let (status, sent) = hub
        .call_as("POST", path, Some(&admin), Some(&broadcast))
        .await;
    assert_eq!(status, 200, "{sent}");
    browser
        .wait_for_text("#notice.shown", |notice| {
            notice.contains("We close at 18:00 today")
        })
        .await;
}

/// Offline with the socket cut: the typed line waits, marked, while a reconnect fails; back
/// online it is sent once and answered.
async fn typed_offline(browser: &Browser<'_>, hub: &HubClient, session: &str, answer: &str) {
    network(browser, true).await;
    browser
        .execute(
            "window.lostSeen = 0;
             const status = document.getElementById('status');
             new MutationObserver(() => {
               if (status.textContent.startsWith('Connection lost')) window.lostSeen += 1;
             }).observe(status, {childList: true, characterData: true, subtree: true});",
            json!([]),
        )
        .await;
    let admin = token("ops", UserRole::Admin);
    let customer = format!("guest-{session}");
    let body = json!({"user_id": customer, "reason": "network test"});
    let path = "/api/v1/websocket/users/disconnect";
    let (status, cut) = hub.call_as("POST", path, Some(&admin), Some(&body)).await;
    assert_eq!(status, 200, "{cut}");
    browser
        .wait_for_text("#status", |s| s.starts_with("Connection lost"))
        .await;
    say(browser, OFFLINE_LINE).await;
    browser
        .wait_for_text("#log li.pending", |line| {
            line.contains(OFFLINE_LINE) && line.contains("Not sent yet")
        })
        .await;
    eventually("a reconnect to fail while offline", async || {
        let lost = browser.execute("return window.lostSeen", json!([])).await;
        (lost.as_u64() >= Some(2)).then_some(())
    })
    .await;
    let waiting = browser.text("#log li.pending").await;
    assert!(waiting.contains(OFFLINE_LINE), "still waiting: {waiting}");
    network(browser, false).await;
    eventually("the line sent once and answered", async || {
        let shown = lines(browser).await;
        let sent = shown.iter().filter(|line| *line == OFFLINE_LINE).count();
        let answered = shown.iter().any(|line| line == answer);
        (sent == 1 && answered).then_some(())
    })
    .await;
    browser.wait_for_text("#status", |s| s == "connected").await;
}

/// Takes the page's network down (`offline`) or brings it back, through the DevTools protocol.
async fn network(browser: &Browser<'_>, offline: bool) {
    let enable = json!({"cmd": "Network.enable", "params": {}});
    browser.command("POST", "/goog/cdp/execute", enable).await;
    let conditions = json!({"cmd": "Network.emulateNetworkConditions", "params": {
        "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1
    }});
    browser
        .command("POST", "/goog/cdp/execute", conditions)
        .await;
}
