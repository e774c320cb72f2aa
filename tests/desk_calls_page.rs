//! The agent desk's calls panel in headless Chromium driven over WebDriver: a customer call
//! leg started by the test over REST and `/ws/call` waits; `/desk` counts it, takes it with
//! "Take the next caller", shows the caller's name, the caller's line and its own, and hangs
//! up, which the customer leg hears as `call_ended` `agent_hung_up`. In strict mode the page's
//! token reaches the panel's script, the calls list and the chat socket. A failing step saves a
//! screenshot under `target/`. Without ChromeDriver the test says so and passes.

mod support;

use std::time::Duration;

use serde_json::json;
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::AuthMode;

use support::auth::{config_in, token};
use support::browser::{Browser, driver_missing, in_chromium};
use support::pages::{sign_in_at_desk, take_at_desk};
use support::ws::WsClient;
use support::{HubClient, start_hub, test_config_with};

/// The caller's name.
const CALLER: &str = "Cy";

/// The agent's name.
const AGENT: &str = "Cora";

/// The caller's line.
const CALLER_LINE: &str = "my order is late";

/// The agent's line.
const AGENT_LINE: &str = "let me check that for you";

#[actix_rt::test]
async fn the_desk_takes_a_caller_talks_and_hangs_up() {
    if driver_missing() {
        return;
    }
    // The customer leg is read only between the browser's steps, so its pings wait unanswered.
    let hub = start_hub(test_config_with(|config| {
        config.sockets.connection_timeout = Duration::from_secs(60)
    }));
    let (_, mut customer, _) = hub.waiting_leg("customer", CALLER).await;
    in_chromium("desk-calls", hub.addr.port(), async |browser| {
        call_steps(browser, &hub, &mut customer).await
    })
    .await;
}

/// The call's whole walk: sign in, the count, take, lines both ways, hang up.
async fn call_steps(browser: &Browser<'_>, hub: &HubClient, customer: &mut WsClient) {
    let page = format!("http://{}/desk", hub.addr);
    sign_in_at_desk(browser, &page, "agent_cora", AGENT).await;
    browser
        .wait_for_text("#callers", |callers| callers == "1 caller is waiting.")
        .await;
    browser.click("#call-take").await;
    browser
        .wait_for_text("#call-state", |state| {
            state == format!("In a call with {CALLER}.")
        })
        .await;
    let matched = support::calls::wait_until_matched(customer).await;
    assert_eq!(matched["partner_name"], AGENT, "{matched}");
    customer
        .send_json(json!({"type": "transcript", "text": CALLER_LINE}))
        .await;
    browser
        .wait_for_text("#call-transcript", |lines| {
            lines.contains(&format!("{CALLER}\n{CALLER_LINE}"))
        })
        .await;
    browser.type_into("#call-line", AGENT_LINE).await;
    browser.click("#call-send").await;
    let line = customer.expect("transcript").await;
    assert_eq!(line["speaker"], "agent", "{line}");
    assert_eq!(line["text"], AGENT_LINE, "{line}");
    browser
        .wait_for_text("#call-transcript", |lines| {
            lines.contains(&format!("You\n{AGENT_LINE}"))
        })
        .await;
    browser.click("#call-hangup").await;
    let ended = customer.expect("call_ended").await;
    assert_eq!(ended["reason"], "agent_hung_up", "{ended}");
    browser
        .wait_for_text("#call-state", |state| state == "Call ended: you hung up.")
        .await;
    let take = browser
        .execute(
            "return document.querySelector('#call-take').disabled",
            json!([]),
        )
        .await;
    assert_eq!(take, json!(false), "another caller may be taken");
}

#[actix_rt::test]
async fn in_strict_mode_the_desk_counts_callers_and_follows_with_its_token() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(config_in(AuthMode::Strict));
    let customer = token("cust-strict", UserRole::Customer);
    let leg = json!({"user_type": "customer", "user_name": CALLER});
    let (status, body) = hub
        .call_as("POST", "/api/calls/start", Some(&customer), Some(&leg))
        .await;
    assert_eq!(status, 200, "{body}");
    for (path, body) in [
        (
            "/api/chat",
            json!({"session_name": "strict-desk", "message": "hello"}),
        ),
        (
            "/api/manual/escalate",
            json!({"session_name": "strict-desk", "reason": "user_request"}),
        ),
    ] {
        let (status, answer) = hub
            .call_as("POST", path, Some(&customer), Some(&body))
            .await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
    in_chromium("desk-strict", hub.addr.port(), async |browser| {
        strict_steps(browser, &hub).await
    })
    .await;
}

/// With an agent token in the page's address: the calls panel's script loads and counts the
/// caller, and the taken conversation is followed live on the chat socket.
async fn strict_steps(browser: &Browser<'_>, hub: &HubClient) {
    let agent = token("agent_sam", UserRole::Agent);
    let page = format!("http://{}/desk?token={agent}", hub.addr);
    sign_in_at_desk(browser, &page, "agent_sam", "Sam").await;
    browser
        .wait_for_text("#callers", |callers| callers == "1 caller is waiting.")
        .await;
    take_at_desk(browser, "strict-desk").await;
    browser
        .wait_for_text("#live", |live| live.starts_with("Live"))
        .await;
}
