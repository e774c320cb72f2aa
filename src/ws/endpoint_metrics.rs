//! The sockets' Prometheus series by endpoint: how many are open, how many connected, how
//! they ended (by close code), the messages each way and the frames refused (by reason).
//! Receives nothing and sends nothing: every [`Connection`](crate::ws::connection::Connection)
//! counts its own events here as they happen, and `GET /metrics` reads them. Every label is
//! from a closed set (an endpoint name, a close code of the hub's table, an error code), never
//! an id or anything a client chose.

use std::sync::Arc;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use switchboard_actors::kernel::close::CloseCode;
use switchboard_actors::kernel::metrics;

/// One label: the endpoint.
type EndpointLabel = [(&'static str, &'static str); 1];

/// Two labels: the endpoint and a code.
type EndpointCodeLabels = [(&'static str, &'static str); 2];

/// The `code` label of a socket that ended without any close frame (its connection was lost
/// or cut), as the WebSocket standard names that case.
pub const NO_CLOSE_FRAME: &str = "1006";

/// The `code` label of a client's close frame that carried no code.
pub const NO_CODE: &str = "1005";

/// The `code` label of a client's close code that is not in the hub's table.
pub const OTHER_CODE: &str = "other";

/// The series; a clone shares them.
#[derive(Debug, Clone, Default)]
pub struct EndpointMetrics {
    /// Sockets open now, by endpoint.
    open: Family<EndpointLabel, Gauge>,
    /// Sockets admitted, by endpoint.
    connects: Family<EndpointLabel, Counter>,
    /// Sockets ended, by endpoint and close code.
    disconnects: Family<EndpointCodeLabels, Counter>,
    /// Whole messages received, by endpoint.
    messages_in: Family<EndpointLabel, Counter>,
    /// Frames sent, by endpoint.
    messages_out: Family<EndpointLabel, Counter>,
    /// Inbound messages refused with an error frame, by endpoint and error code.
    frames_rejected: Family<EndpointCodeLabels, Counter>,
    /// The same events summed over every endpoint, for the admin monitor's statistics.
    totals: Arc<SocketTotals>,
}

/// The sockets' messages and endings, all endpoints together.
#[derive(Debug, Default)]
pub struct SocketTotals {
    /// Frames sent.
    pub sent: metrics::Counter,
    /// Whole messages received.
    pub received: metrics::Counter,
    /// Sockets ended.
    pub disconnected: metrics::Counter,
}

impl EndpointMetrics {
    /// A socket of `endpoint` was admitted.
    pub fn connected(&self, endpoint: &'static str) {
        self.open.get_or_create(&[("endpoint", endpoint)]).inc();
        self.connects.get_or_create(&[("endpoint", endpoint)]).inc();
    }

    /// An admitted socket of `endpoint` ended with close code `code` (see [`code_label`]).
    pub fn disconnected(&self, endpoint: &'static str, code: &'static str) {
        self.open.get_or_create(&[("endpoint", endpoint)]).dec();
        let labels = [("endpoint", endpoint), ("code", code)];
        self.disconnects.get_or_create(&labels).inc();
        self.totals.disconnected.bump();
    }

    /// A whole message arrived on a socket of `endpoint`.
    pub fn received(&self, endpoint: &'static str) {
        self.messages_in
            .get_or_create(&[("endpoint", endpoint)])
            .inc();
        self.totals.received.bump();
    }

    /// A frame went out on a socket of `endpoint`.
    pub fn sent(&self, endpoint: &'static str) {
        self.messages_out
            .get_or_create(&[("endpoint", endpoint)])
            .inc();
        self.totals.sent.bump();
    }

    /// A message on a socket of `endpoint` was refused with the error code `reason`.
    pub fn rejected(&self, endpoint: &'static str, reason: &'static str) {
        let labels = [("endpoint", endpoint), ("reason", reason)];
        self.frames_rejected.get_or_create(&labels).inc();
    }

    /// The totals over every endpoint.
    pub fn totals(&self) -> &SocketTotals {
        &self.totals
    }

    /// Registers the series under their Prometheus names.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "switchboard_ws_connections_open",
            "WebSockets open now, by endpoint",
            self.open.clone(),
        );
        registry.register(
            "switchboard_ws_connects",
            "WebSockets admitted, by endpoint",
            self.connects.clone(),
        );
        registry.register(
            "switchboard_ws_disconnects",
            "WebSockets ended, by endpoint and close code (1006: no close frame, the connection was lost or cut)",
            self.disconnects.clone(),
        );
        registry.register(
            "switchboard_ws_messages_received",
            "Whole WebSocket messages received, by endpoint",
            self.messages_in.clone(),
        );
        registry.register(
            "switchboard_ws_messages_sent",
            "WebSocket frames sent, by endpoint",
            self.messages_out.clone(),
        );
        registry.register(
            "switchboard_ws_frames_rejected",
            "Inbound WebSocket messages refused with an error frame, by endpoint and error code",
            self.frames_rejected.clone(),
        );
    }
}

/// The `code` label of a close code: the code itself when it is in the hub's table, else
/// [`OTHER_CODE`], so a client cannot mint series.
pub fn code_label(code: u16) -> &'static str {
    const LABELS: [(CloseCode, &str); 12] = [
        (CloseCode::Normal, "1000"),
        (CloseCode::GoingAway, "1001"),
        (CloseCode::ProtocolError, "1002"),
        (CloseCode::InvalidPayload, "1007"),
        (CloseCode::TooBig, "1009"),
        (CloseCode::InternalError, "1011"),
        (CloseCode::TryAgainLater, "1013"),
        (CloseCode::HeartbeatTimeout, "4000"),
        (CloseCode::UnknownCall, "4004"),
        (CloseCode::SlowConsumer, "4008"),
        (CloseCode::AlreadyConnected, "4009"),
        (CloseCode::TooManyUserConnections, "4029"),
    ];
    LABELS
        .iter()
        .find(|(known, _)| known.code() == code)
        .map_or(OTHER_CODE, |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_table_is_its_own_label_and_others_are_one() {
        for close in CloseCode::ALL {
            assert_eq!(code_label(close.code()), close.code().to_string());
        }
        assert_eq!(code_label(4321), OTHER_CODE);
        assert_eq!(code_label(1006), OTHER_CODE, "only the hub says 1006");
    }
}
