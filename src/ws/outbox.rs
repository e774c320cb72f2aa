//! The outbound half of a socket. Receives the frames its connection sends (text, ping, pong,
//! close), encodes them at once, and hands them to the HTTP dispatcher as the response body
//! ([`OutboundBody`]) whenever the dispatcher can take them. The connection actor and the body
//! share one buffer on the worker thread, so the actor runs (timers, mailbox) whether or not
//! the client reads, and can see how much waits and for how long: a socket whose client leaves
//! frames untaken too long, or too many of them, is cut ([`Outbox::cut`]).
//!
//! The body ends only when the connection is cut: a closed socket's connection ends when its
//! client lets go of it, or is cut [`CLOSE_LINGER`] later. Only a live body lets the hub cut the connection
//! safely, and a client that ignores the close (and keeps sending) must not keep the
//! connection.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use actix_codec::Encoder;
use actix_http::ws::{CloseCode, CloseReason, Codec, Message};
use actix_web::web::{Bytes, BytesMut};
use futures_util::Stream;
use switchboard_actors::kernel::clock::{self, Instant};

use crate::peer::PeerSocket;

/// How long a closed socket's client has to let go of the connection before the hub cuts it.
pub const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// How long the close frame of a socket failed for breaking the protocol has to go out before
/// the hub cuts the connection (and stops taking, and dropping, what the client still sends).
pub const FAILED_LINGER: Duration = Duration::from_millis(50);

/// What the connection and its response body share.
struct Shared {
    /// Encoded frames the dispatcher has not taken yet.
    waiting: BytesMut,
    /// How many frames `waiting` holds.
    frames: usize,
    /// Since when `waiting` has held something the dispatcher did not take.
    waiting_since: Option<Instant>,
    /// Nothing more will be sent.
    finished: bool,
    /// The connection was cut: the body ends.
    cut: bool,
    /// The dispatcher still holds the body.
    body_alive: bool,
    /// Wakes the body when there is something to take.
    body_waker: Option<Waker>,
    /// Wakes the inbound half when the body is gone.
    reader_waker: Option<Waker>,
    /// The frame encoder (server side: unmasked frames).
    codec: Codec,
}

/// The connection's end of the outbound half.
pub struct Outbox {
    /// Shared with the body.
    shared: Rc<RefCell<Shared>>,
    /// The TCP connection, to cut when its client stops reading.
    peer: Option<PeerSocket>,
}

/// The dispatcher's end: the response body, a stream of encoded frames.
pub struct OutboundBody {
    /// Shared with the connection.
    shared: Rc<RefCell<Shared>>,
}

/// The inbound half's view: whether the connection under the socket is gone.
#[derive(Clone)]
pub struct BodyWatch {
    /// Shared with the connection and the body.
    shared: Rc<RefCell<Shared>>,
}

impl Outbox {
    /// An empty outbox, its body, and the watch for the inbound half.
    pub fn new(peer: Option<PeerSocket>) -> (Outbox, OutboundBody, BodyWatch) {
        let shared = Rc::new(RefCell::new(Shared {
            waiting: BytesMut::new(),
            frames: 0,
            waiting_since: None,
            finished: false,
            cut: false,
            body_alive: true,
            body_waker: None,
            reader_waker: None,
            codec: Codec::new(),
        }));
        let body = OutboundBody {
            shared: shared.clone(),
        };
        let watch = BodyWatch {
            shared: shared.clone(),
        };
        (Outbox { shared, peer }, body, watch)
    }

    /// Encodes `message` for the dispatcher to take; nothing once finished.
    fn push(&self, message: Message) {
        let mut shared = self.shared.borrow_mut();
        if shared.finished {
            return;
        }
        let Shared { codec, waiting, .. } = &mut *shared;
        if let Err(error) = codec.encode(message, waiting) {
            log::error!("cannot encode a frame: {error}");
            return;
        }
        shared.frames += 1;
        shared.waiting_since.get_or_insert_with(clock::now);
        if let Some(waker) = shared.body_waker.take() {
            waker.wake();
        }
    }

    /// Queues a text frame.
    pub fn text(&self, text: String) {
        self.push(Message::Text(text.into()));
    }

    /// Queues a ping.
    pub fn ping(&self) {
        self.push(Message::Ping(Bytes::new()));
    }

    /// Answers a ping.
    pub fn pong(&self, payload: &[u8]) {
        self.push(Message::Pong(Bytes::copy_from_slice(payload)));
    }

    /// Queues a close frame with `code` and `reason` (an empty one when `code` is `None`), the
    /// last frame sent.
    pub fn close(&self, close: Option<(u16, Option<String>)>) {
        self.push(Message::Close(close.map(|(code, description)| {
            CloseReason {
                code: CloseCode::from(code),
                description,
            }
        })));
        self.finish();
    }

    /// Sends nothing more.
    pub fn finish(&self) {
        self.shared.borrow_mut().finished = true;
    }

    /// How many frames wait for the dispatcher.
    pub fn frames_waiting(&self) -> usize {
        self.shared.borrow().frames
    }

    /// How long the oldest untaken frame has waited.
    pub fn stalled_for(&self) -> Duration {
        self.shared
            .borrow()
            .waiting_since
            .map_or(Duration::ZERO, |since| since.elapsed())
    }

    /// Whether the dispatcher still holds the body (the client is still connected).
    pub fn body_alive(&self) -> bool {
        self.shared.borrow().body_alive
    }

    /// Drops what waits and shuts the TCP connection down under the dispatcher, which wakes,
    /// fails its write and lets the connection go.
    pub fn cut(&self) {
        let mut shared = self.shared.borrow_mut();
        shared.finished = true;
        shared.cut = true;
        shared.waiting.clear();
        shared.frames = 0;
        shared.waiting_since = None;
        if let Some(waker) = shared.body_waker.take() {
            waker.wake();
        }
        if shared.body_alive
            && let Some(peer) = &self.peer
        {
            peer.cut();
        }
    }

    /// A watcher that cuts the connection if its client still holds it `linger` from now; it
    /// runs on this worker thread.
    pub fn cut_later(&self, linger: Duration) {
        if !self.body_alive() {
            return;
        }
        let outbox = Outbox {
            shared: self.shared.clone(),
            peer: self.peer,
        };
        actix_rt::spawn(async move {
            actix_rt::time::sleep(linger).await;
            if outbox.body_alive() {
                log::debug!("cutting a closed socket whose client did not let go");
                outbox.cut();
            }
        });
    }
}

impl BodyWatch {
    /// Whether the body is gone; registers `cx` to be woken when it goes.
    pub fn gone(&self, cx: &Context<'_>) -> bool {
        let mut shared = self.shared.borrow_mut();
        if !shared.body_alive {
            return true;
        }
        shared.reader_waker = Some(cx.waker().clone());
        false
    }
}

impl Stream for OutboundBody {
    type Item = Result<Bytes, actix_web::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut shared = self.shared.borrow_mut();
        if !shared.waiting.is_empty() {
            shared.frames = 0;
            shared.waiting_since = None;
            return Poll::Ready(Some(Ok(shared.waiting.split().freeze())));
        }
        if shared.cut {
            return Poll::Ready(None);
        }
        shared.body_waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for OutboundBody {
    fn drop(&mut self) {
        let mut shared = self.shared.borrow_mut();
        shared.body_alive = false;
        shared.waiting.clear();
        if let Some(waker) = shared.reader_waker.take() {
            waker.wake();
        }
    }
}
