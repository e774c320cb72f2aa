//! The pages the hub serves, in headless Chromium driven over WebDriver (ChromeDriver, spoken
//! to with plain HTTP): seed 004's test page connects to `/ws/agent`, sends a streaming query,
//! and the streamed answer appears on the page as it arrives. `.ci/run` installs Debian's
//! `chromium` and `chromium-driver`; without ChromeDriver the test says so and passes.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use support::{HubClient, eventually, start_hub, test_config};

/// Where Debian puts ChromeDriver and Chromium.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Chromium, started headless by ChromeDriver.
const CHROMIUM: &str = "/usr/bin/chromium";

/// A ChromeDriver process, stopped when dropped.
struct Driver {
    /// The process.
    child: Child,
    /// Where it listens.
    url: String,
    /// Talks to it.
    http: awc::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts ChromeDriver on a free loopback port and waits until it answers.
    async fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: awc::Client::default(),
        };
        eventually("chromedriver to answer", async || {
            let status = driver
                .http
                .get(format!("{}/status", driver.url))
                .send()
                .await;
            status
                .ok()
                .filter(|response| response.status().is_success())
        })
        .await;
        driver
    }

    /// Sends a WebDriver command; returns its `value`.
    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.url);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url),
        };
        let mut response = request
            .timeout(std::time::Duration::from_secs(30))
            .send_json(&body)
            .await
            .expect("a WebDriver answer");
        let answer: Value = response
            .json()
            .limit(8 << 20)
            .await
            .expect("a WebDriver body");
        assert!(response.status().is_success(), "{method} {path}: {answer}");
        answer["value"].clone()
    }
}

/// A headless Chromium session.
struct Browser<'a> {
    /// Its driver.
    driver: &'a Driver,
    /// The session's id.
    id: String,
}

impl<'a> Browser<'a> {
    /// A fresh headless Chromium with an empty profile and no background traffic.
    async fn open(driver: &'a Driver, profile: &Path) -> Browser<'a> {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}
        }}});
        let session = driver.command("POST", "/session", capabilities).await;
        let id = session["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Browser { driver, id }
    }

    /// Runs a WebDriver command within this session.
    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.id);
        self.driver.command(method, &path, body).await
    }

    /// The element `selector` finds.
    async fn element(&self, selector: &str) -> String {
        let found = self
            .command(
                "POST",
                "/element",
                json!({"using": "css selector", "value": selector}),
            )
            .await;
        let id = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str);
        id.expect("an element reference").to_owned()
    }

    /// Clicks `selector`.
    async fn click(&self, selector: &str) {
        let element = self.element(selector).await;
        self.command("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    /// The visible text of `selector`.
    async fn text(&self, selector: &str) -> String {
        let element = self.element(selector).await;
        let text = self
            .command("GET", &format!("/element/{element}/text"), json!({}))
            .await;
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until `selector`'s text satisfies `done`; returns it.
    async fn wait_for_text(&self, selector: &str, done: impl Fn(&str) -> bool) -> String {
        eventually(
            &format!("{selector} to show what is expected"),
            async || {
                let text = self.text(selector).await;
                done(&text).then_some(text)
            },
        )
        .await
    }

    /// Ends the session.
    async fn close(self) {
        self.driver
            .command("DELETE", &format!("/session/{}", self.id), json!({}))
            .await;
    }
}

#[actix_rt::test]
async fn the_agent_test_page_streams_an_answer_in_chromium() {
    if !Path::new(CHROMEDRIVER).exists() {
        println!("skipped: {CHROMEDRIVER} is missing (`.ci/run` installs chromium-driver)");
        return;
    }
    let hub = start_hub(test_config());
    let expected = expected_greeting(&hub).await;
    let driver = Driver::start().await;
    let profile =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("chromium-{}", hub.addr.port()));
    let browser = Browser::open(&driver, &profile).await;
    let page = format!("http://{}/static/test_websocket.html", hub.addr);
    browser.command("POST", "/url", json!({"url": page})).await;
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
    browser.close().await;
    let _ = std::fs::remove_dir_all(profile);
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
