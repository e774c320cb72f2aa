//! The WebSocket test client: [`WsClient`] opens a socket with awc, sends text, JSON, binary
//! and fragmented messages, reads the next message or close (answering the server's pings on
//! the way unless asked not to), and checks error frames, close codes and liveness. Every read
//! is bounded by [`PATIENCE`].

use actix_http::ws::{CloseReason, Frame, Item, Message};
use awc::BoxedSocket;
use awc::ws::Codec;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};

use super::{HubClient, PATIENCE};

impl HubClient {
    /// Opens a WebSocket at `path` on this hub.
    pub async fn socket(&self, path: &str) -> WsClient {
        WsClient::connect(&format!("ws://{}{}", self.addr, path)).await
    }
}

/// A WebSocket test client that answers pings by itself while it waits for messages.
pub struct WsClient {
    /// The connection, framed by awc's client codec.
    framed: actix_codec::Framed<BoxedSocket, Codec>,
}

/// What the next meaningful thing from the server was.
#[derive(Debug)]
pub enum Received {
    /// A text message, parsed as JSON.
    Json(Value),
    /// A close frame.
    Closed(Option<CloseReason>),
    /// The connection ended without a close frame.
    Ended,
}

impl WsClient {
    /// Sends seed 004's `cancel` and reads up to `cancelled`: only chunks of the stream may
    /// come before it.
    pub async fn cancel_stream(&mut self) {
        self.send_json(json!({"type": "cancel"})).await;
        loop {
            let frame = self.recv().await;
            match frame["type"].as_str() {
                Some("cancelled") => break,
                Some("stream_chunk") => continue,
                _ => panic!("unexpected frame before cancelled: {frame}"),
            }
        }
    }

    /// Opens a WebSocket at `url`.
    pub async fn connect(url: &str) -> WsClient {
        let (_, framed) = awc::Client::new()
            .ws(url)
            .max_frame_size(4 << 20)
            .connect()
            .await
            .expect("websocket upgrade");
        WsClient { framed }
    }

    /// Sends a text message.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.framed
            .send(Message::Text(text.into()))
            .await
            .expect("send text");
    }

    /// Sends a JSON message.
    pub async fn send_json(&mut self, value: Value) {
        self.send_text(value.to_string()).await;
    }

    /// Sends any WebSocket message.
    pub async fn send_message(&mut self, message: Message) {
        self.framed.send(message).await.expect("send message");
    }

    /// The next text message or close, answering pings on the way.
    pub async fn next(&mut self) -> Received {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let frame = actix_rt::time::timeout(left, self.framed.next())
                .await
                .expect("timed out waiting for a frame");
            match frame {
                None | Some(Err(_)) => return Received::Ended,
                Some(Ok(Frame::Text(bytes))) => {
                    let value = serde_json::from_slice(&bytes).expect("server sent JSON");
                    return Received::Json(value);
                }
                Some(Ok(Frame::Ping(payload))) => {
                    let _ = self.framed.send(Message::Pong(payload)).await;
                }
                Some(Ok(Frame::Close(reason))) => return Received::Closed(reason),
                Some(Ok(other)) => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// The next frame as it comes, without answering pings (a silent client).
    pub async fn next_raw(&mut self) -> Option<Frame> {
        actix_rt::time::timeout(PATIENCE, self.framed.next())
            .await
            .expect("timed out waiting for a frame")
            .and_then(Result::ok)
    }

    /// Answers the server's next `count` pings, each with its pong; fails on any other frame
    /// (a message, a close, the end of the connection) before the last one.
    pub async fn answer_pings(&mut self, count: usize) {
        for answered in 0..count {
            match self.next_raw().await {
                Some(Frame::Ping(payload)) => self.send_message(Message::Pong(payload)).await,
                other => panic!("expected only pings, got {other:?} after {answered} pongs"),
            }
        }
    }

    /// The next text message, which must be JSON.
    pub async fn recv(&mut self) -> Value {
        match self.next().await {
            Received::Json(value) => value,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The next message, which must have `"type": kind`.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let value = self.recv().await;
        assert_eq!(value["type"], kind, "expected a {kind} frame, got {value}");
        value
    }

    /// The next message, which must be an error frame with `"error": code` and a detail.
    pub async fn expect_error(&mut self, code: &str) -> Value {
        let value = self.expect("error").await;
        assert_eq!(value["error"], code, "unexpected error frame {value}");
        assert!(value["detail"].as_str().is_some_and(|d| !d.is_empty()));
        value
    }

    /// Waits for the close frame, which must carry `code`; other messages are not allowed.
    pub async fn expect_close(&mut self, code: u16) -> CloseReason {
        match self.next().await {
            Received::Closed(Some(reason)) => {
                assert_eq!(u16::from(reason.code), code, "close reason {reason:?}");
                reason
            }
            other => panic!("expected close {code}, got {other:?}"),
        }
    }

    /// Proves the socket is still open and served: a ping must come back as a pong.
    pub async fn assert_alive(&mut self) {
        self.send_json(json!({"type": "ping"})).await;
        self.expect("pong").await;
    }

    /// Sends a close frame and waits for the server's.
    pub async fn close(mut self) {
        let _ = self.framed.send(Message::Close(None)).await;
        while let Received::Json(_) = self.next().await {}
    }

    /// Sends `values` and a close frame in one write, as a client that says its last words
    /// and leaves at once, then waits for the server's close.
    pub async fn send_last_and_close(mut self, values: &[Value]) {
        for value in values {
            self.framed
                .feed(Message::Text(value.to_string().into()))
                .await
                .expect("queue a message");
        }
        self.framed
            .feed(Message::Close(None))
            .await
            .expect("queue the close");
        self.framed.flush().await.expect("send them together");
        while let Received::Json(_) = self.next().await {}
    }

    /// Drops the TCP connection without a close handshake.
    pub fn abort(self) {
        drop(self.framed);
    }

    /// Sends a text message split into continuation frames of `chunk` bytes.
    pub async fn send_fragmented(&mut self, text: &str, chunk: usize) {
        let bytes = text.as_bytes();
        let pieces: Vec<&[u8]> = bytes.chunks(chunk).collect();
        let last = pieces.len() - 1;
        for (index, piece) in pieces.into_iter().enumerate() {
            let piece = bytes::Bytes::copy_from_slice(piece);
            let item = match index {
                0 => Item::FirstText(piece),
                i if i == last => Item::Last(piece),
                _ => Item::Continue(piece),
            };
            self.send_message(Message::Continuation(item)).await;
        }
    }
}
