//! The agent desk live, in headless Chromium driven over WebDriver: a customer asks for a
//! human in `/widget`, `/desk` (in a second window) takes the conversation and follows it on a
//! chat socket, so the desk shows the customer typing in the widget and the widget shows the
//! agent typing in the desk; and a second tab of the same agent takes over the agent's
//! conversation when the first tab closes. In strict mode, an agent's chat socket joins a
//! customer's conversation and typing goes both ways. A failing browser step saves a
//! screenshot under `target/`. Without ChromeDriver the browser tests say so and pass.

mod support;

use serde_json::{Value, json};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

use support::auth::{config_in, token};
use support::browser::{Browser, driver_missing, in_chromium};
use support::pages::{conversation, say, sign_in_at_desk, take_at_desk};
use support::ws::WsClient;
use support::{HubClient, eventually, start_hub, test_config};

/// What the widget says once a human has been asked for.
const HUMAN_ASKED: &str = "A human has been asked for";

/// What the desk says while the open conversation's customer types.
const CUSTOMER_TYPING: &str = "Customer is typing…";

/// The conversation the second tab takes over.
const SECOND_TAB_SESSION: &str = "second-tab-1";

#[actix_rt::test]
async fn the_desk_and_the_widget_see_each_other_type() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(test_config());
    in_chromium("desk-typing", hub.addr.port(), async |browser| {
        typing_steps(browser, &hub).await
    })
    .await;
}

/// The widget asks for a human, the desk takes it, each side types and the other sees it.
async fn typing_steps(browser: &Browser<'_>, hub: &HubClient) {
    let widget = browser.current_window().await;
    let session = widget_asks_for_a_human(browser, hub).await;
    browser.new_window().await;
    sign_in_and_take(browser, hub, ("agent_tia", "Tia"), &session).await;
    browser
        .wait_for_text("#live", |live| live.starts_with("Live"))
        .await;
    let desk = browser.current_window().await;
    browser.watch_text("#typing").await;
    browser.switch_to(&widget).await;
    browser.watch_text("#activity").await;
    browser.type_into("#line", "is anyone there").await;
    browser.switch_to(&desk).await;
    browser
        .wait_for_seen("#typing", |typing| typing == CUSTOMER_TYPING)
        .await;
    browser.type_into("#reply", "one moment").await;
    browser.switch_to(&widget).await;
    browser
        .wait_for_seen("#activity", |activity| activity == "The agent is typing…")
        .await;
}

/// Opens `/widget`, sends a line and asks for a human; returns the conversation's name.
async fn widget_asks_for_a_human(browser: &Browser<'_>, hub: &HubClient) -> String {
    let page = format!("http://{}/widget", hub.addr);
    browser.open_page(&page).await;
    browser
        .wait_for_text("#status", |status| status == "connected")
        .await;
    say(browser, "hello").await;
    eventually("the widget's human button to be enabled", async || {
        let disabled = browser
            .execute(
                "return document.querySelector('#human').disabled",
                json!([]),
            )
            .await;
        (disabled == json!(false)).then_some(())
    })
    .await;
    browser.click("#human").await;
    browser
        .wait_for_text("#log", |log| log.contains(HUMAN_ASKED))
        .await;
    conversation(browser).await
}

/// Signs in at `hub`'s desk as `agent_id` named `name`, takes `session` and waits for its
/// history.
async fn sign_in_and_take(
    browser: &Browser<'_>,
    hub: &HubClient,
    (agent_id, name): (&str, &str),
    session: &str,
) {
    sign_in_at_desk(
        browser,
        &format!("http://{}/desk", hub.addr),
        agent_id,
        name,
    )
    .await;
    take_at_desk(browser, session).await;
    browser
        .wait_for_text("#history", |history| history.contains("hello"))
        .await;
}

#[actix_rt::test]
async fn a_second_tab_takes_over_when_the_first_closes() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(test_config());
    escalate(&hub, SECOND_TAB_SESSION).await;
    in_chromium("desk-second-tab", hub.addr.port(), async |browser| {
        second_tab_steps(browser, &hub).await
    })
    .await;
}

/// The first tab takes the conversation; the second, available, gets it when the first
/// closes, and its reply is the agent's line in the conversation.
async fn second_tab_steps(browser: &Browser<'_>, hub: &HubClient) {
    let first = browser.current_window().await;
    sign_in_and_take(browser, hub, ("agent_theo", "Theo"), SECOND_TAB_SESSION).await;
    let second = browser.new_window().await;
    let desk = format!("http://{}/desk", hub.addr);
    sign_in_at_desk(browser, &desk, "agent_theo", "Theo").await;
    browser.click("#available").await;
    browser.switch_to(&first).await;
    browser.close_window().await;
    browser.switch_to(&second).await;
    browser
        .wait_for_text("#mine", |mine| mine.contains(SECOND_TAB_SESSION))
        .await;
    browser
        .wait_for_text("#history", |history| history.contains("hello"))
        .await;
    browser.type_into("#reply", "I am still here").await;
    browser.click("#send").await;
    eventually("the second tab's reply in the history", async || {
        let (_, session) = hub
            .get(&format!("/api/sessions/{SECOND_TAB_SESSION}"))
            .await;
        let history = session["history"].as_array().cloned().unwrap_or_default();
        history
            .iter()
            .any(|line| line["role"] == "agent" && line["content"] == "I am still here")
            .then_some(())
    })
    .await;
}

/// A customer line the bot answers in `session`, then a request for a human.
async fn escalate(hub: &HubClient, session: &str) {
    let line = json!({"session_name": session, "message": "hello"});
    let (status, answered) = hub.post("/api/chat", line).await;
    assert_eq!(status, 200, "{answered}");
    let escalation = json!({"session_name": session, "reason": "user_request"});
    let (status, escalated) = hub.post("/api/manual/escalate", escalation).await;
    assert_eq!(status, 200, "{escalated}");
}

#[actix_rt::test]
async fn in_strict_mode_an_agents_chat_socket_sees_and_shows_typing() {
    let hub = start_hub(config_in(AuthMode::Strict));
    let customer = token("cust-typing", UserRole::Customer);
    let line = json!({"session_name": "strict-typing", "message": "hello"});
    let (status, answered) = hub
        .call_as("POST", "/api/chat", Some(&customer), Some(&line))
        .await;
    assert_eq!(status, 200, "{answered}");
    let mut customer_socket = hub.socket(&format!("/ws/chat?token={customer}")).await;
    let agent = token("agent-typing", UserRole::Agent);
    let mut agent_socket = hub.socket(&format!("/ws/chat?token={agent}")).await;
    for socket in [&mut customer_socket, &mut agent_socket] {
        socket.expect("connection_established").await;
        let join = json!({"type": "join_session", "session_id": "strict-typing"});
        socket.send_json(join).await;
        socket.expect("session_joined").await;
    }
    typing_reaches(&mut customer_socket, &mut agent_socket, "cust-typing").await;
    typing_reaches(&mut agent_socket, &mut customer_socket, "agent-typing").await;
    hub.stop().await;
}

/// `from` says it is typing in the strict conversation; `to` hears it from `user`.
async fn typing_reaches(from: &mut WsClient, to: &mut WsClient, user: &str) {
    let typing = json!({"type": "typing", "session_id": "strict-typing", "is_typing": true});
    from.send_json(typing).await;
    let seen = next_typing(to).await;
    assert_eq!(seen["user_id"], user, "{seen}");
    assert_eq!(seen["is_typing"], true, "{seen}");
}

/// The next `typing` frame on `socket`, past presence and status frames.
async fn next_typing(socket: &mut WsClient) -> Value {
    loop {
        let frame = socket.recv().await;
        match frame["type"].as_str() {
            Some("typing") => return frame,
            Some("user_status_update" | "message_status_update") => continue,
            _ => panic!("expected typing, got {frame}"),
        }
    }
}
