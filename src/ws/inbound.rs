//! The inbound half of a socket. Receives the request body's bytes from the HTTP dispatcher and
//! sends the connection one [`Received`] at a time. It reads more only when the bytes it holds
//! do not make a whole frame, and it checks each frame's header before waiting for its payload:
//! a frame, or a fragmented message, whose declared length passes the hard cap is refused at
//! once ([`Received::TooBig`]), so what one socket buffers is bounded by the cap plus one read,
//! whatever a client declares or sends.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_codec::Decoder;
use actix_http::error::PayloadError;
use actix_http::ws::{Codec, Frame, Item, ProtocolError};
use actix_web::web::{Bytes, BytesMut};
use futures_util::Stream;

use crate::ws::outbox::BodyWatch;
use crate::ws::transport::{Piece, Received};

/// The decoded frames of one socket's request body.
pub struct InboundFrames<S> {
    /// The request body.
    payload: S,
    /// Bytes read and not yet decoded: at most one frame under the cap, plus one read.
    buffered: BytesMut,
    /// The frame decoder (server side: masked frames).
    codec: Codec,
    /// Largest frame or fragmented message, in bytes.
    hard_cap: usize,
    /// Declared bytes of the fragmented message in progress.
    fragmented: u64,
    /// Tells when the connection under the socket is gone.
    watch: Option<BodyWatch>,
    /// Nothing more will be read.
    done: bool,
}

impl<S> InboundFrames<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    /// The frames of `payload`, refusing any over `hard_cap` bytes; ends when `watch` says the
    /// connection is gone.
    pub fn new(payload: S, hard_cap: usize, watch: Option<BodyWatch>) -> Self {
        InboundFrames {
            payload,
            buffered: BytesMut::new(),
            codec: Codec::new().max_size(hard_cap),
            hard_cap,
            fragmented: 0,
            watch,
            done: false,
        }
    }

    /// The next frame among the buffered bytes, if they hold one (or its refusal).
    fn next_frame(&mut self) -> Option<Received> {
        if let Some(header) = Header::peek(&self.buffered) {
            let total = match header.opcode {
                CONTINUATION => self.fragmented.saturating_add(header.length),
                _ => header.length,
            };
            if total > self.hard_cap as u64 {
                return Some(Received::TooBig);
            }
        }
        match self.codec.decode(&mut self.buffered) {
            Ok(None) => None,
            Ok(Some(frame)) => Some(self.received(frame)),
            Err(ProtocolError::Overflow) => Some(Received::TooBig),
            Err(error) => Some(Received::Broken(error.to_string())),
        }
    }

    /// A decoded frame in the hub's terms; keeps count of a fragmented message's size.
    fn received(&mut self, frame: Frame) -> Received {
        match frame {
            Frame::Text(bytes) => Received::Text(bytes),
            Frame::Binary(bytes) => Received::Binary(bytes),
            Frame::Continuation(item) => Received::Piece(self.piece(item)),
            Frame::Ping(payload) => Received::Ping(payload),
            Frame::Pong(_) => Received::Alive,
            Frame::Close(reason) => {
                Received::Close(reason.map(|reason| (u16::from(reason.code), reason.description)))
            }
        }
    }

    /// A piece of a fragmented message.
    fn piece(&mut self, item: Item) -> Piece {
        let (piece, more) = match item {
            Item::FirstText(bytes) => (Piece::FirstText(bytes), true),
            Item::FirstBinary(bytes) => (Piece::FirstBinary(bytes), true),
            Item::Continue(bytes) => (Piece::Continue(bytes), true),
            Item::Last(bytes) => (Piece::Last(bytes), false),
        };
        self.fragmented = match (&piece, more) {
            (_, false) => 0,
            (Piece::FirstText(bytes) | Piece::FirstBinary(bytes), true) => bytes.len() as u64,
            (Piece::Continue(bytes) | Piece::Last(bytes), true) => {
                self.fragmented.saturating_add(bytes.len() as u64)
            }
        };
        piece
    }
}

/// The opcode of a continuation frame.
const CONTINUATION: u8 = 0;

/// What a frame's first bytes declare.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    /// The frame's opcode.
    opcode: u8,
    /// Its payload length.
    length: u64,
}

impl Header {
    /// The header at the start of `bytes`, once enough of it has arrived.
    fn peek(bytes: &[u8]) -> Option<Header> {
        let opcode = bytes.first()? & 0x0F;
        let length = match bytes.get(1)? & 0x7F {
            126 => u64::from(u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?)),
            127 => u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?),
            short => u64::from(short),
        };
        Some(Header { opcode, length })
    }
}

impl<S> Stream for InboundFrames<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Received;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Received>> {
        let this = &mut *self;
        if this.done || this.watch.as_ref().is_some_and(|watch| watch.gone(cx)) {
            return Poll::Ready(None);
        }
        loop {
            if let Some(received) = this.next_frame() {
                this.done = matches!(
                    received,
                    Received::TooBig | Received::Broken(_) | Received::Close(_)
                );
                return Poll::Ready(Some(received));
            }
            match Pin::new(&mut this.payload).poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => this.buffered.extend_from_slice(&bytes),
                Poll::Ready(Some(Err(error))) => {
                    this.done = true;
                    log::debug!("socket input failed: {error}");
                    return Poll::Ready(None);
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Frames decoded from bytes as a client would send them, in pieces of any size.

    use futures_util::StreamExt;
    use futures_util::stream;

    use super::*;

    /// A masked client frame with `first` byte (FIN and opcode) and `payload`.
    fn client_frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![first];
        match payload.len() {
            len @ 0..=125 => out.push(0x80 | len as u8),
            len @ 126..=65535 => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            len => {
                out.push(0x80 | 127);
                out.extend_from_slice(&(len as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(payload);
        out
    }

    /// Everything `chunks` decode to, read as a dispatcher would hand them over.
    async fn decode(chunks: Vec<Vec<u8>>, cap: usize) -> Vec<Received> {
        let payload = stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from(c))));
        InboundFrames::new(payload, cap, None).collect().await
    }

    #[test]
    fn a_header_declares_its_length_in_any_of_the_three_forms() {
        assert_eq!(Header::peek(&[0x81]), None);
        assert_eq!(
            Header::peek(&[0x81, 0x85]),
            Some(Header {
                opcode: 1,
                length: 5
            })
        );
        assert_eq!(Header::peek(&[0x82, 0xFE, 0x01]), None);
        assert_eq!(
            Header::peek(&[0x82, 0xFE, 0x01, 0x00]).map(|h| h.length),
            Some(256)
        );
        let huge = [0x81, 0xFF, 0, 0, 1, 0, 0, 0, 0, 0];
        assert_eq!(Header::peek(&huge).map(|h| h.length), Some(1 << 40));
    }

    #[actix_rt::test]
    async fn frames_split_across_reads_are_whole_again() {
        let mut bytes = client_frame(0x81, b"hello");
        bytes.extend(client_frame(0x82, &[1, 2, 3]));
        let chunks = bytes.chunks(3).map(<[u8]>::to_vec).collect();
        let received = decode(chunks, 1024).await;
        assert!(matches!(&received[0], Received::Text(text) if &text[..] == b"hello"));
        assert!(matches!(&received[1], Received::Binary(bytes) if bytes[..] == [1, 2, 3]));
        assert_eq!(received.len(), 2);
    }

    #[actix_rt::test]
    async fn a_frame_declared_over_the_cap_is_refused_at_its_header() {
        let header = vec![0x81, 0xFF, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let received = decode(vec![header, vec![b'x'; 4096]], 1024).await;
        assert!(matches!(received.as_slice(), [Received::TooBig]));
    }

    #[actix_rt::test]
    async fn a_fragmented_message_over_the_cap_is_refused_at_the_piece_that_passes_it() {
        let mut bytes = client_frame(0x01, &[b'a'; 600]);
        bytes.extend(client_frame(0x00, &[b'b'; 600]));
        let received = decode(vec![bytes], 1024).await;
        assert!(matches!(
            received.as_slice(),
            [Received::Piece(Piece::FirstText(_)), Received::TooBig]
        ));
    }

    #[actix_rt::test]
    async fn nothing_is_read_after_a_close() {
        let mut bytes = client_frame(0x88, &[0x03, 0xE8]);
        bytes.extend(client_frame(0x81, b"late"));
        let received = decode(vec![bytes], 1024).await;
        assert!(matches!(
            received.as_slice(),
            [Received::Close(Some((1000, _)))]
        ));
    }
}
