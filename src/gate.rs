//! The gate in front of every route, WebSocket upgrades included. Receives each request before
//! its handler; sends, with `Connection: close`, 503 `unavailable` while the hub stops, 429
//! `too_many_connections` on a connection accepted beyond its address's cap, and 413
//! `payload_too_large` for a declared body over the limit, before reading it. The requests it
//! lets through get a timer on their body (when it runs out the body fails to read, which the
//! JSON checks answer with 408), are counted while in flight, and once the hub stops their
//! answers close the connection, so that no idle connection is left to a stop's race.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_rt::time::{Sleep, sleep};
use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use futures_util::Stream;

use crate::api_error::ApiError;
use crate::http::MAX_BODY_BYTES;
use crate::peer::PeerSocket;
use crate::refusals::{Refusal, Refusals};

/// What the gate knows; shared by every worker.
pub struct Gate {
    /// The hub is stopping: new requests are refused, answers close their connection.
    stopping: AtomicBool,
    /// Requests whose handler has not answered yet.
    in_flight: AtomicUsize,
    /// Longest wait for a whole body.
    body_timeout: Duration,
    /// Most connections one client address may hold, as the 429 names it.
    address_cap: usize,
    /// Where refusals are counted.
    refusals: Arc<Refusals>,
}

impl Gate {
    /// A gate that gives each body `body_timeout`, names `address_cap` when it refuses a
    /// connection over it, and counts its refusals in `refusals`.
    pub fn new(body_timeout: Duration, address_cap: usize, refusals: Arc<Refusals>) -> Arc<Gate> {
        Arc::new(Gate {
            stopping: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            body_timeout,
            address_cap,
            refusals,
        })
    }

    /// From now on, refuse new requests with 503 and close each connection after its answer.
    pub fn stop_admitting(&self) {
        self.stopping.store(true, Ordering::Release);
    }

    /// Requests whose handler has not answered yet.
    pub fn requests_in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Why `req` is refused at the gate, if it is.
    fn refusal(&self, req: &ServiceRequest) -> Option<ApiError> {
        if self.stopping.load(Ordering::Acquire) {
            return Some(ApiError::Unavailable);
        }
        if PeerSocket::of(req.request()).is_some_and(|peer| peer.over_address_cap) {
            self.refusals.record(Refusal::AddressCrowded);
            return Some(ApiError::TooManyConnections(self.address_cap));
        }
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok());
        match declared {
            Some(length) if length > MAX_BODY_BYTES as u64 => {
                self.refusals.record(Refusal::BodyTooLarge);
                Some(ApiError::PayloadTooLarge(format!(
                    "the body of {length} bytes is over the limit of {MAX_BODY_BYTES} bytes"
                )))
            }
            _ => None,
        }
    }

    /// Puts a timer on the body of `req`, if it has one (an upgrade's stream is no body).
    fn time_body(&self, req: &mut ServiceRequest) {
        if req.head().upgrade() {
            return;
        }
        match req.take_payload() {
            Payload::None => {}
            body => req.set_payload(Payload::Stream {
                payload: Box::pin(TimedBody {
                    body,
                    deadline: Box::pin(sleep(self.body_timeout)),
                    timeout: self.body_timeout,
                    expired: false,
                }),
            }),
        }
    }
}

/// One request in flight; counted until dropped.
struct InFlight<'a>(&'a Gate);

impl<'a> InFlight<'a> {
    /// Counts one more request in flight at `gate`.
    fn enter(gate: &'a Gate) -> InFlight<'a> {
        gate.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(gate)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The middleware: refuses at the gate, or times the body and passes the request on.
pub async fn admit(
    gate: Arc<Gate>,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(refusal) = gate.refusal(&req) {
        return Ok(req.into_response(closing(refusal.error_response())));
    }
    gate.time_body(&mut req);
    let _in_flight = InFlight::enter(&gate);
    let mut response = next.call(req).await?;
    let upgraded = response.status() == StatusCode::SWITCHING_PROTOCOLS;
    if gate.stopping.load(Ordering::Acquire) && !upgraded {
        let head = response.response_mut().head_mut();
        head.set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

/// `response`, closing its connection after it.
fn closing(mut response: HttpResponse) -> HttpResponse {
    response
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    response
}

/// A request body that fails with a timeout once its deadline has passed.
struct TimedBody {
    /// The body as it arrives.
    body: Payload,
    /// When it must have arrived whole.
    deadline: Pin<Box<Sleep>>,
    /// The time it was given, for the error.
    timeout: Duration,
    /// The deadline passed and the error was given.
    expired: bool,
}

impl Stream for TimedBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(chunk) = Pin::new(&mut self.body).poll_next(cx) {
            return Poll::Ready(chunk);
        }
        if self.deadline.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.expired = true;
        let detail = format!("the request body did not arrive within {:?}", self.timeout);
        let timed_out = io::Error::new(io::ErrorKind::TimedOut, detail);
        Poll::Ready(Some(Err(PayloadError::Io(timed_out))))
    }
}
