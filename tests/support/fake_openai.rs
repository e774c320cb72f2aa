//! A fake OpenAI-compatible chat-completions server on 127.0.0.1:0, scripted per test: each
//! request it receives takes the next [`Reply`] (the last one repeats): a status with a body,
//! or a stream of writes with a pause before each (so a line can be cut across TCP writes),
//! ended with the chunked body's end or held open as a stall. It keeps every request's JSON
//! body and headers ([`FakeOpenAi::requests`]) and counts the streams a client dropped before
//! their end ([`FakeOpenAi::dropped`]); [`roles`] reads the conversation a request sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::fake_upstream::{UpstreamRequest, read_request, serve_in_turn};

/// What the fake answers one request with.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A status and a JSON body, at once.
    Status(u16, String),
    /// `200 text/event-stream`: each write after its pause, then the end of the body, or
    /// nothing more while the connection stays open when `stall` is set.
    Stream {
        /// The body's writes, each after its pause.
        writes: Vec<(Duration, String)>,
        /// Hold the connection open after the last write instead of ending the body.
        stall: bool,
    },
}

impl Reply {
    /// A streamed answer: each text as a chunk's `delta.content`, `gap` apart, then `[DONE]`.
    pub fn text(pieces: &[&str], gap: Duration) -> Reply {
        let mut writes: Vec<(Duration, String)> = pieces
            .iter()
            .map(|piece| (gap, event(&json!({"content": piece}))))
            .collect();
        writes.push((gap, "data: [DONE]\n\n".to_owned()));
        Reply::Stream {
            writes,
            stall: false,
        }
    }

    /// A stream of `writes` sent at once, one after the other, ended normally.
    pub fn raw(writes: &[&str]) -> Reply {
        Reply::Stream {
            writes: writes
                .iter()
                .map(|write| (Duration::from_millis(5), (*write).to_owned()))
                .collect(),
            stall: false,
        }
    }
}

/// `data: {"choices":[{"index":0,"delta": delta}]}` and the blank line after it.
pub fn event(delta: &Value) -> String {
    let chunk =
        json!({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]});
    format!("data: {chunk}\n\n")
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request line, e.g. `POST /v1/chat/completions HTTP/1.1`.
    pub request_line: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Value,
}

impl From<UpstreamRequest> for Received {
    /// The request with its body read as JSON (`null` when it is not).
    fn from(request: UpstreamRequest) -> Self {
        Received {
            request_line: request.request_line,
            headers: request.headers,
            body: serde_json::from_slice(&request.body).unwrap_or(Value::Null),
        }
    }
}

impl Received {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(key, _)| key == name);
        found.map(|(_, value)| value.as_str())
    }
}

/// What the fake has seen.
#[derive(Debug, Default)]
struct Seen {
    /// The requests, in order.
    requests: Vec<Received>,
    /// Streams whose client went away before their end.
    dropped: usize,
}

/// The running fake.
pub struct FakeOpenAi {
    /// Where it listens.
    pub addr: SocketAddr,
    /// What it has seen.
    seen: Arc<Mutex<Seen>>,
}

impl FakeOpenAi {
    /// Starts the fake on this actix system, answering requests with `replies` in turn.
    pub async fn start(replies: Vec<Reply>) -> FakeOpenAi {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let recorded = seen.clone();
        let addr = serve_in_turn(replies, move |stream, reply| {
            serve(stream, reply, recorded.clone())
        })
        .await;
        FakeOpenAi { addr, seen }
    }

    /// The base URL to configure, e.g. `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Received> {
        self.seen.lock().expect("fake's lock").requests.clone()
    }

    /// Streams whose client went away before their end.
    pub fn dropped(&self) -> usize {
        self.seen.lock().expect("fake's lock").dropped
    }
}

/// Reads one request and answers it with `reply`.
async fn serve(mut stream: TcpStream, reply: Reply, seen: Arc<Mutex<Seen>>) {
    let _ = stream.set_nodelay(true);
    let Some(received) = read_request(&mut stream).await.map(Received::from) else {
        return;
    };
    seen.lock().expect("fake's lock").requests.push(received);
    match reply {
        Reply::Status(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} Fake\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
        }
        Reply::Stream { writes, stall } => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for (pause, write) in writes {
                actix_rt::time::sleep(pause).await;
                let chunk = format!("{:x}\r\n{write}\r\n", write.len());
                if stream.write_all(chunk.as_bytes()).await.is_err() {
                    seen.lock().expect("fake's lock").dropped += 1;
                    return;
                }
            }
            if stall {
                actix_rt::time::sleep(Duration::from_secs(60)).await;
            } else {
                let _ = stream.write_all(b"0\r\n\r\n").await;
            }
        }
    }
}

/// The `[role, content]` of each message a request sent.
pub fn roles(request: &Value) -> Vec<Value> {
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    messages
        .iter()
        .map(|message| json!([message["role"], message["content"]]))
        .collect()
}
