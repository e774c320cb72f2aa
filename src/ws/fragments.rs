//! Reassembly of messages sent in several WebSocket frames, pure. Receives the pieces and sends
//! back a whole message once the last piece is in, or why there is none: over the size limit
//! (the rest of it is dropped as it arrives, never buffered) or a last piece without a first
//! one.

use crate::ws::transport::Piece;

/// What a piece completed.
#[derive(Debug, PartialEq, Eq)]
pub enum Assembled {
    /// More pieces are to come.
    Pending,
    /// A whole text message.
    Text(Vec<u8>),
    /// A whole binary message.
    Binary(Vec<u8>),
    /// The message passed the limit; its pieces were dropped.
    TooLarge,
    /// A piece arrived without a first piece.
    Orphan,
}

/// A message in progress.
struct Partial {
    /// Text or binary.
    text: bool,
    /// Collected so far; `None` once over the limit.
    bytes: Option<Vec<u8>>,
}

/// The reassembly of one socket's fragmented messages.
pub struct Reassembly {
    /// Largest message accepted.
    limit: usize,
    /// The message in progress.
    partial: Option<Partial>,
}

impl Reassembly {
    /// Reassembly of messages up to `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Reassembly {
            limit,
            partial: None,
        }
    }

    /// Takes in one piece.
    pub fn push(&mut self, piece: Piece) -> Assembled {
        let (text, first, more, last) = match piece {
            Piece::FirstText(bytes) => (true, true, bytes, false),
            Piece::FirstBinary(bytes) => (false, true, bytes, false),
            Piece::Continue(bytes) => (false, false, bytes, false),
            Piece::Last(bytes) => (false, false, bytes, true),
        };
        if first {
            self.partial = Some(Partial {
                text,
                bytes: Some(Vec::new()),
            });
        }
        let Some(partial) = self.partial.as_mut() else {
            return match last {
                true => Assembled::Orphan,
                false => Assembled::Pending,
            };
        };
        let limit = self.limit;
        partial.bytes = partial
            .bytes
            .take()
            .filter(|bytes| bytes.len() + more.len() <= limit)
            .map(|mut bytes| {
                bytes.extend_from_slice(&more);
                bytes
            });
        if !last {
            return Assembled::Pending;
        }
        match self.partial.take() {
            Some(Partial {
                bytes: Some(bytes),
                text: true,
            }) => Assembled::Text(bytes),
            Some(Partial {
                bytes: Some(bytes),
                text: false,
            }) => Assembled::Binary(bytes),
            Some(Partial { bytes: None, .. }) => Assembled::TooLarge,
            None => Assembled::Orphan,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::web::Bytes;

    fn piece(make: fn(Bytes) -> Piece, text: &'static str) -> Piece {
        make(Bytes::from_static(text.as_bytes()))
    }

    #[test]
    fn pieces_join_into_their_message() {
        let mut reassembly = Reassembly::new(16);
        assert_eq!(
            reassembly.push(piece(Piece::FirstText, "he")),
            Assembled::Pending
        );
        assert_eq!(
            reassembly.push(piece(Piece::Continue, "ll")),
            Assembled::Pending
        );
        assert_eq!(
            reassembly.push(piece(Piece::Last, "o")),
            Assembled::Text(b"hello".to_vec())
        );
        reassembly.push(piece(Piece::FirstBinary, "ab"));
        assert_eq!(
            reassembly.push(piece(Piece::Last, "c")),
            Assembled::Binary(b"abc".to_vec())
        );
    }

    #[test]
    fn an_oversized_message_is_dropped_and_an_orphan_refused() {
        let mut reassembly = Reassembly::new(4);
        reassembly.push(piece(Piece::FirstText, "abc"));
        reassembly.push(piece(Piece::Continue, "def"));
        assert_eq!(
            reassembly.push(piece(Piece::Last, "g")),
            Assembled::TooLarge
        );
        assert_eq!(reassembly.push(piece(Piece::Last, "x")), Assembled::Orphan);
    }
}
