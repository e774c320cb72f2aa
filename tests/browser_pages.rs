//! The pages the hub serves, in headless Chromium driven over WebDriver (ChromeDriver, spoken
//! to with plain HTTP): seed 004's test page connects to `/ws/agent`, sends a streaming query,
//! and the streamed answer appears on the page as it arrives; `/docs` renders the API's
//! description and lists its endpoints (with `UPDATE_SCREENSHOTS` set it also writes the
//! README's screenshot of it); the widget, the desk and the console fit a phone's width with
//! no sideways scrolling, and every field on them has a label. A failing step saves a
//! screenshot under `target/`. `.ci/run` installs Debian's `chromium` and `chromium-driver`;
//! without ChromeDriver the test says so and passes.

mod support;

use serde_json::json;

use support::browser::{driver_missing, in_chromium};
use support::pages::sign_in_at_desk;
use support::{HubClient, start_hub, test_config};

#[actix_rt::test]
async fn the_agent_test_page_streams_an_answer_in_chromium() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(test_config());
    let expected = expected_greeting(&hub).await;
    in_chromium("agent-page", hub.addr.port(), async |browser| {
        let page = format!("http://{}/static/test_websocket.html", hub.addr);
        browser.open_page(&page).await;
        browser.click("#connect").await;
        browser
            .wait_for_text("#status", |status| status == "connected")
            .await;
        browser.click("#send").await;
        let streamed = browser
            .wait_for_text("#stream-text", |text| text == expected)
            .await;
        assert_eq!(streamed, expected);
        let log = browser
            .wait_for_text("#log", |log| log.contains("stream_end"))
            .await;
        assert!(log.contains("stream_chunk"), "{log}");
    })
    .await;
}

/// The bot's whole answer to the page's default query, asked over the socket.
async fn expected_greeting(hub: &HubClient) -> String {
    let mut ws = hub.socket("/ws/agent").await;
    ws.expect("connected").await;
    ws.send_json(json!({"type": "agent_query", "query": "你好，请介绍一下你自己"}))
        .await;
    ws.expect("status").await;
    let answer = ws.expect("agent_response").await["content"].clone();
    answer.as_str().expect("an answer").to_owned()
}

#[actix_rt::test]
async fn the_docs_page_renders_and_lists_the_endpoints_in_chromium() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(test_config());
    in_chromium("docs", hub.addr.port(), async |browser| {
        browser.resize(1100, 900).await;
        browser
            .open_page(&format!("http://{}/docs", hub.addr))
            .await;
        let listed = browser
            .wait_for_text("#swagger-ui", |text| {
                text.contains("/api/calls/start") && text.contains("/api/sessions/{session_name}")
            })
            .await;
        assert!(listed.contains("/openapi.json"), "{listed}");
        browser.keep_screenshot("docs").await;
    })
    .await;
}

/// Each page's problems at the current width: sideways scrolling, and fields without a label.
const PAGE_AUDIT: &str = "
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
        problems.push('scrolls sideways: ' + root.scrollWidth + ' > ' + root.clientWidth);
    }
    for (const field of document.querySelectorAll('input, textarea, select')) {
        const named = field.labels.length > 0 || field.getAttribute('aria-label');
        if (!named) problems.push('no label: ' + (field.id || field.outerHTML));
    }
    return problems;";

#[actix_rt::test]
async fn the_pages_fit_a_phone_and_label_every_field() {
    if driver_missing() {
        return;
    }
    let hub = start_hub(test_config());
    in_chromium("phone", hub.addr.port(), async |browser| {
        // 375 pixels is a small phone; headless Firefox windows are at least 450 wide.
        browser.resize(375, 740).await;
        let widest = if browser.is_chromium() { 375 } else { 450 };
        for page in ["/widget", "/desk", "/admin"] {
            browser
                .open_page(&format!("http://{}{page}", hub.addr))
                .await;
            browser.element("body").await;
            let width = browser.execute("return window.innerWidth", json!([])).await;
            assert!(
                width.as_u64() <= Some(widest),
                "{page} at a phone's width: {width}"
            );
            let problems = browser.execute(PAGE_AUDIT, json!([])).await;
            assert_eq!(problems, json!([]), "{page}");
        }
        let desk = format!("http://{}/desk", hub.addr);
        sign_in_at_desk(browser, &desk, "agent_pia", "Pia").await;
        let problems = browser.execute(PAGE_AUDIT, json!([])).await;
        assert_eq!(problems, json!([]), "the desk, signed in");
    })
    .await;
}
