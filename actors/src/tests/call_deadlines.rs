//! The Matchmaker's deadlines at scale, on paused time: 100,000 legs that never open their
//! socket, issued in batches 20 ms apart, each leave the queue when their connect timeout
//! passes and not before (checked 10 ms before and 10 ms after every batch's deadline), are
//! told apart as `connect_timeout`, and are forgotten one connect timeout later.
//!
//! The Matchmaker runs on the test's thread, so the paused clock moves only when it is idle:
//! a sleep to an instant lets every deadline up to it be handled first.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use futures_util::future::join_all;

use crate::calls::call_config::CallConfig;
use crate::calls::call_metrics::CallMetrics;
use crate::calls::call_requests::{CallStarted, CallView, LookupCall, StartCall};
use crate::calls::ending::EndReason;
use crate::calls::matchmaker::Matchmaker;
use crate::kernel::clock::{self, Instant};
use crate::kernel::ids::CallId;
use crate::kernel::role::Role;
use crate::store::database::{IN_MEMORY, Store};

/// Legs issued in all.
const LEGS: usize = 100_000;

/// Legs issued at one instant.
const BATCH: usize = 1_000;

/// Between two batches.
const BATCH_GAP: Duration = Duration::from_millis(20);

/// How long an issued leg has to open its socket.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// "Just before" and "right after" a deadline.
const JUST: Duration = Duration::from_millis(10);

/// Issues one batch of customer legs at the current instant; answers their ids.
async fn issue_batch(matchmaker: &Addr<Matchmaker>) -> Vec<CallId> {
    let starts = (0..BATCH).map(|_| {
        matchmaker.send(StartCall {
            role: Role::Customer,
            name: "waiting".into(),
        })
    });
    join_all(starts)
        .await
        .into_iter()
        .map(|started| {
            let started: CallStarted = started
                .expect("matchmaker alive")
                .expect("room in the queue");
            started.call_id
        })
        .collect()
}

/// Where `call_id` stands.
async fn view(matchmaker: &Addr<Matchmaker>, call_id: &CallId) -> Option<CallView> {
    let lookup = LookupCall {
        call_id: call_id.clone(),
    };
    matchmaker.send(lookup).await.expect("matchmaker alive")
}

#[actix_rt::test]
async fn a_hundred_thousand_waiting_legs_expire_at_their_deadlines_and_none_early() {
    tokio::time::pause();
    let metrics = Arc::new(CallMetrics::default());
    let config = CallConfig {
        connect_timeout: CONNECT_TIMEOUT,
        transcript_backlog: 4,
        queue_update_interval: Duration::from_millis(5),
        queue_limit: LEGS,
    };
    let store = Store::open(IN_MEMORY).expect("an in-memory store").start();
    let matchmaker = Matchmaker::new(config, metrics.clone(), store).start();
    let first: Instant = clock::now();
    let mut batches = Vec::new();
    for index in 0..LEGS / BATCH {
        tokio::time::sleep_until(first + BATCH_GAP * index as u32).await;
        batches.push(issue_batch(&matchmaker).await);
    }
    assert_eq!(metrics.waiting_customers.get(), LEGS as u64);
    for (index, batch) in batches.iter().enumerate() {
        let deadline = first + BATCH_GAP * index as u32 + CONNECT_TIMEOUT;
        let left_before = (LEGS - index * BATCH) as u64;
        tokio::time::sleep_until(deadline - JUST).await;
        assert_eq!(
            metrics.waiting_customers.get(),
            left_before,
            "batch {index}: nobody leaves before its deadline"
        );
        let waiting = view(&matchmaker, &batch[0]).await;
        assert!(
            matches!(waiting, Some(CallView::Waiting { .. })),
            "batch {index}: {waiting:?}"
        );
        tokio::time::sleep_until(deadline + JUST).await;
        assert_eq!(
            metrics.waiting_customers.get(),
            left_before - BATCH as u64,
            "batch {index}: the whole batch leaves at its deadline"
        );
        for call_id in [&batch[0], &batch[BATCH - 1]] {
            let ended = view(&matchmaker, call_id).await;
            assert!(
                matches!(
                    ended,
                    Some(CallView::Ended {
                        reason: EndReason::ConnectTimeout,
                        ..
                    })
                ),
                "batch {index}: {ended:?}"
            );
        }
    }
    let forgotten_at = first + BATCH_GAP * (LEGS / BATCH) as u32 + CONNECT_TIMEOUT * 2;
    tokio::time::sleep_until(forgotten_at + JUST).await;
    for batch in [&batches[0], &batches[batches.len() - 1]] {
        let gone = view(&matchmaker, &batch[0]).await;
        assert!(gone.is_none(), "an ended leg is forgotten: {gone:?}");
    }
}
