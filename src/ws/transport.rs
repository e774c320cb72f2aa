//! What a socket's client sends, in the hub's terms: the vocabulary between the transport's
//! inbound half ([`InboundFrames`](crate::ws::inbound::InboundFrames), which decodes the wire)
//! and the [`Connection`](crate::ws::connection::Connection) that acts on it. Receives and
//! sends nothing itself.

use actix_web::web::Bytes;

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
    /// A frame or fragmented message declared over the hard size cap.
    TooBig,
    /// The client broke the protocol.
    Broken(String),
}
