//! The edge's refusals: every time the hub turns a client away for asking more than it gives
//! (a body too slow or too large, too many connections from one address, too many event
//! streams, a stream or socket whose client stopped reading). Receives each refusal from the
//! gate, the body checks, the event streams and the sockets; bumps its counter (shown by `/api/health`) and sends a
//! warning to the log at most once per [`REPORT_INTERVAL`] and kind, naming how many there were,
//! so that a flood of refusals cannot flood the log.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use switchboard_actors::kernel::metrics::{ConnectionMetrics, Counter, EdgeMetrics};

/// Shortest time between two log lines about the same kind of refusal.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(10);

/// A kind of refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A request body did not arrive within the body timeout (408).
    BodyTimeout,
    /// A request body was over the limit (413).
    BodyTooLarge,
    /// A connection's client address already held the most connections allowed (429).
    AddressCrowded,
    /// The hub held its limit of event streams.
    StreamsFull,
    /// An event stream's client left what was sent untaken for the write timeout.
    StreamStalled,
    /// A socket's client did not keep up (too many frames untaken, none taken within the
    /// write timeout, or its mailbox full): closed with 4008.
    SocketStalled,
}

impl Refusal {
    /// Every kind, in the order of their logs.
    const ALL: [Refusal; 6] = [
        Refusal::BodyTimeout,
        Refusal::BodyTooLarge,
        Refusal::AddressCrowded,
        Refusal::StreamsFull,
        Refusal::StreamStalled,
        Refusal::SocketStalled,
    ];

    /// What the log says was refused, and why.
    fn describe(self) -> &'static str {
        match self {
            Refusal::BodyTimeout => "408 request_timeout (a body did not arrive in time)",
            Refusal::BodyTooLarge => "413 payload_too_large (a body over the limit)",
            Refusal::AddressCrowded => {
                "429 too_many_connections (an address over MAX_CONNECTIONS_PER_IP)"
            }
            Refusal::StreamsFull => "503 too_many_streams (SSE_MAX_STREAMS open)",
            Refusal::StreamStalled => "SSE stream cut (its client stopped reading)",
            Refusal::SocketStalled => "WebSocket closed 4008 (its client did not keep up)",
        }
    }

    /// Its counter.
    fn counter(self, metrics: &ConnectionMetrics) -> &Counter {
        let edge = &metrics.edge;
        match self {
            Refusal::BodyTimeout => &edge.requests_timed_out,
            Refusal::BodyTooLarge => &edge.bodies_too_large,
            Refusal::AddressCrowded => &edge.connections_refused_per_ip,
            Refusal::StreamsFull => &edge.sse_refused,
            Refusal::StreamStalled => &edge.sse_write_timeouts,
            Refusal::SocketStalled => &metrics.slow_consumers,
        }
    }

    /// Its place in [`Refusal::ALL`].
    fn index(self) -> usize {
        Refusal::ALL
            .iter()
            .position(|kind| *kind == self)
            .unwrap_or(0)
    }
}

/// The refusals' counters and their throttled reports; shared by every worker.
pub struct Refusals {
    /// Where the counters live.
    metrics: Arc<ConnectionMetrics>,
    /// One throttle per kind, in the order of [`Refusal::ALL`].
    reports: [Throttle; 6],
    /// The origin of the throttles' clocks.
    origin: Instant,
}

impl Refusals {
    /// Refusals counted in `metrics`.
    pub fn new(metrics: Arc<ConnectionMetrics>) -> Refusals {
        Refusals {
            metrics,
            reports: Default::default(),
            origin: Instant::now(),
        }
    }

    /// The edge's counters.
    pub fn metrics(&self) -> &EdgeMetrics {
        &self.metrics.edge
    }

    /// Counts one refusal of `kind`, and logs how many there were if its last report is at
    /// least [`REPORT_INTERVAL`] old.
    pub fn record(&self, kind: Refusal) {
        kind.counter(&self.metrics).bump();
        let now = self.origin.elapsed();
        if let Some((count, over)) = self.reports[kind.index()].count(now, REPORT_INTERVAL) {
            log::warn!(
                "{count} refusals of kind {} in the last {:.1} s",
                kind.describe(),
                over.as_secs_f64()
            );
        }
    }
}

/// Counts events and lets a report through at most once per interval.
#[derive(Debug, Default)]
struct Throttle {
    /// Events since the last report.
    pending: AtomicU64,
    /// When the last report went out, in milliseconds since the origin, plus one (`0`: never).
    reported_at: AtomicU64,
}

impl Throttle {
    /// Counts one event at `now` (time since the origin). When the last report is at least
    /// `interval` old (or there was none), this event reports: the answer is how many events
    /// the report covers and over how long.
    fn count(&self, now: Duration, interval: Duration) -> Option<(u64, Duration)> {
        self.pending.fetch_add(1, Ordering::AcqRel);
        let now_ms = u64::try_from(now.as_millis()).unwrap_or(u64::MAX - 1) + 1;
        let last = self.reported_at.load(Ordering::Acquire);
        let due = last == 0 || now_ms.saturating_sub(last) >= interval.as_millis() as u64;
        if !due {
            return None;
        }
        self.reported_at
            .compare_exchange(last, now_ms, Ordering::AcqRel, Ordering::Acquire)
            .ok()?;
        let covered = match last {
            0 => now,
            last => Duration::from_millis(now_ms - last),
        };
        Some((self.pending.swap(0, Ordering::AcqRel), covered))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_reported_once_an_interval_with_its_count() {
        let throttle = Throttle::default();
        let interval = Duration::from_secs(10);
        let at = Duration::from_millis;
        assert_eq!(
            throttle.count(at(5), interval),
            Some((1, at(5))),
            "the first"
        );
        let quiet = (1..=99).filter_map(|ms| throttle.count(at(5 + ms * 10), interval));
        assert_eq!(quiet.count(), 0, "nothing more within the interval");
        assert_eq!(
            throttle.count(at(10_005), interval),
            Some((100, at(10_000))),
            "the next report counts everything since the last"
        );
        assert_eq!(throttle.count(at(10_006), interval), None);
    }

    #[test]
    fn each_kind_has_its_own_counter() {
        let metrics = Arc::new(ConnectionMetrics::default());
        let refusals = Refusals::new(metrics.clone());
        for kind in Refusal::ALL {
            refusals.record(kind);
        }
        refusals.record(Refusal::BodyTooLarge);
        let edge = &metrics.edge;
        assert_eq!(edge.requests_timed_out.get(), 1);
        assert_eq!(edge.bodies_too_large.get(), 2);
        assert_eq!(edge.connections_refused_per_ip.get(), 1);
        assert_eq!(edge.sse_refused.get(), 1);
        assert_eq!(edge.sse_write_timeouts.get(), 1);
    }
}
