//! What `GET /metrics` shows, in the Prometheus text format: one registry of every series
//! (the sockets' by endpoint, the bot's and the store's histograms, the hub's existing
//! counters read at scrape time). Receives a scrape; sends [`CountSessions`] to the store at
//! most once per [`CONVERSATIONS_MAX_AGE`] (concurrent scrapes within it share the last
//! counts; when the store cannot answer, the last counts stand and a warning is logged), then
//! the text.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::Addr;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::registry::Registry;
use switchboard_actors::kernel::timings::Timings;
use switchboard_actors::store::Store;
use switchboard_actors::store::session_counts::CountSessions;

use crate::hub_counters::HubCounters;
use crate::ws::endpoint_metrics::EndpointMetrics;

/// How old the conversation counts may be before a scrape reads them again.
pub const CONVERSATIONS_MAX_AGE: Duration = Duration::from_secs(1);

/// The content type of the text format.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Every series of the hub, and where the conversation counts come from.
pub struct Exposition {
    /// The series.
    registry: Registry,
    /// The existing counters; also where the conversation counts are kept.
    counters: Arc<HubCounters>,
    /// Where the conversations are counted.
    store: Addr<Store>,
    /// When the conversation counts were last asked for.
    counted_at: Mutex<Option<Instant>>,
}

/// What the wiring hands the exposition: the series the actors and sockets keep.
pub struct Series {
    /// The existing counters.
    pub counters: HubCounters,
    /// The bot's and the store's histograms.
    pub timings: Timings,
    /// The sockets' series by endpoint.
    pub per_endpoint: EndpointMetrics,
}

impl Exposition {
    /// A registry of `series`, counting conversations in `store`.
    pub fn new(series: Series, store: Addr<Store>) -> Exposition {
        let mut registry = Registry::default();
        let counters = Arc::new(series.counters);
        registry.register_collector(Box::new(counters.clone()));
        series.per_endpoint.register(&mut registry);
        series.timings.register(&mut registry);
        Exposition {
            registry,
            counters,
            store,
            counted_at: Mutex::new(None),
        }
    }

    /// The text of every series, the conversation counts read again if they are older than
    /// [`CONVERSATIONS_MAX_AGE`].
    /// Fails only if a series cannot be written, which writing into a `String` never does.
    pub async fn scrape(&self) -> Result<String, std::fmt::Error> {
        if self.counts_due() {
            match self.store.send(CountSessions).await {
                Ok(Ok(rows)) => self.counters.set_conversations(&rows),
                Ok(Err(error)) => log::warn!("metrics: conversations not counted: {error}"),
                Err(_) => log::warn!("metrics: conversations not counted: the store stopped"),
            }
        }
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }

    /// Whether this scrape reads the counts; marks them read now if so.
    fn counts_due(&self) -> bool {
        let mut counted_at = self
            .counted_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let due = counted_at.is_none_or(|at| at.elapsed() >= CONVERSATIONS_MAX_AGE);
        if due {
            *counted_at = Some(Instant::now());
        }
        due
    }
}
