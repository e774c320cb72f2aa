//! The hub's own pages in browser tests, the steps every walk repeats: in the customer widget,
//! say a line, read the lines it shows and the conversation it keeps; at the agent desk, sign
//! in and take a waiting conversation; and, over REST, what the bot answers a line, to know
//! what the widget should show.

use serde_json::json;

use super::HubClient;
use super::browser::Browser;

/// Types `line` into the widget and sends it.
pub async fn say(browser: &Browser<'_>, line: &str) {
    browser.type_into("#line", line).await;
    browser.click("#send").await;
}

/// The text of every line of the widget's conversation, marks left out.
pub async fn lines(browser: &Browser<'_>) -> Vec<String> {
    let script = "return [...document.querySelectorAll('#log li')]\
                  .map(li => li.firstChild ? li.firstChild.nodeValue : '')";
    let found = browser.execute(script, json!([])).await;
    let texts = found.as_array().cloned().unwrap_or_default();
    texts
        .iter()
        .map(|text| text.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The name of the conversation the widget keeps in `localStorage`.
pub async fn conversation(browser: &Browser<'_>) -> String {
    let script = "return JSON.parse(localStorage.getItem('switchboard.widget')).session";
    let session = browser.execute(script, json!([])).await;
    session
        .as_str()
        .expect("the widget's conversation")
        .to_owned()
}

/// Opens the desk at `page` and signs in as `agent_id` named `name` (unless the page kept
/// them from before); waits until its socket is connected.
pub async fn sign_in_at_desk(browser: &Browser<'_>, page: &str, agent_id: &str, name: &str) {
    browser.open_page(page).await;
    let filled = browser
        .execute(
            "return document.querySelector('#agent-id').value",
            json!([]),
        )
        .await;
    if filled != json!(agent_id) {
        browser.type_into("#agent-id", agent_id).await;
        browser.type_into("#agent-name", name).await;
    }
    browser.click("#signin-button").await;
    browser.wait_for_text("#status", |s| s == "connected").await;
}

/// Waits until `session` waits in the desk's queue, then takes it.
pub async fn take_at_desk(browser: &Browser<'_>, session: &str) {
    browser
        .wait_for_text("#queue", |queue| queue.contains(session))
        .await;
    browser
        .click(&format!("#queue li[data-session=\"{session}\"] .take"))
        .await;
}

/// The bot's answer to `line`, asked over REST in the conversation `session` of its own.
pub async fn bot_answer(hub: &HubClient, session: &str, line: &str) -> String {
    let body = json!({"session_name": session, "message": line});
    let (status, answer) = hub.post("/api/chat", body).await;
    assert_eq!(status, 200, "{answer}");
    answer["message"].as_str().expect("an answer").to_owned()
}
