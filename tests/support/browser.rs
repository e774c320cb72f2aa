//! Headless Chromium for tests, driven over WebDriver: [`Driver`] starts ChromeDriver (spoken
//! to with plain HTTP through awc) and [`Browser`] is one session in it that opens pages,
//! clicks, types, reads text, runs scripts and takes screenshots; [`in_chromium`] runs a
//! test's steps in one and keeps a screenshot of a failure. `.ci/run` installs Debian's
//! `chromium` and `chromium-driver`; tests check [`CHROMEDRIVER`] first and skip, saying so,
//! without it ([`driver_missing`]). With `GECKODRIVER` naming a geckodriver (and `FIREFOX` a Firefox, by default
//! [`FIREFOX`]) the same tests drive headless Firefox instead, by hand.

use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use base64::Engine;
use futures_util::FutureExt;
use serde_json::{Value, json};

use super::eventually;

/// Where Debian puts ChromeDriver and Chromium.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Chromium, started headless by ChromeDriver.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether no WebDriver is at hand for the browser tests (ChromeDriver, or the geckodriver
/// `GECKODRIVER` names); says so, and the test then passes without a browser.
pub fn driver_missing() -> bool {
    let driver = geckodriver().unwrap_or_else(|| CHROMEDRIVER.to_owned());
    let missing = !Path::new(&driver).exists();
    if missing {
        println!("skipped: {driver} is missing (`.ci/run` installs chromium-driver)");
    }
    missing
}

/// Firefox, when `GECKODRIVER` is set and `FIREFOX` is not.
pub const FIREFOX: &str = "/usr/bin/firefox-esr";

/// The geckodriver that `GECKODRIVER` names, when the tests are to drive Firefox.
fn geckodriver() -> Option<String> {
    std::env::var("GECKODRIVER")
        .ok()
        .filter(|path| !path.is_empty())
}

/// A WebDriver process (ChromeDriver, or geckodriver), stopped when dropped.
pub struct Driver {
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
    pub async fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let (program, args) = match geckodriver() {
            Some(gecko) => (gecko, vec![format!("--port={port}")]),
            None => (
                CHROMEDRIVER.to_owned(),
                vec![format!("--port={port}"), "--allowed-ips=127.0.0.1".into()],
            ),
        };
        let child = Command::new(program)
            .args(args)
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
    pub async fn command(&self, method: &str, path: &str, body: Value) -> Value {
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
pub struct Browser<'a> {
    /// Its driver.
    driver: &'a Driver,
    /// The session's id.
    id: String,
}

/// Headless Chromium's capabilities, with its profile in `profile`.
fn chromium_capabilities(profile: &Path) -> Value {
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
    json!({"capabilities": {"alwaysMatch": {
        "goog:chromeOptions": {"binary": CHROMIUM, "args": args}
    }}})
}

/// Headless Firefox's capabilities (`FIREFOX`, or [`FIREFOX`]), with its profile in `profile`.
fn firefox_capabilities(profile: &Path) -> Value {
    let binary = std::env::var("FIREFOX").unwrap_or_else(|_| FIREFOX.to_owned());
    let _ = std::fs::create_dir_all(profile);
    let args = [
        "-headless".to_owned(),
        "-profile".to_owned(),
        profile.display().to_string(),
    ];
    json!({"capabilities": {"alwaysMatch": {
        "browserName": "firefox",
        "moz:firefoxOptions": {"binary": binary, "args": args}
    }}})
}

impl<'a> Browser<'a> {
    /// A fresh headless browser with an empty profile and no background traffic.
    pub async fn open(driver: &'a Driver, profile: &Path) -> Browser<'a> {
        let capabilities = match geckodriver() {
            Some(_) => firefox_capabilities(profile),
            None => chromium_capabilities(profile),
        };
        let session = driver.command("POST", "/session", capabilities).await;
        let id = session["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Browser { driver, id }
    }

    /// Whether the browser is Chromium, which speaks the DevTools protocol too.
    pub fn is_chromium(&self) -> bool {
        geckodriver().is_none()
    }

    /// Runs a WebDriver command within this session.
    pub async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.id);
        self.driver.command(method, &path, body).await
    }

    /// The element `selector` finds.
    pub async fn element(&self, selector: &str) -> String {
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
    pub async fn click(&self, selector: &str) {
        let element = self.element(selector).await;
        self.command("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    /// The rendered text of `selector` (empty while nothing matches), read in one step so a
    /// page that redraws the element meanwhile cannot make it stale.
    pub async fn text(&self, selector: &str) -> String {
        let script = "const found = document.querySelector(arguments[0]);\
                      return found ? found.innerText : '';";
        let text = self.execute(script, json!([selector])).await;
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until `selector`'s text satisfies `done`; returns it.
    pub async fn wait_for_text(&self, selector: &str, done: impl Fn(&str) -> bool) -> String {
        eventually(
            &format!("{selector} to show what is expected"),
            async || {
                let text = self.text(selector).await;
                done(&text).then_some(text)
            },
        )
        .await
    }

    /// Starts recording every text `selector`'s element shows from now on, so that a text
    /// shown only for a moment (a typing indicator, a lost connection) can be waited for with
    /// [`Browser::wait_for_seen`] after switching windows.
    pub async fn watch_text(&self, selector: &str) {
        let script = "const [selector] = arguments;
            const node = document.querySelector(selector);
            window.textsSeen = window.textsSeen || {};
            const seen = window.textsSeen[selector] = [node.innerText];
            new MutationObserver(() => seen.push(node.innerText))
              .observe(node, {childList: true, characterData: true, subtree: true});";
        self.execute(script, json!([selector])).await;
    }

    /// Waits until `selector`'s element has shown a text that satisfies `done` since
    /// [`Browser::watch_text`] was called on it.
    pub async fn wait_for_seen(&self, selector: &str, done: impl Fn(&str) -> bool) {
        let script = "return (window.textsSeen || {})[arguments[0]] || [];";
        eventually(
            &format!("{selector} to have shown what is expected"),
            async || {
                let seen = self.execute(script, json!([selector])).await;
                let texts = seen.as_array().cloned().unwrap_or_default();
                texts
                    .iter()
                    .any(|text| text.as_str().is_some_and(&done))
                    .then_some(())
            },
        )
        .await;
    }

    /// Runs `script`, the body of a function whose `arguments` are `args`, in the page;
    /// returns what it returns.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        let body = json!({"script": script, "args": args});
        self.command("POST", "/execute/sync", body).await
    }

    /// Types `text` into the field `selector`.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let field = self.element(selector).await;
        let path = format!("/element/{field}/value");
        self.command("POST", &path, json!({"text": text})).await;
    }

    /// Writes the page's screenshot to `path` (nothing when the browser cannot take one).
    pub async fn save_screenshot(&self, path: &Path) {
        let shot = self.command("GET", "/screenshot", json!({})).await;
        let png =
            base64::engine::general_purpose::STANDARD.decode(shot.as_str().unwrap_or_default());
        if let Ok(png) = png {
            let _ = std::fs::write(path, png);
        }
    }

    /// Opens `url` in the current window.
    pub async fn open_page(&self, url: &str) {
        self.command("POST", "/url", json!({"url": url})).await;
    }

    /// Opens a new window and makes it the current one; returns its handle.
    pub async fn new_window(&self) -> String {
        let opened = self
            .command("POST", "/window/new", json!({"type": "window"}))
            .await;
        let handle = opened["handle"]
            .as_str()
            .expect("a window handle")
            .to_owned();
        self.switch_to(&handle).await;
        handle
    }

    /// The current window's handle.
    pub async fn current_window(&self) -> String {
        let handle = self.command("GET", "/window", json!({})).await;
        handle.as_str().expect("a window handle").to_owned()
    }

    /// Makes window `handle` the current one.
    pub async fn switch_to(&self, handle: &str) {
        self.command("POST", "/window", json!({"handle": handle}))
            .await;
    }

    /// Closes the current window (its pages unload, their sockets close); another must be
    /// switched to before the next command.
    pub async fn close_window(&self) {
        self.command("DELETE", "/window", json!({})).await;
    }

    /// Sets the current window's size in CSS pixels.
    pub async fn resize(&self, width: u32, height: u32) {
        let rect = json!({"width": width, "height": height});
        self.command("POST", "/window/rect", rect).await;
    }

    /// When `UPDATE_SCREENSHOTS` is set, writes the page's screenshot to the README's
    /// `docs/screenshots/{name}.png`; otherwise does nothing.
    pub async fn keep_screenshot(&self, name: &str) {
        if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
            let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
            let _ = std::fs::create_dir_all(&folder);
            self.save_screenshot(&folder.join(format!("{name}.png")))
                .await;
        }
    }

    /// Ends the session.
    pub async fn close(self) {
        self.driver
            .command("DELETE", &format!("/session/{}", self.id), json!({}))
            .await;
    }
}

/// Runs `steps` in a fresh headless Chromium with a profile of its own (named for `name` and
/// the hub's `port`, under `target/`); when a step fails, saves a screenshot beside it, prints
/// where, quits the browser, and fails with the step's panic.
pub async fn in_chromium(name: &str, port: u16, steps: impl AsyncFnOnce(&Browser<'_>)) {
    let driver = Driver::start().await;
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let profile = target.join(format!("chromium-{name}-{port}"));
    let browser = Browser::open(&driver, &profile).await;
    if let Err(failure) = AssertUnwindSafe(steps(&browser)).catch_unwind().await {
        let shot = target.join(format!("{name}-failure-{port}.png"));
        let _ = AssertUnwindSafe(browser.save_screenshot(&shot))
            .catch_unwind()
            .await;
        println!("screenshot of the failure: {}", shot.display());
        // Quit the browser too, or it outlives the test; a failure to quit must not hide
        // the step's own.
        let _ = AssertUnwindSafe(browser.close()).catch_unwind().await;
        std::panic::resume_unwind(failure);
    }
    browser.close().await;
    let _ = std::fs::remove_dir_all(profile);
}
