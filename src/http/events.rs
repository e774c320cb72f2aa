//! Server-sent events. Receives `GET /api/sessions/{session_name}/events` (optionally with
//! `Last-Event-ID` or `?last_event_id=`); sends every session event as `id: <seq>` plus one
//! `data:` JSON line, replaying what the client missed first, with keep-alive comments while
//! the session is quiet. The opening block sets the last event id to where the stream starts,
//! so a browser that reconnects before the first event still resumes from there. A stream
//! takes a place under the hub's limit of streams (503 `too_many_streams` when none is left)
//! and is watched: one whose client stops taking its frames is cut (see [`stream_limits`]).
//! Also frames the one-shot streams of `/api/chat/stream`.
//!
//! [`stream_limits`]: super::stream_limits

use std::collections::VecDeque;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_rt::time::{Interval, interval};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use futures_util::Stream;
use serde::Serialize;
use switchboard_actors::takeover::model::SessionEvent;
use switchboard_actors::takeover::session_requests::Subscribe;
use switchboard_actors::takeover::{Sessions, TakeoverConfig};
use tokio::sync::mpsc;

use super::stream_limits::{Progress, StreamLimits, StreamSlot};
use super::{fields, ownership};
use crate::api_error::ApiError;
use crate::auth::identity::Caller;
use crate::peer::PeerSocket;
use crate::wire::takeover::conversation::PushedEvent;
use crate::wire::takeover::rest::EventsQuery;
use crate::wire::text;

/// How long a browser waits before reconnecting, in milliseconds.
const RETRY_MS: u32 = 2000;

/// One SSE message: `id:` when given, then the JSON of `data` on one `data:` line.
pub fn frame<T: Serialize>(id: Option<u64>, data: &T) -> Bytes {
    let mut out = String::new();
    if let Some(id) = id {
        out.push_str(&format!("id: {id}\n"));
    }
    out.push_str(&format!("data: {}\n\n", text::encode(data)));
    Bytes::from(out)
}

/// A response builder with the SSE headers.
pub fn sse_response() -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"));
    response
}

/// `GET /api/sessions/{session_name}/events`: follow a session.
pub async fn follow(
    req: HttpRequest,
    name: web::Path<String>,
    query: web::Query<EventsQuery>,
    caller: Caller,
    sessions: web::Data<Sessions>,
    config: web::Data<TakeoverConfig>,
    limits: web::Data<StreamLimits>,
) -> Result<HttpResponse, ApiError> {
    let name = fields::session_name(&name)?;
    ownership::may_read(&caller, &sessions, &name).await?;
    let header = req
        .headers()
        .get("Last-Event-ID")
        .map(|value| value.to_str().unwrap_or("invalid").to_owned());
    let after = match header.or_else(|| query.last_event_id.clone()) {
        None => None,
        Some(text) => Some(text.trim().parse::<u64>().map_err(|_| {
            ApiError::InvalidField("Last-Event-ID must be a sequence number".into())
        })?),
    };
    let slot = limits.admit()?;
    let subscription = sessions.ask(&name, Subscribe { after }).await??;
    let mut replay = VecDeque::new();
    let start = after.unwrap_or(subscription.last_seq);
    replay.push_back(Bytes::from(format!(
        "retry: {RETRY_MS}\nid: {start}\n: following {name} from seq {start}\n\n"
    )));
    replay.extend(
        subscription
            .replay
            .iter()
            .map(|event| frame(Some(event.seq), &PushedEvent::of(event))),
    );
    let stream = EventStream {
        replay,
        live: subscription.live,
        keepalive: keepalive(config.sse_keepalive_interval),
        progress: limits.watch(PeerSocket::of(&req)),
        _slot: slot,
    };
    Ok(sse_response().streaming(stream))
}

/// An interval whose first tick is one period away.
fn keepalive(every: Duration) -> Interval {
    let mut timer = interval(every);
    timer.reset();
    timer
}

/// The body of an events response.
struct EventStream {
    /// Frames to send before the live ones.
    replay: VecDeque<Bytes>,
    /// Live events from the session; ends when the session drops the subscriber.
    live: mpsc::Receiver<SessionEvent>,
    /// When to send a keep-alive comment.
    keepalive: Interval,
    /// How its frames are taken, as its watcher sees it.
    progress: Rc<Progress>,
    /// Its place under the hub's limit of streams.
    _slot: StreamSlot,
}

impl Stream for EventStream {
    type Item = Result<Bytes, actix_web::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.as_mut().next_frame(cx);
        self.progress.asked(matches!(next, Poll::Ready(Some(_))));
        next
    }
}

impl EventStream {
    /// The next frame: replayed, live, or a keep-alive once an interval has passed quietly.
    fn next_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, actix_web::Error>>> {
        if let Some(frame) = self.replay.pop_front() {
            return Poll::Ready(Some(Ok(frame)));
        }
        match self.live.poll_recv(cx) {
            Poll::Ready(Some(event)) => {
                self.keepalive.reset();
                let data = PushedEvent::of(&event);
                return Poll::Ready(Some(Ok(frame(Some(event.seq), &data))));
            }
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        match self.keepalive.poll_tick(cx) {
            Poll::Ready(_) => Poll::Ready(Some(Ok(Bytes::from_static(b": keep-alive\n\n")))),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;
    use futures_util::{FutureExt, StreamExt};
    use switchboard_actors::kernel::metrics::ConnectionMetrics;
    use switchboard_actors::takeover::model::{EventKind, Speaker};

    use super::*;
    use crate::refusals::Refusals;

    /// The next block of `stream` if one is ready now.
    fn ready(stream: &mut EventStream) -> Option<Bytes> {
        let block = stream.next().now_or_never()?;
        Some(block.expect("the stream goes on").expect("a block"))
    }

    #[actix_rt::test]
    async fn a_quiet_stream_says_keep_alive_once_an_interval_and_an_event_restarts_the_count() {
        tokio::time::pause();
        let every = Duration::from_millis(200);
        let just = every / 4;
        let (events, live) = mpsc::channel(4);
        let metrics = Arc::new(ConnectionMetrics::default());
        let limits = StreamLimits::new(1, every, 0, Arc::new(Refusals::new(metrics)));
        let mut stream = EventStream {
            replay: VecDeque::new(),
            live,
            keepalive: keepalive(every),
            progress: limits.watch(None),
            _slot: limits.admit().expect("room for the stream"),
        };
        let keep_alive = Bytes::from_static(b": keep-alive\n\n");

        tokio::time::sleep(every - just).await;
        assert_eq!(ready(&mut stream), None, "nothing before the interval");
        tokio::time::sleep(just).await;
        assert_eq!(ready(&mut stream), Some(keep_alive.clone()));
        tokio::time::sleep(every - just).await;
        assert_eq!(ready(&mut stream), None, "one keep-alive an interval");

        let event = SessionEvent {
            seq: 1,
            timestamp: Utc::now(),
            kind: EventKind::Message {
                role: Speaker::User,
                content: "hello".into(),
                agent: None,
                manual: false,
                interrupted: None,
            },
        };
        events.try_send(event).expect("room for the event");
        let sent = ready(&mut stream).expect("the event at once");
        assert!(sent.starts_with(b"id: 1\ndata: "), "{sent:?}");
        tokio::time::sleep(every - just).await;
        assert_eq!(ready(&mut stream), None, "the event restarted the count");
        tokio::time::sleep(just).await;
        assert_eq!(ready(&mut stream), Some(keep_alive));
    }
}
