//! The narrow seam between a connection and the WebSocket library under it (today
//! actix-web-actors). Receives the library's inbound messages and sends back the hub's own
//! [`Received`]; lets the connection send text, pings, pongs and close frames through
//! [`Transport`]. A leaner transport replaces this file and the connection's context type,
//! and no dialect changes.

use actix::Actor;
use actix_http::ws::Item;
use actix_web::web::Bytes;
use actix_web_actors::ws;

/// A piece of a message sent in several WebSocket frames.
#[derive(Debug)]
pub enum Piece {
    /// The first piece of a text message.
    FirstText(Bytes),
    /// The first piece of a binary message.
    FirstBinary(Bytes),
    /// A middle piece.
    Continue(Bytes),
    /// The last piece.
    Last(Bytes),
}

/// What arrived from the client, in the hub's terms.
#[derive(Debug)]
pub enum Received {
    /// A whole text message (not yet checked as UTF-8).
    Text(Bytes),
    /// A whole binary message.
    Binary(Bytes),
    /// A piece of a fragmented message.
    Piece(Piece),
    /// A ping, to answer with a pong carrying the payload.
    Ping(Bytes),
    /// A pong, or a frame that means nothing (still a sign of life).
    Alive,
    /// The client closes, with its code and reason if it gave them.
    Close(Option<(u16, Option<String>)>),
    /// A message over the hard size cap.
    TooBig,
    /// The client broke the protocol.
    Broken(String),
}

/// What arrived, from the library's message.
pub fn received(message: Result<ws::Message, ws::ProtocolError>) -> Received {
    match message {
        Ok(ws::Message::Text(text)) => Received::Text(text.into_bytes()),
        Ok(ws::Message::Binary(bytes)) => Received::Binary(bytes),
        Ok(ws::Message::Continuation(item)) => Received::Piece(match item {
            Item::FirstText(bytes) => Piece::FirstText(bytes),
            Item::FirstBinary(bytes) => Piece::FirstBinary(bytes),
            Item::Continue(bytes) => Piece::Continue(bytes),
            Item::Last(bytes) => Piece::Last(bytes),
        }),
        Ok(ws::Message::Ping(payload)) => Received::Ping(payload),
        Ok(ws::Message::Pong(_)) | Ok(ws::Message::Nop) => Received::Alive,
        Ok(ws::Message::Close(reason)) => {
            Received::Close(reason.map(|reason| (u16::from(reason.code), reason.description)))
        }
        Err(ws::ProtocolError::Overflow) => Received::TooBig,
        Err(error) => Received::Broken(error.to_string()),
    }
}

/// How a connection writes to its socket.
pub trait Transport {
    /// Queues a text frame.
    fn send_text(&mut self, text: String);
    /// Queues a ping.
    fn send_ping(&mut self);
    /// Answers a ping.
    fn send_pong(&mut self, payload: &[u8]);
    /// Queues a close frame with `code` and `reason` (none at all when `code` is `None`).
    fn send_close(&mut self, close: Option<(u16, Option<String>)>);
}

impl<A> Transport for ws::WebsocketContext<A>
where
    A: Actor<Context = ws::WebsocketContext<A>>,
{
    fn send_text(&mut self, text: String) {
        self.text(text);
    }

    fn send_ping(&mut self) {
        self.ping(b"");
    }

    fn send_pong(&mut self, payload: &[u8]) {
        self.pong(payload);
    }

    fn send_close(&mut self, close: Option<(u16, Option<String>)>) {
        self.close(close.map(|(code, description)| ws::CloseReason {
            code: ws::CloseCode::from(code),
            description,
        }));
    }
}
