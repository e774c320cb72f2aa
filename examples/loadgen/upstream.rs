//! A fake OpenAI-compatible model the `agent` scenario runs itself, so that a server's own added
//! latency can be told from the model's. Receives `POST /v1/chat/completions` (streamed) and
//! answers `--upstream-chunks` chunks `--upstream-gap-ms` apart, the first at once, then
//! `[DONE]`. It reads the request's last user message as the stream's key and records when it
//! sent each chunk of it ([`SentTimes`]), so that the load generator, reading the same chunks
//! through the server under test, knows how long the server held each one.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::web::{Bytes, Data, Json};
use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

/// When each chunk of each stream left the fake model, by the stream's key.
#[derive(Clone, Default)]
pub struct SentTimes(Arc<Mutex<HashMap<String, Vec<Instant>>>>);

impl SentTimes {
    /// When chunk `index` of stream `key` was sent, if it was.
    pub fn sent(&self, key: &str, index: usize) -> Option<Instant> {
        let times = self.0.lock().ok()?;
        times.get(key)?.get(index).copied()
    }

    /// Forgets stream `key`.
    pub fn forget(&self, key: &str) {
        if let Ok(mut times) = self.0.lock() {
            times.remove(key);
        }
    }

    /// Records that the next chunk of `key` leaves now.
    fn record(&self, key: &str) {
        if let Ok(mut times) = self.0.lock() {
            times
                .entry(key.to_owned())
                .or_default()
                .push(Instant::now());
        }
    }
}

/// How the fake model answers.
#[derive(Clone, Copy)]
struct Pace {
    /// Chunks per answer.
    chunks: usize,
    /// Pause between two chunks.
    gap: Duration,
}

/// Starts the fake model on 127.0.0.1:`port` (`0` picks one); returns where it listens and its
/// record of sent chunks.
pub fn start(port: u16, chunks: usize, gap: Duration) -> Result<(u16, SentTimes), String> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|error| format!("fake model on port {port}: {error}"))?;
    let port = listener
        .local_addr()
        .map_err(|error| error.to_string())?
        .port();
    let sent = SentTimes::default();
    let (times, pace) = (sent.clone(), Pace { chunks, gap });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(Data::new(times.clone()))
            .app_data(Data::new(pace))
            .app_data(web::JsonConfig::default().limit(1 << 20))
            .route("/v1/chat/completions", web::post().to(completions))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(|error| error.to_string())?
    .run();
    actix_rt::spawn(server);
    Ok((port, sent))
}

/// `POST /v1/chat/completions`: the paced stream.
async fn completions(body: Json<Value>, times: Data<SentTimes>, pace: Data<Pace>) -> HttpResponse {
    let key = body["messages"]
        .as_array()
        .and_then(|messages| messages.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|message| message["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    let (times, pace) = (times.get_ref().clone(), *pace.get_ref());
    let chunks = futures_util::stream::unfold(0usize, move |index| {
        let (times, key) = (times.clone(), key.clone());
        async move {
            if index > pace.chunks {
                return None;
            }
            if index > 0 {
                actix_rt::time::sleep(pace.gap).await;
            }
            let event = match index == pace.chunks {
                true => "data: [DONE]\n\n".to_owned(),
                false => {
                    times.record(&key);
                    let delta = json!({"content": format!("w{index} ")});
                    let chunk = json!({"object": "chat.completion.chunk",
                        "choices": [{"index": 0, "delta": delta}]});
                    format!("data: {chunk}\n\n")
                }
            };
            Some((Ok::<_, actix_web::Error>(Bytes::from(event)), index + 1))
        }
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .streaming(chunks)
}
