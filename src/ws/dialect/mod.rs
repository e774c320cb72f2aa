//! Wire dialects: one file per WebSocket protocol. A dialect receives the text of each inbound
//! message and each [`Event`] pushed to its connection, and answers with a [`Reply`]: a frame
//! in its own format to send, whether that frame refuses bad input, and whether to close.
//! Events a dialect does not speak produce no frame.

pub mod call;
pub mod desk;

use switchboard_actors::{CloseCode, ConnHandle, ConnId, Event};

/// A wire protocol spoken on one socket, with whatever per-socket state it needs.
pub trait Dialect: Unpin + 'static {
    /// The socket was admitted; `conn` is how actors will reach it.
    fn opened(&mut self, conn: &ConnHandle) -> Reply;
    /// A complete inbound text message, already checked against the size limit.
    fn received(&mut self, text: &str) -> Reply;
    /// An event pushed to this connection by an actor.
    fn deliver(&mut self, event: Event) -> Reply;
    /// The socket is closing; tell the actors that hold it. `shutdown` is true when the hub
    /// closed it because the hub is shutting down.
    fn closed(&mut self, conn_id: ConnId, shutdown: bool);
    /// An error frame in this dialect's format.
    fn error_frame(&self, error: &str, detail: &str) -> String;
}

/// What a dialect wants done after an inbound message or an event.
#[derive(Debug, Default)]
pub struct Reply {
    /// Frames to send, in order.
    pub frames: Vec<String>,
    /// The frame refuses bad input (counted in the statistics).
    pub rejected: bool,
    /// Close the socket after the frame, with this code and reason.
    pub close: Option<(CloseCode, String)>,
}

impl Reply {
    /// Nothing to send.
    pub fn none() -> Reply {
        Reply::default()
    }

    /// Send `frame`.
    pub fn send(frame: String) -> Reply {
        Reply {
            frames: vec![frame],
            ..Reply::default()
        }
    }

    /// Send the error frame `frame`, refusing the input.
    pub fn reject(frame: String) -> Reply {
        Reply {
            frames: vec![frame],
            rejected: true,
            close: None,
        }
    }

    /// Also send `frame`, after the others.
    pub fn then_send(mut self, frame: String) -> Reply {
        self.frames.push(frame);
        self
    }

    /// Also close the socket after the frame.
    pub fn and_close(mut self, code: CloseCode, reason: &str) -> Reply {
        self.close = Some((code, reason.to_owned()));
        self
    }
}
