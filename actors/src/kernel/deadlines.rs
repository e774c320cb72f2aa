//! One timer per actor for any number of deadlines. Receives and sends no messages: an actor
//! that must act on many items at their own instants (a leg that never connects, an ended leg
//! to forget, an offer to retry) keeps them in its [`Deadlines`] and implements
//! [`DeadlineOwner`]; [`schedule`] adds one, and a single `run_later` armed for the earliest
//! instant hands every deadline that has passed to [`DeadlineOwner::deadline_passed`], then
//! arms itself again for the next.
//!
//! An actix `Context` polls every future spawned on it each time the actor wakes, so a timer
//! per item makes every message cost as much as the items waiting: with 20,000 waiting legs
//! the Matchmaker spent most of its time polling their timers. Here the cost of a deadline is
//! O(log n) when added and when it passes, and nothing in between.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use actix::{Actor, AsyncContext, Context, SpawnHandle};

use crate::kernel::clock::{self, Instant};

/// The deadlines of one actor, earliest first, and the one timer armed for the earliest.
pub struct Deadlines<K> {
    /// Pending deadlines (a min-heap through [`Pending`]'s order).
    pending: BinaryHeap<Pending<K>>,
    /// Counts deadlines added, so that equal instants keep the order they were added in.
    added: u64,
    /// The instant the timer is armed for, and its handle.
    armed: Option<(Instant, SpawnHandle)>,
}

impl<K> Default for Deadlines<K> {
    fn default() -> Self {
        Deadlines {
            pending: BinaryHeap::new(),
            added: 0,
            armed: None,
        }
    }
}

impl<K> Deadlines<K> {
    /// Adds `key`, due at `at`.
    fn push(&mut self, at: Instant, key: K) {
        self.added += 1;
        let order = self.added;
        self.pending.push(Pending { at, order, key });
    }

    /// The earliest pending instant.
    fn earliest(&self) -> Option<Instant> {
        self.pending.peek().map(|pending| pending.at)
    }

    /// Takes the earliest deadline if it is due at `now`.
    fn pop_due(&mut self, now: Instant) -> Option<K> {
        if self.earliest()? > now {
            return None;
        }
        self.pending.pop().map(|pending| pending.key)
    }
}

/// An actor that keeps [`Deadlines`].
pub trait DeadlineOwner: Actor<Context = Context<Self>> {
    /// What a deadline is about.
    type Key;

    /// The actor's deadlines.
    fn deadlines(&mut self) -> &mut Deadlines<Self::Key>;

    /// `key`'s instant has passed: act on it.
    fn deadline_passed(&mut self, key: Self::Key, ctx: &mut Context<Self>);
}

/// Adds `key`, due at `at`, to `actor`'s deadlines, and makes sure the timer fires by then.
pub fn schedule<A: DeadlineOwner>(actor: &mut A, at: Instant, key: A::Key, ctx: &mut Context<A>) {
    actor.deadlines().push(at, key);
    arm(actor, ctx);
}

/// Arms the timer for the earliest deadline, unless it is armed for that instant or sooner.
fn arm<A: DeadlineOwner>(actor: &mut A, ctx: &mut Context<A>) {
    let deadlines = actor.deadlines();
    let Some(next) = deadlines.earliest() else {
        return;
    };
    if let Some((armed_at, handle)) = deadlines.armed {
        if armed_at <= next {
            return;
        }
        ctx.cancel_future(handle);
    }
    let wait = next.saturating_duration_since(clock::now());
    let handle = ctx.run_later(wait, |actor: &mut A, ctx| {
        actor.deadlines().armed = None;
        fire(actor, ctx);
    });
    actor.deadlines().armed = Some((next, handle));
}

/// Hands every deadline that has passed to the actor, earliest first, then arms the timer for
/// the next (which may also be one the actor added meanwhile).
fn fire<A: DeadlineOwner>(actor: &mut A, ctx: &mut Context<A>) {
    let now = clock::now();
    while let Some(key) = actor.deadlines().pop_due(now) {
        actor.deadline_passed(key, ctx);
    }
    arm(actor, ctx);
}

/// A pending deadline, ordered so that the heap's top is the earliest (then the first added).
struct Pending<K> {
    /// When it is due.
    at: Instant,
    /// Its place among deadlines added for the same instant.
    order: u64,
    /// What it is about.
    key: K,
}

impl<K> PartialEq for Pending<K> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<K> Eq for Pending<K> {}

impl<K> PartialOrd for Pending<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for Pending<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn deadlines_come_out_earliest_first_and_in_order_added_when_equal() {
        let mut deadlines = Deadlines::default();
        let start = clock::now();
        let at = |ms| start + Duration::from_millis(ms);
        for (ms, key) in [(30, "c"), (10, "a"), (20, "b1"), (20, "b2"), (40, "d")] {
            deadlines.push(at(ms), key);
        }
        assert_eq!(deadlines.pop_due(at(5)), None, "nothing is due early");
        let mut due = Vec::new();
        while let Some(key) = deadlines.pop_due(at(30)) {
            due.push(key);
        }
        assert_eq!(due, ["a", "b1", "b2", "c"]);
        assert_eq!(deadlines.pending.len(), 1);
        assert_eq!(deadlines.earliest(), Some(at(40)));
    }
}
