//! A FIFO queue that also answers "what place is this entry in?" in O(log n). Receives and sends
//! nothing: a plain data structure owned by the Matchmaker, so that thousands of waiting legs
//! cost no scans when one of them attaches, leaves or asks for its place.
//!
//! Every entry gets an increasing ticket. Entries live in a `BTreeMap` by ticket (queue order);
//! a Fenwick tree over tickets counts the live entries before any ticket. Tickets far behind the
//! head are compacted away from time to time, so memory follows the queue's length.

use std::collections::BTreeMap;

/// Identifies one entry for as long as it is queued.
pub type Ticket = u64;

/// Prefix counts over ticket offsets (1-based Fenwick tree).
#[derive(Debug, Default)]
struct Fenwick {
    /// `tree[i]` sums the range `(i - lowbit(i), i]`; index 0 is unused.
    tree: Vec<i64>,
}

impl Fenwick {
    fn lowbit(i: usize) -> usize {
        i & i.wrapping_neg()
    }

    /// Sum of positions `1..=i`.
    fn prefix(&self, mut i: usize) -> i64 {
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= Self::lowbit(i);
        }
        sum
    }

    /// Adds `delta` at position `i`.
    fn add(&mut self, mut i: usize, delta: i64) {
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += Self::lowbit(i);
        }
    }

    /// Appends position `len + 1` holding `value`.
    fn push(&mut self, value: i64) {
        if self.tree.is_empty() {
            self.tree.push(0);
        }
        let i = self.tree.len();
        let covered = self.prefix(i - 1) - self.prefix(i - Self::lowbit(i));
        self.tree.push(covered + value);
    }
}

/// The queue.
#[derive(Debug)]
pub struct RankedQueue<T> {
    /// Live entries in queue order.
    entries: BTreeMap<Ticket, T>,
    /// Live-entry counts by `ticket - base + 1`.
    live: Fenwick,
    /// The ticket at Fenwick position 1.
    base: Ticket,
    /// The next ticket to hand out.
    next: Ticket,
}

impl<T> Default for RankedQueue<T> {
    fn default() -> Self {
        RankedQueue {
            entries: BTreeMap::new(),
            live: Fenwick::default(),
            base: 0,
            next: 0,
        }
    }
}

impl<T> RankedQueue<T> {
    /// Entries queued.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Appends `item`; returns its ticket.
    pub fn push_back(&mut self, item: T) -> Ticket {
        let ticket = self.next;
        self.next += 1;
        self.live.push(1);
        self.entries.insert(ticket, item);
        ticket
    }

    /// Takes the head.
    pub fn pop_front(&mut self) -> Option<(Ticket, T)> {
        let (ticket, item) = self.entries.pop_first()?;
        self.forget(ticket);
        Some((ticket, item))
    }

    /// Takes the entry with `ticket`, wherever it stands.
    pub fn remove(&mut self, ticket: Ticket) -> Option<T> {
        let item = self.entries.remove(&ticket)?;
        self.forget(ticket);
        Some(item)
    }

    /// The entry with `ticket`.
    pub fn get(&self, ticket: Ticket) -> Option<&T> {
        self.entries.get(&ticket)
    }

    /// The entry with `ticket`, mutably.
    pub fn get_mut(&mut self, ticket: Ticket) -> Option<&mut T> {
        self.entries.get_mut(&ticket)
    }

    /// The entry's place, 1 being the head.
    pub fn position(&self, ticket: Ticket) -> Option<usize> {
        if !self.entries.contains_key(&ticket) {
            return None;
        }
        let offset = (ticket - self.base) as usize + 1;
        Some(self.live.prefix(offset) as usize)
    }

    /// Entries in queue order, with their places.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.entries
            .values()
            .enumerate()
            .map(|(i, item)| (i + 1, item))
    }

    /// Entries in queue order, with their places, mutably.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (usize, &mut T)> {
        self.entries
            .values_mut()
            .enumerate()
            .map(|(i, item)| (i + 1, item))
    }

    fn forget(&mut self, ticket: Ticket) {
        self.live.add((ticket - self.base) as usize + 1, -1);
        let span = (self.next - self.base) as usize;
        if span > 2 * self.entries.len() + 64 {
            self.compact();
        }
    }

    /// Rebuilds the counts from the first live ticket on.
    fn compact(&mut self) {
        self.base = self.entries.keys().next().copied().unwrap_or(self.next);
        self.live = Fenwick::default();
        for ticket in self.base..self.next {
            self.live
                .push(i64::from(self.entries.contains_key(&ticket)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RankedQueue;

    /// Checks every live entry's place against a plain scan.
    fn assert_positions(queue: &RankedQueue<u64>, tickets: &[u64]) {
        let order: Vec<u64> = queue.iter().map(|(_, &t)| t).collect();
        assert_eq!(order.len(), queue.len());
        for &ticket in tickets {
            let scanned = order.iter().position(|&t| t == ticket).map(|i| i + 1);
            assert_eq!(queue.position(ticket), scanned, "ticket {ticket}");
        }
    }

    #[test]
    fn places_follow_pushes_pops_and_removals() {
        let mut queue = RankedQueue::default();
        let tickets: Vec<u64> = (0..500).map(|n| queue.push_back(n)).collect();
        assert_eq!(tickets, (0..500).collect::<Vec<_>>());
        assert_positions(&queue, &tickets);
        for ticket in (0..500).step_by(3) {
            assert_eq!(queue.remove(ticket), Some(ticket));
        }
        assert_eq!(queue.remove(0), None);
        assert_positions(&queue, &tickets);
        for _ in 0..100 {
            queue.pop_front();
        }
        let more: Vec<u64> = (500..700).map(|n| queue.push_back(n)).collect();
        assert_positions(&queue, &tickets);
        assert_positions(&queue, &more);
        while queue.pop_front().is_some() {}
        assert_eq!(queue.len(), 0);
        let last = queue.push_back(7);
        assert_eq!(queue.position(last), Some(1));
    }

    #[test]
    fn memory_follows_the_length_not_the_history() {
        let mut queue = RankedQueue::default();
        for n in 0..100_000 {
            let ticket = queue.push_back(n);
            if n % 2 == 0 {
                queue.remove(ticket);
            } else {
                queue.pop_front();
            }
        }
        assert_eq!(queue.len(), 0);
        assert!(queue.live.tree.len() < 1_000, "{}", queue.live.tree.len());
    }
}
