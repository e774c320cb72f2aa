//! The customer widget in browser tests: reads the lines `/widget` shows, and asks the bot over
//! REST what it answers a line, to know what the widget should show.

use serde_json::json;

use super::HubClient;
use super::browser::Browser;

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

/// The bot's answer to `line`, asked over REST in the conversation `session` of its own.
pub async fn bot_answer(hub: &HubClient, session: &str, line: &str) -> String {
    let body = json!({"session_name": session, "message": line});
    let (status, answer) = hub.post("/api/chat", body).await;
    assert_eq!(status, 200, "{answer}");
    answer["message"].as_str().expect("an answer").to_owned()
}
