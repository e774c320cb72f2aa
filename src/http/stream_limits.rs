//! The limits every event stream lives under: how many may be open at once, and how long one
//! may wait for its client to take what was sent. Receives each new stream from the events
//! handler; sends back a [`StreamSlot`] (given back when the stream ends) or 503
//! `too_many_streams`, and watches the stream from beside its body: the HTTP dispatcher polls a
//! body only while it can write, so a client that stops reading freezes the body and its
//! timers. A watcher task on the same worker thread sees the body's [`Progress`]; when the body
//! handed out a frame and was not asked for the next one for the write timeout, the watcher cuts
//! the connection, which drops the body, ends the stream and lets its session drop the
//! subscriber.

use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

use actix_rt::time::{Instant, interval_at};

use crate::api_error::ApiError;
use crate::peer::PeerSocket;
use crate::refusals::{Refusal, Refusals};

/// Shortest pause between two looks of a watcher.
const MIN_WATCH_PERIOD: Duration = Duration::from_millis(1);

/// The hub-wide limits of event streams; shared by every worker.
pub struct StreamLimits {
    /// Most streams open at once.
    max_streams: usize,
    /// Longest a stream may wait for its client to take a frame.
    write_timeout: Duration,
    /// Kernel send buffer of each stream's connection, in bytes (`0`: the kernel's own).
    send_buffer: usize,
    /// Where refusals are counted, and the gauge of open streams.
    refusals: Arc<Refusals>,
}

impl StreamLimits {
    /// At most `max_streams` streams, each cut when its client leaves a frame untaken for
    /// `write_timeout`, on a connection whose send buffer is bounded to `send_buffer` bytes.
    pub fn new(
        max_streams: usize,
        write_timeout: Duration,
        send_buffer: usize,
        refusals: Arc<Refusals>,
    ) -> Arc<StreamLimits> {
        Arc::new(StreamLimits {
            max_streams,
            write_timeout,
            send_buffer,
            refusals,
        })
    }

    /// A place for one more stream, or 503 `too_many_streams` when all are taken.
    pub fn admit(self: &Arc<Self>) -> Result<StreamSlot, ApiError> {
        let open = &self.refusals.metrics().sse_streams_open;
        if open.increment_below(self.max_streams) {
            return Ok(StreamSlot {
                limits: self.clone(),
            });
        }
        self.refusals.record(Refusal::StreamsFull);
        Err(ApiError::TooManyStreams(self.max_streams))
    }

    /// The progress of a new stream body on `peer`'s connection, watched from now on by a task
    /// on this worker thread (the one serving the connection). Without a recorded connection
    /// nothing can be cut, and nothing watches.
    pub fn watch(self: &Arc<Self>, peer: Option<PeerSocket>) -> Rc<Progress> {
        let progress = Rc::new(Progress::default());
        if let Some(peer) = peer {
            peer.limit_send_buffer(self.send_buffer);
            let watched = Rc::downgrade(&progress);
            actix_rt::spawn(watch(watched, peer, self.clone()));
        }
        progress
    }
}

/// Looks at a stream's progress every quarter of the write timeout until the body is gone, or
/// cuts its connection once the body has waited for its client for the write timeout.
async fn watch(progress: Weak<Progress>, peer: PeerSocket, limits: Arc<StreamLimits>) {
    let period = (limits.write_timeout / 4).max(MIN_WATCH_PERIOD);
    let mut looks = interval_at(Instant::now() + period, period);
    loop {
        looks.tick().await;
        let Some(progress) = progress.upgrade() else {
            return;
        };
        if progress.waiting_for(Instant::now()) >= limits.write_timeout {
            log::debug!("cutting the event stream of {:?}: not read", peer.addr);
            limits.refusals.record(Refusal::StreamStalled);
            peer.cut();
            return;
        }
    }
}

/// One open stream's place under the limit; given back when dropped with the stream.
pub struct StreamSlot {
    /// Whose place it is.
    limits: Arc<StreamLimits>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.limits.refusals.metrics().sse_streams_open.decrement();
    }
}

/// How a stream body is being taken, shared by the body and its watcher (both on one thread).
#[derive(Debug)]
pub struct Progress {
    /// When the dispatcher last asked the body for a frame.
    asked_at: Cell<Instant>,
    /// The body answered that ask with a frame, so the dispatcher comes back for the next one
    /// as soon as it has written it: if it does not, the client is not taking it.
    gave_frame: Cell<bool>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            asked_at: Cell::new(Instant::now()),
            gave_frame: Cell::new(false),
        }
    }
}

impl Progress {
    /// The dispatcher asked the body for a frame and got one (`true`) or had to wait.
    pub fn asked(&self, gave_frame: bool) {
        self.asked_at.set(Instant::now());
        self.gave_frame.set(gave_frame);
    }

    /// How long, at `now`, the body has waited for its last frame to be taken (zero when it is
    /// waiting for events instead).
    fn waiting_for(&self, now: Instant) -> Duration {
        match self.gave_frame.get() {
            true => now.saturating_duration_since(self.asked_at.get()),
            false => Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use switchboard_actors::kernel::metrics::ConnectionMetrics;

    use super::*;

    #[actix_rt::test]
    async fn a_body_waits_only_while_a_frame_it_gave_is_not_taken() {
        tokio::time::pause();
        let progress = Progress::default();
        let second = Duration::from_secs(1);
        tokio::time::advance(second).await;
        assert_eq!(progress.waiting_for(Instant::now()), Duration::ZERO);
        progress.asked(true);
        tokio::time::advance(second).await;
        assert_eq!(progress.waiting_for(Instant::now()), second);
        progress.asked(false);
        tokio::time::advance(second).await;
        assert_eq!(progress.waiting_for(Instant::now()), Duration::ZERO);
    }

    #[test]
    fn slots_are_limited_and_given_back() {
        let metrics = Arc::new(ConnectionMetrics::default());
        let refusals = Arc::new(Refusals::new(metrics.clone()));
        let limits = StreamLimits::new(2, Duration::from_secs(1), 0, refusals);
        let first = limits.admit().expect("room for one");
        let second = limits.admit().expect("room for two");
        assert!(matches!(limits.admit(), Err(ApiError::TooManyStreams(2))));
        assert_eq!(metrics.edge.sse_streams_open.get(), 2);
        assert_eq!(metrics.edge.sse_refused.get(), 1);
        drop(first);
        let third = limits.admit().expect("a place was given back");
        drop((second, third));
        assert_eq!(metrics.edge.sse_streams_open.get(), 0);
    }
}
