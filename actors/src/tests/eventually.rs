//! Test support: the one bounded wait of the actor tests. [`eventually`] asks a probe again
//! and again until it answers, and fails the test with what it waited for after [`PATIENCE`]
//! of runtime time (which a paused clock runs through at once when nothing else is due).

use std::future::Future;
use std::time::Duration;

use crate::kernel::clock;

/// Longest wait for any one expected outcome.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// How long to let the actors run between two probes.
const POLL: Duration = Duration::from_millis(1);

/// Runs `probe` until it yields `Some`, and returns that; panics naming `what` after
/// [`PATIENCE`].
pub async fn eventually<T, F, P>(what: &str, mut probe: P) -> T
where
    P: FnMut() -> F,
    F: Future<Output = Option<T>>,
{
    let deadline = clock::now() + PATIENCE;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(clock::now() < deadline, "waited {PATIENCE:?} for {what}");
        actix_rt::time::sleep(POLL).await;
    }
}
