//! The agent desk in headless Chromium driven over WebDriver: a customer's conversation is
//! escalated over REST; `/desk` signs in as an agent, shows it in the queue with its reason,
//! takes it, shows the history with the bot's lines marked, replies (the reply is in the
//! session's history over REST) and releases it with a note (the session is `bot_active`
//! again). A failing step saves a screenshot under `target/`. Without ChromeDriver the test
//! says so and passes.

mod support;

use serde_json::json;

use support::browser::{Browser, driver_missing, in_chromium};
use support::pages::{sign_in_at_desk, take_at_desk};
use support::{HubClient, eventually, start_hub, test_config};

/// The escalated conversation.
const SESSION: &str = "desk-page-1";

/// The agent's reply.
const REPLY: &str = "Hello, I am Ana from support";

/// The note the agent leaves when handing back to the bot.
const NOTE: &str = "Handing you back to the assistant";

#[actix_rt::test]
async fn the_desk_takes_answers_and_releases_an_escalated_conversation() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(test_config());
    let answer = escalated_conversation(&hub).await;
    in_chromium("desk", hub.addr.port(), async |browser| {
        desk_steps(browser, &hub, &answer).await
    })
    .await;
}

/// The desk's whole walk: sign in, the queue, take, history, reply, release.
async fn desk_steps(browser: &Browser<'_>, hub: &HubClient, answer: &str) {
    let page = format!("http://{}/desk", hub.addr);
    sign_in_at_desk(browser, &page, "agent_ana", "Ana").await;
    browser
        .wait_for_text("#queue", |queue| {
            queue.contains(SESSION) && queue.contains("user_request")
        })
        .await;
    take_at_desk(browser, SESSION).await;
    browser
        .wait_for_text("#history", |history| {
            history.contains("hello") && history.contains(answer)
        })
        .await;
    let marks = browser
        .execute(
            "return [...document.querySelectorAll('#history li.assistant .who')]\
             .map(mark => mark.textContent)",
            json!([]),
        )
        .await;
    assert_eq!(marks, json!(["Bot"]), "the bot's line is marked");
    browser.type_into("#reply", REPLY).await;
    browser.click("#send").await;
    browser
        .wait_for_text("#history", |history| history.contains(REPLY))
        .await;
    wait_for_agent_line(hub, REPLY).await;
    browser.type_into("#note", NOTE).await;
    browser.click("#release").await;
    eventually("the session back with the bot", async || {
        let (status, session) = hub.get(&format!("/api/sessions/{SESSION}")).await;
        (status == 200 && session["status"] == "bot_active").then_some(())
    })
    .await;
    wait_for_agent_line(hub, NOTE).await;
    browser
        .wait_for_text("#status", |status| status.contains("Released"))
        .await;
}

/// Waits until the session's history over REST holds the agent's line `content`.
async fn wait_for_agent_line(hub: &HubClient, content: &str) {
    eventually(
        &format!("the agent's {content:?} in the history"),
        async || {
            let (_, session) = hub.get(&format!("/api/sessions/{SESSION}")).await;
            let history = session["history"].as_array().cloned().unwrap_or_default();
            history
                .iter()
                .any(|line| line["role"] == "agent" && line["content"] == content)
                .then_some(())
        },
    )
    .await;
}

/// A customer line the bot answers, then a request for a human; returns the bot's answer.
async fn escalated_conversation(hub: &HubClient) -> String {
    let (status, answered) = hub
        .post(
            "/api/chat",
            json!({"session_name": SESSION, "message": "hello"}),
        )
        .await;
    assert_eq!(status, 200, "{answered}");
    let (status, escalated) = hub
        .post(
            "/api/manual/escalate",
            json!({"session_name": SESSION, "reason": "user_request"}),
        )
        .await;
    assert_eq!(status, 200, "{escalated}");
    answered["message"].as_str().expect("an answer").to_owned()
}
