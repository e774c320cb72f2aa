//! The server-sent-events reader: [`SseStream`] wraps a real awc response (status, SSE
//! headers, body) and cuts the body into [`SseBlock`]s as an SSE client would: the next block,
//! the next comment-only block, the next data block or event, everything to the end, or the
//! body of a refusal as JSON. Every read is bounded by [`PATIENCE`], so a hub that goes quiet
//! fails a test instead of hanging it.

use std::pin::Pin;
use std::time::Instant;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde_json::Value;

use super::PATIENCE;

/// One SSE message block (the text between two blank lines), as a client sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseBlock {
    /// The `id:` field.
    pub id: Option<u64>,
    /// The `data:` lines joined with `\n` and parsed as JSON.
    pub data: Option<Value>,
    /// The `retry:` field.
    pub retry: Option<u64>,
    /// Comment lines (`: text`), without the colon and the space after it.
    pub comments: Vec<String>,
}

impl SseBlock {
    /// Parses one block; panics on a field an SSE client would not understand.
    fn parse(text: &str) -> SseBlock {
        let mut block = SseBlock::default();
        let mut data: Vec<&str> = Vec::new();
        for line in text.lines() {
            if let Some(comment) = line.strip_prefix(':') {
                block.comments.push(comment.trim_start().to_owned());
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => block.id = Some(value.parse().expect("id: is a sequence number")),
                "data" => data.push(value),
                "retry" => block.retry = Some(value.parse().expect("retry: is a number")),
                other => panic!("unexpected SSE field {other:?} in block {text:?}"),
            }
        }
        if !data.is_empty() {
            let joined = data.join("\n");
            block.data = Some(serde_json::from_str(&joined).expect("data: is JSON"));
        }
        block
    }

    /// The data, which must be there.
    pub fn json(&self) -> &Value {
        self.data.as_ref().expect("a data block")
    }
}

/// A streaming response read as server-sent events.
pub struct SseStream {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The `Cache-Control` header.
    pub cache_control: String,
    /// The block that opened an events stream (`retry:` and a comment), once read.
    pub opening: Option<SseBlock>,
    /// The body.
    body: Pin<Box<dyn Stream<Item = Result<Bytes, awc::error::PayloadError>>>>,
    /// Bytes received and not yet cut into blocks.
    buffer: Vec<u8>,
}

/// A client without awc's whole-response timeout (which would cut a long stream); every read
/// below has its own bound instead.
pub fn streaming_client() -> awc::Client {
    awc::Client::builder().disable_timeout().finish()
}

impl SseStream {
    /// Sends `request` (with `body` as JSON when given) and wraps the response.
    pub async fn open(request: awc::ClientRequest, body: Option<Value>) -> SseStream {
        let sent = match body {
            Some(body) => request
                .insert_header(("content-type", "application/json"))
                .send_body(body.to_string()),
            None => request.send(),
        };
        let response = actix_rt::time::timeout(PATIENCE, sent)
            .await
            .expect("response head within the patience")
            .expect("request sent");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        SseStream {
            status: response.status().as_u16(),
            content_type: header("content-type"),
            cache_control: header("cache-control"),
            opening: None,
            body: Box::pin(response),
            buffer: Vec::new(),
        }
    }

    /// The next block, or `None` when the server ended the stream. Panics when nothing
    /// arrives within [`PATIENCE`].
    pub async fn next_block(&mut self) -> Option<SseBlock> {
        self.next_block_by(Instant::now() + PATIENCE).await
    }

    /// The next block, or `None` when the server ended the stream. Panics when nothing
    /// arrives by `deadline`.
    async fn next_block_by(&mut self, deadline: Instant) -> Option<SseBlock> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|pair| pair == b"\n\n") {
                let raw: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let text = std::str::from_utf8(&raw[..end]).expect("SSE is UTF-8");
                return Some(SseBlock::parse(text));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = actix_rt::time::timeout(left, self.body.next())
                .await
                .expect("timed out waiting for an SSE block");
            match chunk {
                Some(Ok(bytes)) => self.buffer.extend_from_slice(&bytes),
                Some(Err(error)) => panic!("the SSE body failed: {error}"),
                None => {
                    assert!(
                        self.buffer.iter().all(u8::is_ascii_whitespace),
                        "the stream ended inside a block: {:?}",
                        String::from_utf8_lossy(&self.buffer)
                    );
                    return None;
                }
            }
        }
    }

    /// The next block, which must be comment-only (a keep-alive, say): a data block or the
    /// end of the stream fails the test.
    pub async fn next_comment(&mut self) -> SseBlock {
        let block = self
            .next_block()
            .await
            .expect("the stream ended while it should have stayed open");
        assert!(block.data.is_none(), "expected a comment, got {block:?}");
        block
    }

    /// The next block with data (skipping comments such as keep-alives), or `None` at the
    /// end of the stream. Panics when neither comes within [`PATIENCE`], keep-alives or not.
    pub async fn next_data_or_end(&mut self) -> Option<SseBlock> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.next_block_by(deadline).await {
                Some(block) if block.data.is_some() => return Some(block),
                Some(_) => continue,
                None => return None,
            }
        }
    }

    /// The next block with data; the stream must not end first.
    pub async fn next_data(&mut self) -> SseBlock {
        self.next_data_or_end()
            .await
            .expect("the stream ended before the next event")
    }

    /// The next event, which must carry `"type": kind` and an `id:` equal to its `seq`;
    /// returns its data.
    pub async fn expect_event(&mut self, kind: &str) -> Value {
        let block = self.next_data().await;
        let data = block.json().clone();
        assert_eq!(data["type"], kind, "expected a {kind} event, got {data}");
        assert_eq!(
            block.id,
            data["seq"].as_u64(),
            "id: and seq agree in {block:?}"
        );
        data
    }

    /// Every block until the server ends the stream.
    pub async fn read_to_end(&mut self) -> Vec<SseBlock> {
        let mut blocks = Vec::new();
        while let Some(block) = self.next_block().await {
            blocks.push(block);
        }
        blocks
    }

    /// The rest of the body as JSON (for refusals, which are not event streams).
    pub async fn error_body(mut self) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match actix_rt::time::timeout(left, self.body.next())
                .await
                .expect("timed out reading an error body")
            {
                Some(Ok(bytes)) => self.buffer.extend_from_slice(&bytes),
                Some(Err(error)) => panic!("the body failed: {error}"),
                None => break,
            }
        }
        serde_json::from_slice(&self.buffer).expect("a JSON error body")
    }
}
