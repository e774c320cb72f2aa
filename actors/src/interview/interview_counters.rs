//! The interview sockets' counters, shared by the sockets (which bump them) and the
//! management API (which reads them). Receives bumps; sends nothing.

use std::time::Instant;

use crate::kernel::metrics::Counter;

/// What the interview sockets have done since the hub started.
#[derive(Debug)]
pub struct InterviewCounters {
    /// When counting began.
    pub started: Instant,
    /// Sockets ever opened.
    pub connections: Counter,
    /// Frames sent to clients.
    pub messages_sent: Counter,
    /// Messages received from clients.
    pub messages_received: Counter,
    /// Error frames sent.
    pub errors: Counter,
}

impl Default for InterviewCounters {
    fn default() -> Self {
        InterviewCounters {
            started: Instant::now(),
            connections: Counter::default(),
            messages_sent: Counter::default(),
            messages_received: Counter::default(),
            errors: Counter::default(),
        }
    }
}
