//! The hub's monotonic clock. Receives nothing and sends nothing: every deadline, grace period
//! and idle check in the actors reads [`now`], which is the async runtime's clock, so an actor
//! test that pauses time (`tokio::time::pause`) moves these deadlines together with the
//! actors' timers instead of waiting on the wall clock. Timestamps that clients see are
//! `chrono::Utc` and are not affected.

/// A point on the runtime's monotonic clock.
pub type Instant = tokio::time::Instant;

/// The runtime clock's current instant (advanced by hand when a test has paused time).
pub fn now() -> Instant {
    Instant::now()
}
