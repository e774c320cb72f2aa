//! One conversation across the three pages, in three windows of one headless Chromium driven
//! over WebDriver: a customer chats with the bot in `/widget` and asks for a human; `/admin`
//! shows the conversation waiting; an agent takes it in `/desk`; they exchange lines both ways;
//! the agent hands it back with a note and the bot answers the customer again; `/admin` shows
//! the conversation's audit log and disconnects the customer, whose widget says so, reconnects
//! on its own and, after a reload too, shows every line once. A failing step saves a screenshot
//! under `target/`; with `UPDATE_SCREENSHOTS` set, the walk also writes the README's
//! screenshots. Without ChromeDriver the test says so and passes.

mod support;

use serde_json::json;
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

use support::auth::token;
use support::browser::{Browser, driver_missing, in_chromium};
use support::monitor::monitor_config;
use support::pages::{bot_answer, conversation, lines, say, sign_in_at_desk, take_at_desk};
use support::{HubClient, eventually, start_hub};

/// The agent's first line.
const REPLY: &str = "Hello, I am Ana. Let me look at your order.";
/// The customer's line to the agent.
const CUSTOMER_LINE: &str = "Thank you, it is order 1042";
/// The agent's note on handing back.
const NOTE: &str = "Your order ships tomorrow; the assistant is here for anything else.";
/// What the widget says while a human is asked for.
const HUMAN_ASKED: &str = "A human has been asked for";
/// What the widget says when an agent takes over.
const AGENT_TOOK_OVER: &str = "A human agent took over";
/// What the widget says when the bot is back.
const BOT_IS_BACK: &str = "You are back with the assistant";

/// The three windows' handles.
struct Windows {
    /// The customer's widget.
    widget: String,
    /// The operators' console.
    admin: String,
    /// The agent's desk.
    desk: String,
}

#[actix_rt::test]
async fn a_conversation_goes_from_the_bot_to_an_agent_and_back_while_the_console_watches() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(monitor_config(AuthMode::Open));
    let answer = bot_answer(&hub, "handover-reference", "hello").await;
    in_chromium("handover", hub.addr.port(), async |browser| {
        let (windows, session) = bot_then_a_human_asked(browser, &hub, &answer).await;
        agent_takes_and_talks(browser, &windows, &session).await;
        back_to_the_bot(browser, &windows, &answer).await;
        console_disconnects(browser, &windows, &session).await;
    })
    .await;
}

/// The customer chats with the bot and asks for a human; the console and the desk open and see
/// the conversation waiting. Answers the windows and the conversation's name.
async fn bot_then_a_human_asked(
    browser: &Browser<'_>,
    hub: &HubClient,
    answer: &str,
) -> (Windows, String) {
    let base = format!("http://{}", hub.addr);
    let widget = browser.current_window().await;
    browser.resize(420, 760).await;
    browser.open_page(&format!("{base}/widget")).await;
    browser.wait_for_text("#status", |s| s == "connected").await;
    say(browser, "hello").await;
    browser
        .wait_for_text("#log", |log| log.contains(answer))
        .await;
    browser.click("#human").await;
    browser
        .wait_for_text("#log", |log| log.contains(HUMAN_ASKED))
        .await;
    let session = conversation(browser).await;

    let admin = browser.new_window().await;
    browser.resize(1200, 900).await;
    browser.open_page(&format!("{base}/admin")).await;
    browser
        .type_into("#token", &token("ops", UserRole::Admin))
        .await;
    browser.click("#connect").await;
    browser.wait_for_text("#status", |s| s == "connected").await;
    browser
        .wait_for_text("#conversations .status-pending_manual", |found| {
            found.contains(&session)
        })
        .await;

    let desk = browser.new_window().await;
    browser.resize(1100, 800).await;
    sign_in_at_desk(browser, &format!("{base}/desk"), "agent_ana", "Ana").await;
    browser
        .wait_for_text("#queue", |queue| {
            queue.contains(&session) && queue.contains("user_request")
        })
        .await;
    take_at_desk(browser, &session).await;
    browser
        .wait_for_text("#history", |history| history.contains(answer))
        .await;
    let windows = Windows {
        widget,
        admin,
        desk,
    };
    (windows, session)
}

/// The agent writes, the customer sees the agent's name and line and answers, the desk shows
/// it, and the console shows the conversation live.
async fn agent_takes_and_talks(browser: &Browser<'_>, windows: &Windows, session: &str) {
    browser.type_into("#reply", REPLY).await;
    browser.click("#send").await;
    browser.switch_to(&windows.widget).await;
    browser
        .wait_for_text("#log", |log| {
            log.contains(AGENT_TOOK_OVER) && log.contains(REPLY)
        })
        .await;
    browser
        .wait_for_text("#who", |who| who.contains("Ana"))
        .await;
    say(browser, CUSTOMER_LINE).await;
    browser
        .wait_for_text("#log", |log| log.contains(CUSTOMER_LINE))
        .await;
    browser.keep_screenshot("widget").await;
    browser.switch_to(&windows.desk).await;
    browser
        .wait_for_text("#history", |history| history.contains(CUSTOMER_LINE))
        .await;
    browser.keep_screenshot("desk").await;
    browser.switch_to(&windows.admin).await;
    browser
        .wait_for_text("#conversations .status-manual_live", |found| {
            found.contains(session)
        })
        .await;
    browser.execute("window.scrollTo(0, 0)", json!([])).await;
    browser.keep_screenshot("admin").await;
    browser.switch_to(&windows.desk).await;
}

/// The agent hands back with a note; the customer reads it and the bot answers again.
async fn back_to_the_bot(browser: &Browser<'_>, windows: &Windows, answer: &str) {
    browser.type_into("#note", NOTE).await;
    browser.click("#release").await;
    browser
        .wait_for_text("#status", |status| status.contains("Released"))
        .await;
    browser.switch_to(&windows.widget).await;
    browser
        .wait_for_text("#log", |log| {
            log.contains(BOT_IS_BACK) && log.contains(NOTE)
        })
        .await;
    browser
        .wait_for_text("#who", |who| who == "Assistant")
        .await;
    say(browser, "hello").await;
    eventually("the bot's second answer", async || {
        let answers = lines(browser).await;
        let count = answers
            .iter()
            .filter(|line| line.as_str() == answer)
            .count();
        (count == 2).then_some(())
    })
    .await;
}

/// The console shows the conversation back with the bot and its audit log, and disconnects the
/// customer; the widget shows the lost connection, comes back by itself, and shows every line
/// once, after a reload too.
async fn console_disconnects(browser: &Browser<'_>, windows: &Windows, session: &str) {
    let before = lines(browser).await;
    browser.watch_text("#status").await;
    browser.switch_to(&windows.admin).await;
    browser
        .wait_for_text("#conversations .status-bot_active", |found| {
            found.contains(session)
        })
        .await;
    browser.type_into("#audit-name", session).await;
    browser.click("#audit-form button").await;
    browser
        .wait_for_text("#audit", |audit| {
            [
                "asked for a human · reason: user_request",
                "taken over · by Ana",
                "agent wrote · by Ana",
                "customer wrote",
                "handed back to the bot · by Ana",
            ]
            .iter()
            .all(|event| audit.contains(event))
        })
        .await;
    let customer = format!("guest-{session}");
    browser
        .click(&format!("button[data-user='{customer}']"))
        .await;
    browser
        .wait_for_text("#error", |said| said.contains("socket(s) closed"))
        .await;
    browser.switch_to(&windows.widget).await;
    browser
        .wait_for_seen("#status", |status| status.starts_with("Connection lost"))
        .await;
    browser.wait_for_text("#status", |s| s == "connected").await;
    assert_eq!(
        lines(browser).await,
        before,
        "the reconnect repeats nothing"
    );
    browser.command("POST", "/refresh", json!({})).await;
    browser.wait_for_text("#status", |s| s == "connected").await;
    assert_eq!(
        lines(browser).await,
        before,
        "the reload keeps the conversation"
    );
}
