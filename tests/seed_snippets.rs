//! The seeds' JavaScript examples in headless Chromium against the hub: the snippet printed in
//! seed 004 (`tests/seed_clients/seed004_snippet.js`, verbatim but for its host) opens
//! `/ws/agent`, sends a streaming query and logs each frame and each chunk; the one printed in
//! seed 002 (`tests/seed_clients/seed002_snippet.js`, likewise) opens an interview on
//! `/api/v1/ws`, logs the session id, and its `sendTextInput` and `sendAudioInput` get the
//! interviewer's question and the error of a hub without speech to text. Each snippet runs as
//! a classic script in the hub's own `/static/test_websocket.html`, after the page's `console.log`/`console.error` and its
//! WebSocket are wrapped to record what is logged, sent and received; the test reads that
//! record over WebDriver. Without ChromeDriver the tests say so and pass.

mod support;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use support::browser::{Browser, Driver, driver_missing};
use support::interview::{answer, open_interview};
use support::{HubClient, eventually, start_hub, test_config, test_config_with};

/// Wraps the page's console and WebSocket so that every call and frame is recorded in
/// `window.seedLog` (`{level, args}`) and `window.seedFrames` (`{sent}` or `{received}`), then
/// runs `arguments[0]` as a classic script, so that its top-level names are the page's globals.
const RUN_SNIPPET: &str = r#"
window.seedLog = [];
window.seedFrames = [];
const plain = (value) => {
  if (typeof value === 'string') return value;
  try { return JSON.parse(JSON.stringify(value)); } catch (error) { return String(value); }
};
for (const level of ['log', 'error']) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    window.seedLog.push({level, args: args.map(plain)});
    original(...args);
  };
}
window.addEventListener('error', (event) => {
  window.seedLog.push({level: 'uncaught', args: [String(event.message)]});
});
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (event) => {
      window.seedFrames.push({received: String(event.data)});
    });
  }
  send(data) {
    window.seedFrames.push({sent: String(data)});
    super.send(data);
  }
};
const snippet = document.createElement('script');
snippet.textContent = arguments[0];
document.head.appendChild(snippet);
"#;

/// The page a snippet runs in. The last record read from it is printed when a test fails, so
/// that the failure shows what the snippet logged, sent and received.
struct SnippetPage<'a> {
    /// The browser showing the page.
    browser: &'a Browser<'a>,
    /// `{"log": [...], "frames": [...]}` as last read.
    seen: RefCell<Value>,
}

impl Drop for SnippetPage<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("what the page recorded: {:#}", self.seen.borrow());
        }
    }
}

impl<'a> SnippetPage<'a> {
    /// Runs the seed's snippet `file`, written for `seed_host` (e.g. `localhost:8003`), against
    /// the hub at `addr` in a page the hub serves (so that the socket is same-origin; the
    /// page's own script keeps its names to itself).
    async fn run(
        browser: &'a Browser<'a>,
        file: &str,
        seed_host: &str,
        addr: SocketAddr,
    ) -> SnippetPage<'a> {
        let source = std::fs::read_to_string(Path::new("tests/seed_clients").join(file))
            .expect("the seed's snippet");
        assert!(
            source.contains(seed_host),
            "{file} is written for {seed_host}"
        );
        let source = source.replace(seed_host, &addr.to_string());
        let page = format!("http://{addr}/static/test_websocket.html");
        browser.open_page(&page).await;
        browser.execute(RUN_SNIPPET, json!([source])).await;
        SnippetPage {
            browser,
            seen: RefCell::new(Value::Null),
        }
    }

    /// Reads the record: `{"log": [{level, args}], "frames": [{sent} or {received}]}`.
    async fn record(&self) -> Value {
        let script = "return {log: window.seedLog, frames: window.seedFrames};";
        let record = self.browser.execute(script, json!([])).await;
        self.seen.replace(record.clone());
        record
    }

    /// Waits (bounded) until `found` finds something in the record; returns it.
    async fn wait_for<T>(&self, what: &str, found: impl Fn(&Value) -> Option<T>) -> T {
        eventually(what, async || found(&self.record().await)).await
    }
}

/// The arguments of each call logged at `level` (`log`, `error`, or `uncaught`).
fn logged(record: &Value, level: &str) -> Vec<Vec<Value>> {
    let entries = record["log"].as_array().into_iter().flatten();
    entries
        .filter(|entry| entry["level"] == level)
        .map(|entry| entry["args"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The second argument of each call logged at `level` whose first argument is `label`.
fn logged_after(record: &Value, level: &str, label: &str) -> Vec<Value> {
    let calls = logged(record, level).into_iter();
    calls
        .filter(|args| args.first().and_then(Value::as_str) == Some(label))
        .filter_map(|args| args.get(1).cloned())
        .collect()
}

/// The frames the page's socket sent (`direction` = `sent`) or received, parsed.
fn frames(record: &Value, direction: &str) -> Vec<Value> {
    let frames = record["frames"].as_array().into_iter().flatten();
    frames
        .filter_map(|frame| frame[direction].as_str())
        .map(|text| serde_json::from_str(text).unwrap_or(Value::Null))
        .collect()
}

/// Asserts that the snippet neither logged a WebSocket error nor threw.
fn assert_no_errors(record: &Value) {
    let socket_errors = logged_after(record, "error", "WebSocket error:");
    assert!(socket_errors.is_empty(), "{record:#}");
    assert!(logged(record, "uncaught").is_empty(), "{record:#}");
}

/// The WebDriver when it is installed; otherwise says the test is skipped.
async fn chromedriver() -> Option<Driver> {
    if driver_missing() {
        return None;
    }
    Some(Driver::start().await)
}

/// A fresh profile directory for the Chromium of the test on `hub`.
fn profile_for(hub: &HubClient) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("snippet-chromium-{}", hub.addr.port()))
}

#[actix_rt::test]
async fn seed_004s_javascript_streams_an_answer_in_chromium() {
    let hub = start_hub(test_config_with(|config| {
        config.bot.chunk_interval = Duration::from_millis(1);
    }));
    let Some(driver) = chromedriver().await else {
        return;
    };
    let profile = profile_for(&hub);
    let browser = Browser::open(&driver, &profile).await;
    let page = SnippetPage::run(&browser, "seed004_snippet.js", "localhost:8003", hub.addr).await;
    let record = page
        .wait_for("the snippet to log stream_end", |record| {
            let received = logged_after(record, "log", "Received:");
            let ended = received.iter().any(|data| data["type"] == "stream_end");
            ended.then(|| record.clone())
        })
        .await;

    let logs = logged(&record, "log");
    assert_eq!(logs.first(), Some(&vec![json!("Connected")]), "{record:#}");
    let received = logged_after(&record, "log", "Received:");
    assert_eq!(
        received.first().map(|data| &data["type"]),
        Some(&json!("connected"))
    );
    assert_eq!(
        received,
        frames(&record, "received"),
        "every frame is logged"
    );
    let chunks: String = logs
        .windows(2)
        .filter(|pair| pair[0].first().is_some_and(|label| label == "Received:"))
        .filter(|pair| {
            pair[0]
                .get(1)
                .is_some_and(|data| data["type"] == "stream_chunk")
        })
        .filter_map(|pair| pair[1].first().and_then(Value::as_str))
        .collect();
    let query = frames(&record, "sent")[0]["query"].clone();
    let query = query.as_str().expect("the snippet's query");
    assert_eq!(chunks, streamed_answer(&hub, query).await, "{record:#}");
    assert!(!chunks.is_empty(), "{record:#}");
    assert_no_errors(&record);
    drop(page);
    browser.close().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// The bot's answer to `query`, streamed over the hub's own `/ws/agent`: its chunks joined.
async fn streamed_answer(hub: &HubClient, query: &str) -> String {
    let mut ws = hub.socket("/ws/agent").await;
    ws.expect("connected").await;
    ws.send_json(json!({"type": "streaming_query", "query": query}))
        .await;
    let mut answer = String::new();
    loop {
        let frame = ws.recv().await;
        match frame["type"].as_str() {
            Some("stream_chunk") => answer.push_str(frame["content"].as_str().unwrap_or_default()),
            Some("stream_end") => return answer,
            _ => {}
        }
    }
}

/// What the test answers through the snippet's `sendTextInput`.
const ANSWER: &str = "Hello, I'm ready for the interview.";

#[actix_rt::test]
async fn seed_002s_javascript_opens_an_interview_and_answers_in_chromium() {
    let hub = start_hub(test_config());
    let Some(driver) = chromedriver().await else {
        return;
    };
    let profile = profile_for(&hub);
    let browser = Browser::open(&driver, &profile).await;
    let page = SnippetPage::run(&browser, "seed002_snippet.js", "localhost:8000", hub.addr).await;
    let ids = page
        .wait_for("connected on open and in answer to connect", |record| {
            let ids = logged_after(record, "log", "连接成功，会话ID:");
            (ids.len() >= 2).then_some(ids)
        })
        .await;
    assert_eq!(ids[0], ids[1], "one session");
    let session_id = ids[0].as_str().expect("a session id").to_owned();
    assert!(uuid::Uuid::parse_str(&session_id).is_ok(), "{session_id}");

    let send_text = "window.currentSessionId = arguments[0]; sendTextInput(arguments[1]);";
    browser
        .execute(send_text, json!([session_id, ANSWER]))
        .await;
    let (reply, record) = page
        .wait_for("the interviewer's reply to be logged", |record| {
            let replies = logged_after(record, "log", "AI回复:");
            let reply = replies.first()?.as_str()?.to_owned();
            Some((reply, record.clone()))
        })
        .await;
    assert!(!reply.trim().is_empty(), "{record:#}");
    assert_eq!(reply, interviewers_reply(&hub, ANSWER).await, "{record:#}");
    let text_input = frames(&record, "sent")
        .into_iter()
        .nth(1)
        .unwrap_or_default();
    assert_eq!(text_input["type"], "text_input", "{record:#}");
    assert_eq!(text_input["session_id"], session_id.as_str(), "{record:#}");

    let send_audio = "const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
        sendAudioInput(new Blob([bytes], {type: 'audio/wav'}));";
    browser.execute(send_audio, json!([silent_wav()])).await;
    let (message, record) = page
        .wait_for("the hub's error to be logged", |record| {
            let errors = logged_after(record, "error", "错误:");
            Some((errors.first()?.clone(), record.clone()))
        })
        .await;
    let refused = frames(&record, "received").pop().unwrap_or_default();
    assert_eq!(refused["type"], "error", "{record:#}");
    assert_eq!(refused["session_id"], session_id.as_str(), "{record:#}");
    assert_eq!(
        refused["data"]["error"], "speech_to_text_not_configured",
        "{record:#}"
    );
    assert_eq!(message, refused["data"]["message"], "{record:#}");
    assert_no_errors(&record);
    drop(page);
    browser.close().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// The interviewer's reply to `text` in a fresh formal interview, asked over the hub's own
/// `/api/v1/ws`.
async fn interviewers_reply(hub: &HubClient, text: &str) -> String {
    let (mut ws, connected) = open_interview(hub, "/api/v1/ws").await;
    let session_id = connected["session_id"].as_str().expect("a session id");
    ws.send_json(json!({"type": "connect", "data": {"interview_style": "formal"}}))
        .await;
    ws.expect("connected").await;
    let reply = answer(&mut ws, session_id, text).await["ai_response"].clone();
    reply.as_str().expect("a reply").to_owned()
}

/// Base64 of a WAV header over a quarter second of 8 kHz 8-bit mono silence.
fn silent_wav() -> String {
    use base64::Engine;
    let mut clip = b"RIFF\xF4\x07\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0".to_vec();
    clip.extend_from_slice(&8_000u32.to_le_bytes());
    clip.extend_from_slice(&8_000u32.to_le_bytes());
    clip.extend_from_slice(b"\x01\0\x08\0data");
    clip.extend_from_slice(&2_000u32.to_le_bytes());
    clip.resize(clip.len() + 2_000, 0x80);
    base64::engine::general_purpose::STANDARD.encode(&clip)
}
