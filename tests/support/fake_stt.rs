//! A fake OpenAI-compatible speech-to-text server on 127.0.0.1:0: each request it receives
//! takes the next [`SttReply`] (the last one repeats): a status with a body, or a stall (the
//! connection held open with no answer). It keeps every request's line, headers and raw body
//! ([`FakeStt::requests`]), and reads a `multipart/form-data` body into its parts
//! ([`SttRequest::parts`]) so a test can check the file, the model and the filename.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::fake_upstream::{UpstreamRequest, read_request, serve_in_turn};

/// What the fake answers one request with.
#[derive(Debug, Clone)]
pub enum SttReply {
    /// A status and a body, at once.
    Status(u16, String),
    /// No answer at all while the connection stays open.
    Stall,
}

impl SttReply {
    /// `200 {"text": text}`.
    pub fn text(text: &str) -> SttReply {
        SttReply::Status(200, serde_json::json!({ "text": text }).to_string())
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Its headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Its bytes.
    pub body: Vec<u8>,
}

impl Part {
    /// Its `Content-Disposition` parameter `name` (e.g. `name`, `filename`).
    pub fn disposition(&self, name: &str) -> Option<String> {
        let (_, value) = self
            .headers
            .iter()
            .find(|(key, _)| key == "content-disposition")?;
        let marker = format!("{name}=\"");
        let at = value.find(&format!("; {marker}"))? + 2 + marker.len();
        let rest = &value[at..];
        Some(rest[..rest.find('"')?].to_owned())
    }
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct SttRequest {
    /// The request line, e.g. `POST /v1/audio/transcriptions HTTP/1.1`.
    pub request_line: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl From<UpstreamRequest> for SttRequest {
    /// The request as it was read.
    fn from(request: UpstreamRequest) -> Self {
        SttRequest {
            request_line: request.request_line,
            headers: request.headers,
            body: request.body,
        }
    }
}

impl SttRequest {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(key, _)| key == name);
        found.map(|(_, value)| value.as_str())
    }

    /// The multipart body's parts, in order (empty if the body is not multipart).
    pub fn parts(&self) -> Vec<Part> {
        let Some(boundary) = self
            .header("content-type")
            .and_then(|value| value.split_once("boundary="))
            .map(|(_, boundary)| format!("--{}", boundary.trim()))
        else {
            return Vec::new();
        };
        let mut parts = Vec::new();
        let mut rest = self.body.as_slice();
        while let Some(at) = find(rest, boundary.as_bytes()) {
            rest = &rest[at + boundary.len()..];
            if rest.starts_with(b"--") {
                break;
            }
            rest = rest.strip_prefix(b"\r\n").unwrap_or(rest);
            let Some(head_end) = find(rest, b"\r\n\r\n") else {
                break;
            };
            let headers = String::from_utf8_lossy(&rest[..head_end])
                .split("\r\n")
                .filter_map(|line| line.split_once(':'))
                .map(|(name, value)| (name.trim().to_lowercase(), value.trim().to_owned()))
                .collect();
            let body = &rest[head_end + 4..];
            let end = find(body, format!("\r\n{boundary}").as_bytes()).unwrap_or(body.len());
            parts.push(Part {
                headers,
                body: body[..end].to_vec(),
            });
            rest = &body[end..];
        }
        parts
    }

    /// The part whose form field is `name`.
    pub fn part(&self, name: &str) -> Option<Part> {
        self.parts()
            .into_iter()
            .find(|part| part.disposition("name").as_deref() == Some(name))
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The running fake.
pub struct FakeStt {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The requests, in order.
    seen: Arc<Mutex<Vec<SttRequest>>>,
}

impl FakeStt {
    /// Starts the fake on this actix system, answering requests with `replies` in turn.
    pub async fn start(replies: Vec<SttReply>) -> FakeStt {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = seen.clone();
        let addr = serve_in_turn(replies, move |stream, reply| {
            serve(stream, reply, recorded.clone())
        })
        .await;
        FakeStt { addr, seen }
    }

    /// The base URL to configure, e.g. `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<SttRequest> {
        self.seen.lock().expect("fake's lock").clone()
    }
}

/// Reads one request and answers it with `reply`.
async fn serve(mut stream: TcpStream, reply: SttReply, seen: Arc<Mutex<Vec<SttRequest>>>) {
    let Some(received) = read_request(&mut stream).await.map(SttRequest::from) else {
        return;
    };
    seen.lock().expect("fake's lock").push(received);
    match reply {
        SttReply::Status(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} Fake\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
        }
        SttReply::Stall => actix_rt::time::sleep(Duration::from_secs(60)).await,
    }
}
