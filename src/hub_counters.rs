//! The hub's existing counters as Prometheus series, read at scrape time: nothing is counted
//! twice. Receives the conversation counts the scrape read from the store; sends, on each
//! encode, the socket layer's refusals and cuts, the event streams, seed 000's calls and queues,
//! and the conversations by status. Registered once with the scrape's registry.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use switchboard_actors::calls::call_metrics::CallMetrics;
use switchboard_actors::kernel::metrics::ConnectionMetrics;
use switchboard_actors::takeover::escalation::Status;

/// The counters the hub already keeps, and the last conversation counts.
#[derive(Debug)]
pub struct HubCounters {
    /// The socket layer's and the edge's counters.
    connections: Arc<ConnectionMetrics>,
    /// Seed 000's counters.
    calls: Arc<CallMetrics>,
    /// Conversations in each status, in the order of [`Status::ALL`], as last read.
    conversations: [AtomicU64; 3],
}

impl HubCounters {
    /// The series of these counters.
    pub fn new(connections: Arc<ConnectionMetrics>, calls: Arc<CallMetrics>) -> HubCounters {
        HubCounters {
            connections,
            calls,
            conversations: Default::default(),
        }
    }

    /// Sets the conversation counts from the store's `(status, count)` rows; a status with
    /// no row has none, and a status the hub does not know is left out.
    pub fn set_conversations(&self, rows: &[(String, u64)]) {
        for (status, slot) in Status::ALL.iter().zip(&self.conversations) {
            let count = rows
                .iter()
                .find(|(name, _)| name == status.as_str())
                .map_or(0, |(_, count)| *count);
            slot.store(count, Ordering::Relaxed);
        }
    }

    /// Conversations in `status`, as last read.
    fn conversations_in(&self, status: Status) -> u64 {
        let index = Status::ALL.iter().position(|s| *s == status).unwrap_or(0);
        self.conversations[index].load(Ordering::Relaxed)
    }

    /// The edge's refusals, by reason.
    fn refusals(&self) -> [(&'static str, u64); 6] {
        let (connections, edge) = (&self.connections, &self.connections.edge);
        [
            ("connection_limit", connections.connections_refused.get()),
            ("address_crowded", edge.connections_refused_per_ip.get()),
            ("body_timeout", edge.requests_timed_out.get()),
            ("body_too_large", edge.bodies_too_large.get()),
            ("streams_full", edge.sse_refused.get()),
            ("stream_stalled", edge.sse_write_timeouts.get()),
        ]
    }

    /// The queues' lengths: call legs waiting on each side, and escalated conversations
    /// waiting for an agent.
    fn queues(&self) -> [(&'static str, u64); 3] {
        [
            ("customers", self.calls.waiting_customers.get()),
            ("agents", self.calls.available_agents.get()),
            ("handovers", self.conversations_in(Status::PendingManual)),
        ]
    }
}

impl Collector for HubCounters {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for (name, help, kind, value) in self.unlabelled() {
            let metric = encoder.encode_descriptor(name, help, None, kind)?;
            encode_value(metric, kind, value)?;
        }
        let statuses = Status::ALL.map(|status| (status.as_str(), self.conversations_in(status)));
        let labelled = [
            Labelled {
                name: "switchboard_conversations",
                help: "Conversations the store holds, by status (read at most once a second).",
                kind: MetricType::Gauge,
                label: "status",
                values: &statuses,
            },
            Labelled {
                name: "switchboard_queue_length",
                help: "Waiting now: call legs by side (customers, agents), escalated \
                       conversations (handovers).",
                kind: MetricType::Gauge,
                label: "queue",
                values: &self.queues(),
            },
            Labelled {
                name: "switchboard_refusals",
                help: "Connections, requests and streams the edge refused or cut, by reason.",
                kind: MetricType::Counter,
                label: "reason",
                values: &self.refusals(),
            },
        ];
        for metric in labelled {
            let mut family =
                encoder.encode_descriptor(metric.name, metric.help, None, metric.kind)?;
            for (value, number) in metric.values {
                let labels = [(metric.label, *value)];
                encode_value(family.encode_family(&labels)?, metric.kind, *number)?;
            }
        }
        Ok(())
    }
}

impl HubCounters {
    /// The series without labels: name, help, type and value.
    fn unlabelled(&self) -> [(&'static str, &'static str, MetricType, u64); 7] {
        let (calls, connections) = (&self.calls, &self.connections);
        let counter = MetricType::Counter;
        let gauge = MetricType::Gauge;
        [
            (
                "switchboard_calls_started",
                "Call legs issued by POST /api/calls/start.",
                counter,
                calls.calls_started.get(),
            ),
            (
                "switchboard_calls_matched",
                "Calls paired.",
                counter,
                calls.calls_matched.get(),
            ),
            (
                "switchboard_calls_ended",
                "Matched calls that ended.",
                counter,
                calls.calls_ended.get(),
            ),
            (
                "switchboard_call_transcripts_relayed",
                "Transcript lines relayed between call legs.",
                counter,
                calls.transcripts_relayed.get(),
            ),
            (
                "switchboard_slow_consumer_cuts",
                "WebSockets cut (4008) because their client did not keep up.",
                counter,
                connections.slow_consumers.get(),
            ),
            (
                "switchboard_calls_active",
                "Matched calls in progress.",
                gauge,
                calls.active_calls.get(),
            ),
            (
                "switchboard_sse_streams_open",
                "Event streams open now.",
                gauge,
                connections.edge.sse_streams_open.get(),
            ),
        ]
    }
}

/// Encodes one sample of `value` as a counter or a gauge.
fn encode_value(
    sample: MetricEncoder<'_>,
    kind: MetricType,
    value: u64,
) -> Result<(), std::fmt::Error> {
    match kind {
        MetricType::Counter => ConstCounter::new(value).encode(sample),
        _ => ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX)).encode(sample),
    }
}

/// One metric with one label, and its value for each label value.
struct Labelled<'a> {
    /// The metric's name.
    name: &'a str,
    /// What it means.
    help: &'a str,
    /// Counter or gauge.
    kind: MetricType,
    /// The label's name.
    label: &'static str,
    /// Each label value and its number.
    values: &'a [(&'static str, u64)],
}
