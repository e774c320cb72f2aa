//! Matchmaker and Call: FIFO pairing in both orders, queue positions, no ghost matches,
//! refusals, relay with the hub-assigned speaker, and how calls end.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::collector::{Collector, Stall, collector, drain, events, slow_collector};
use super::eventually::eventually;
use crate::calls::call_config::CallConfig;
use crate::calls::call_events::CallEvent;
use crate::calls::call_link::{CallLink, EndCall, LeaveLeg, RelayTranscript};
use crate::calls::call_metrics::CallMetrics;
use crate::calls::call_requests::{
    AttachLeg, CallStarted, CallView, ListCalls, LookupCall, Placement, StartCall,
};
use crate::calls::ending::{EndOrigin, EndReason};
use crate::calls::matchmaker::Matchmaker;
use crate::kernel::close::CloseCode;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::CallId;
use crate::kernel::role::Role;
use crate::store::database::{IN_MEMORY, Store};

/// Call settings for tests: a short update interval and a small backlog.
fn config(connect_timeout: Duration, queue_limit: usize) -> CallConfig {
    CallConfig {
        connect_timeout,
        transcript_backlog: 4,
        queue_update_interval: Duration::from_millis(5),
        queue_limit,
    }
}

fn matchmaker_with(connect_timeout: Duration) -> Addr<Matchmaker> {
    let config = config(connect_timeout, 1000);
    Matchmaker::new(config, Arc::new(CallMetrics::default()), memory_store()).start()
}

fn memory_store() -> Addr<Store> {
    Store::open(IN_MEMORY)
        .expect("an in-memory store opens")
        .start()
}

/// Waits until the Matchmaker's view of `call_id` satisfies `wanted`.
async fn until_view(
    mm: &Addr<Matchmaker>,
    call_id: &CallId,
    what: &str,
    wanted: impl Fn(&Option<CallView>) -> bool,
) {
    eventually(what, || {
        let view = mm.send(LookupCall {
            call_id: call_id.clone(),
        });
        let wanted = &wanted;
        async move { wanted(&view.await.expect("matchmaker alive")).then_some(()) }
    })
    .await;
}

fn matchmaker() -> Addr<Matchmaker> {
    matchmaker_with(Duration::from_secs(60))
}

async fn start(mm: &Addr<Matchmaker>, role: Role, name: &str) -> CallStarted {
    mm.send(StartCall {
        role,
        name: name.into(),
    })
    .await
    .expect("matchmaker alive")
    .expect("room in the queue")
}

async fn attach(mm: &Addr<Matchmaker>, call_id: &CallId, conn: ConnHandle<CallEvent>) {
    let call_id = call_id.clone();
    mm.send(AttachLeg { call_id, conn })
        .await
        .expect("matchmaker alive");
}

fn position(event: &CallEvent) -> usize {
    match event {
        CallEvent::QueuePosition { position, .. } => *position,
        other => panic!("expected a queue position, got {other:?}"),
    }
}

/// A matched call whose two legs both have a (collector) socket, each past its first events.
struct ConnectedCall {
    /// The customer's leg.
    customer: CallStarted,
    /// The customer's socket.
    customer_rx: Addr<Collector<CallEvent>>,
    /// The agent's leg.
    agent: CallStarted,
    /// The agent's socket.
    agent_rx: Addr<Collector<CallEvent>>,
    /// How actors reach the agent's socket.
    agent_conn: ConnHandle<CallEvent>,
    /// How a leg's socket reaches the call.
    call: CallLink,
}

/// Starts a customer and an agent, connects both, and checks they were paired together.
async fn connected_call(mm: &Addr<Matchmaker>) -> ConnectedCall {
    let customer = start(mm, Role::Customer, "Ann").await;
    let (customer_rx, customer_conn) = collector();
    attach(mm, &customer.call_id, customer_conn).await;
    events(&customer_rx, 1).await;
    let agent = start(mm, Role::Agent, "Bob").await;
    let matched = events(&customer_rx, 1).await;
    let (call, partner) = call_of(&matched[0]);
    assert_eq!(partner, agent.call_id);
    let (agent_rx, agent_conn) = collector();
    attach(mm, &agent.call_id, agent_conn.clone()).await;
    events(&agent_rx, 1).await;
    ConnectedCall {
        customer,
        customer_rx,
        agent,
        agent_rx,
        agent_conn,
        call,
    }
}

fn call_of(event: &CallEvent) -> (CallLink, CallId) {
    match event {
        CallEvent::CallMatched {
            call,
            partner_call_id,
            ..
        } => (call.clone(), partner_call_id.clone()),
        other => panic!("expected call_matched, got {other:?}"),
    }
}

#[actix_rt::test]
async fn pairs_fifo_whoever_arrives_first() {
    let mm = matchmaker();
    let c1 = start(&mm, Role::Customer, "c1").await;
    let c2 = start(&mm, Role::Customer, "c2").await;
    assert!(matches!(c1.placement, Placement::Waiting { position: 1 }));
    assert!(matches!(c2.placement, Placement::Waiting { position: 2 }));

    let a1 = start(&mm, Role::Agent, "a1").await;
    match a1.placement {
        Placement::Matched {
            partner_call_id,
            partner_name,
        } => {
            assert_eq!(partner_call_id, c1.call_id);
            assert_eq!(&*partner_name, "c1");
        }
        other => panic!("agent should match at once, got {other:?}"),
    }
    let view = mm
        .send(LookupCall {
            call_id: c2.call_id.clone(),
        })
        .await
        .unwrap();
    assert!(matches!(view, Some(CallView::Waiting { position: 1, .. })));

    let a2 = start(&mm, Role::Agent, "a2").await;
    assert!(
        matches!(a2.placement, Placement::Matched { ref partner_call_id, .. } if *partner_call_id == c2.call_id)
    );
    let a3 = start(&mm, Role::Agent, "a3").await;
    assert!(matches!(a3.placement, Placement::Waiting { position: 1 }));
    let c3 = start(&mm, Role::Customer, "c3").await;
    assert!(
        matches!(c3.placement, Placement::Matched { ref partner_call_id, .. } if *partner_call_id == a3.call_id)
    );

    let snapshot = mm.send(ListCalls).await.unwrap();
    assert_eq!(snapshot.active_calls.len(), 3);
    assert!(snapshot.waiting_customers.is_empty());
    assert!(snapshot.available_agents.is_empty());
}

#[actix_rt::test]
async fn a_waiter_that_leaves_is_never_matched_and_those_behind_move_up() {
    let mm = matchmaker();
    let first = start(&mm, Role::Customer, "first").await;
    let second = start(&mm, Role::Customer, "second").await;
    let (first_rx, first_conn) = collector();
    let (second_rx, second_conn) = collector();
    attach(&mm, &first.call_id, first_conn.clone()).await;
    attach(&mm, &second.call_id, second_conn).await;
    assert_eq!(position(&events(&first_rx, 1).await[0]), 1);
    assert_eq!(position(&events(&second_rx, 1).await[0]), 2);

    mm.send(LeaveLeg {
        call_id: first.call_id.clone(),
        conn_id: first_conn.id(),
        shutdown: false,
    })
    .await
    .unwrap();
    assert_eq!(position(&events(&second_rx, 1).await[0]), 1);
    let view = mm
        .send(LookupCall {
            call_id: first.call_id,
        })
        .await
        .unwrap();
    assert!(matches!(
        view,
        Some(CallView::Ended {
            reason: EndReason::Disconnected(Role::Customer),
            ..
        })
    ));

    let agent = start(&mm, Role::Agent, "agent").await;
    assert!(
        matches!(agent.placement, Placement::Matched { ref partner_call_id, .. } if *partner_call_id == second.call_id)
    );
}

#[actix_rt::test]
async fn a_stale_socket_leaving_does_not_remove_the_leg() {
    let mm = matchmaker();
    let leg = start(&mm, Role::Agent, "a").await;
    let (rx, conn) = collector();
    attach(&mm, &leg.call_id, conn).await;
    events(&rx, 1).await;
    let (_, stranger) = collector::<CallEvent>();
    mm.send(LeaveLeg {
        call_id: leg.call_id.clone(),
        conn_id: stranger.id(),
        shutdown: false,
    })
    .await
    .unwrap();
    assert!(
        mm.send(LookupCall {
            call_id: leg.call_id
        })
        .await
        .unwrap()
        .is_some()
    );
}

#[actix_rt::test]
async fn unknown_and_duplicate_sockets_are_refused() {
    let mm = matchmaker();
    let (rx, conn) = collector();
    attach(&mm, &CallId::generate(), conn).await;
    match &events(&rx, 1).await[0] {
        CallEvent::Refused { error, close, .. } => {
            assert_eq!(*error, "unknown_call");
            assert_eq!(*close, CloseCode::UnknownCall);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    let leg = start(&mm, Role::Customer, "c").await;
    let (first_rx, first) = collector();
    let (second_rx, second) = collector();
    attach(&mm, &leg.call_id, first).await;
    attach(&mm, &leg.call_id, second).await;
    events(&first_rx, 1).await;
    assert!(matches!(
        &events(&second_rx, 1).await[0],
        CallEvent::Refused {
            close: CloseCode::AlreadyConnected,
            ..
        }
    ));
}

#[actix_rt::test]
async fn a_call_relays_with_the_senders_role_and_ends_on_disconnect() {
    let mm = matchmaker();
    let ConnectedCall {
        customer,
        customer_rx,
        agent,
        agent_rx,
        agent_conn,
        call,
    } = connected_call(&mm).await;

    call.relay
        .send(RelayTranscript {
            call_id: customer.call_id.clone(),
            text: "hello".into(),
        })
        .await
        .unwrap();
    match &events(&agent_rx, 1).await[0] {
        CallEvent::Transcript {
            speaker, text, seq, ..
        } => {
            assert_eq!(*speaker, Role::Customer);
            assert_eq!(&**text, "hello");
            assert_eq!(*seq, 1);
        }
        other => panic!("expected a transcript, got {other:?}"),
    }

    mm.send(LeaveLeg {
        call_id: agent.call_id.clone(),
        conn_id: agent_conn.id(),
        shutdown: false,
    })
    .await
    .unwrap();
    match &events(&customer_rx, 1).await[0] {
        CallEvent::CallEnded { call_id, reason } => {
            assert_eq!(*call_id, customer.call_id);
            assert_eq!(*reason, EndReason::Disconnected(Role::Agent));
        }
        other => panic!("expected call_ended, got {other:?}"),
    }
    until_view(
        &mm,
        &customer.call_id,
        "the call recorded as ended",
        |view| {
            matches!(
                view,
                Some(CallView::Ended {
                    reason: EndReason::Disconnected(Role::Agent),
                    ..
                })
            )
        },
    )
    .await;
}

#[actix_rt::test]
async fn hanging_up_a_waiting_leg_withdraws_it_once_and_only_from_its_own_socket() {
    let mm = matchmaker();
    let leg = start(&mm, Role::Agent, "a").await;
    let (rx, conn) = collector();
    let conn_id = conn.id();
    attach(&mm, &leg.call_id, conn).await;
    events(&rx, 1).await;
    let (_, stranger) = collector::<CallEvent>();
    let hang_up = |conn_id| EndCall {
        call_id: leg.call_id.clone(),
        origin: EndOrigin::Hangup(conn_id),
    };
    assert_eq!(mm.send(hang_up(stranger.id())).await.unwrap(), Ok(()));
    assert!(matches!(
        mm.send(LookupCall {
            call_id: leg.call_id.clone()
        })
        .await
        .unwrap(),
        Some(CallView::Waiting { .. })
    ));
    assert_eq!(mm.send(hang_up(conn_id)).await.unwrap(), Ok(()));
    assert!(matches!(
        &events(&rx, 1).await[0],
        CallEvent::CallEnded {
            reason: EndReason::HungUp(Role::Agent),
            ..
        }
    ));
    let again = EndCall {
        call_id: leg.call_id.clone(),
        origin: EndOrigin::Api,
    };
    assert_eq!(
        mm.send(again).await.unwrap(),
        Ok(()),
        "ending twice is harmless"
    );
    assert!(matches!(
        mm.send(LookupCall {
            call_id: leg.call_id
        })
        .await
        .unwrap(),
        Some(CallView::Ended {
            reason: EndReason::HungUp(Role::Agent),
            ..
        })
    ));
    let unknown = EndCall {
        call_id: CallId::generate(),
        origin: EndOrigin::Api,
    };
    assert!(mm.send(unknown).await.unwrap().is_err());
}

#[actix_rt::test]
async fn a_socket_opened_as_the_call_ends_is_told_it_ended() {
    let mm = matchmaker();
    let customer = start(&mm, Role::Customer, "c").await;
    let agent = start(&mm, Role::Agent, "a").await;
    let (racing_rx, racing) = collector();
    mm.do_send(EndCall {
        call_id: customer.call_id.clone(),
        origin: EndOrigin::Api,
    });
    mm.do_send(AttachLeg {
        call_id: agent.call_id.clone(),
        conn: racing,
    });
    match &events(&racing_rx, 1).await[0] {
        CallEvent::CallEnded { reason, .. } => assert_eq!(*reason, EndReason::EndedViaApi),
        other => panic!("expected call_ended, got {other:?}"),
    }

    let (late_rx, late) = collector();
    attach(&mm, &customer.call_id, late).await;
    match &events(&late_rx, 1).await[0] {
        CallEvent::CallEnded { reason, .. } => assert_eq!(*reason, EndReason::EndedViaApi),
        other => panic!("a late socket should hear call_ended, got {other:?}"),
    }
}

#[actix_rt::test]
async fn a_full_queue_refuses_new_legs_but_still_matches() {
    let config = config(Duration::from_secs(60), 2);
    let mm = Matchmaker::new(config, Arc::new(CallMetrics::default()), memory_store()).start();
    start(&mm, Role::Customer, "c1").await;
    start(&mm, Role::Customer, "c2").await;
    let refused = mm
        .send(StartCall {
            role: Role::Customer,
            name: "c3".into(),
        })
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err().limit, 2);
    let agent = start(&mm, Role::Agent, "a").await;
    assert!(matches!(agent.placement, Placement::Matched { .. }));
}

#[actix_rt::test]
async fn heavy_queue_churn_sends_each_waiter_few_updates() {
    let mm = matchmaker();
    for n in 0..300 {
        start(&mm, Role::Customer, &format!("ahead-{n}")).await;
    }
    let me = start(&mm, Role::Customer, "me").await;
    let (rx, conn) = collector();
    attach(&mm, &me.call_id, conn).await;
    assert_eq!(position(&events(&rx, 1).await[0]), 301);
    for n in 0..300 {
        mm.do_send(StartCall {
            role: Role::Agent,
            name: format!("agent-{n}"),
        });
    }
    let updates = std::cell::RefCell::new(Vec::new());
    eventually("the waiter told it reached the head", || {
        let drained = rx.send(drain());
        let updates = &updates;
        async move {
            let recorded = drained.await.expect("collector alive");
            assert!(
                recorded.closes.is_empty(),
                "a reading waiter was disconnected"
            );
            let mut updates = updates.borrow_mut();
            updates.extend(recorded.events);
            (updates.last().map(position) == Some(1)).then_some(())
        }
    })
    .await;
    let updates = updates.into_inner();
    assert!(
        updates.len() < 50,
        "{} updates for 300 departures",
        updates.len()
    );
}

#[actix_rt::test]
async fn legs_without_a_socket_expire() {
    let mm = matchmaker_with(Duration::from_millis(30));
    let silent = start(&mm, Role::Customer, "silent").await;
    until_view(
        &mm,
        &silent.call_id,
        "the silent leg to expire",
        Option::is_none,
    )
    .await;
    let agent = start(&mm, Role::Agent, "a").await;
    assert!(matches!(
        agent.placement,
        Placement::Waiting { position: 1 }
    ));
}

#[actix_rt::test]
async fn a_partner_that_stops_reading_is_disconnected_and_the_call_ends() {
    let mm = matchmaker();
    let customer = start(&mm, Role::Customer, "talker").await;
    let (customer_rx, customer_conn) = collector();
    attach(&mm, &customer.call_id, customer_conn).await;
    events(&customer_rx, 1).await;
    let agent = start(&mm, Role::Agent, "stalled").await;
    let (call, _) = call_of(&events(&customer_rx, 1).await[0]);

    let arbiter = Arbiter::new();
    let (slow_rx, slow_conn) = slow_collector(&arbiter, 4);
    attach(&mm, &agent.call_id, slow_conn).await;
    events(&slow_rx, 1).await;
    slow_rx.do_send(Stall {
        period: Duration::from_millis(300),
    });
    for line in 0..20 {
        let relay = RelayTranscript {
            call_id: customer.call_id.clone(),
            text: format!("line {line}"),
        };
        call.relay.send(relay).await.expect("an ended call lingers");
    }
    match &events(&customer_rx, 1).await[0] {
        CallEvent::CallEnded { reason, .. } => {
            assert_eq!(*reason, EndReason::Disconnected(Role::Agent))
        }
        other => panic!("expected call_ended, got {other:?}"),
    }
    let recorded = eventually("the slow socket told to close", || {
        let drained = slow_rx.send(drain());
        async move {
            let recorded = drained.await.expect("collector alive");
            (!recorded.closes.is_empty()).then_some(recorded)
        }
    })
    .await;
    let (received, closes) = (recorded.events, recorded.closes);
    assert_eq!(closes.len(), 1, "told to close once: {closes:?}");
    assert_eq!(closes[0].code, CloseCode::SlowConsumer);
    assert!(
        received.len() <= 5,
        "its queue was bounded by its capacity of 4 (plus the one that filled it): {} events",
        received.len()
    );
    arbiter.stop();
}

#[actix_rt::test]
async fn a_leg_closed_by_shutdown_ends_the_call_without_telling_the_partner() {
    let mm = matchmaker();
    let ConnectedCall {
        customer,
        customer_rx,
        agent,
        agent_conn,
        ..
    } = connected_call(&mm).await;

    mm.send(LeaveLeg {
        call_id: agent.call_id.clone(),
        conn_id: agent_conn.id(),
        shutdown: true,
    })
    .await
    .expect("matchmaker alive");
    until_view(
        &mm,
        &customer.call_id,
        "the call recorded as ended by the shutdown",
        |view| {
            matches!(
                view,
                Some(CallView::Ended {
                    reason: EndReason::ServerShutdown,
                    ..
                })
            )
        },
    )
    .await;
    let pushed = customer_rx
        .send(drain())
        .await
        .expect("collector alive")
        .events;
    assert!(
        pushed.is_empty(),
        "the partner's socket is closed with 1001 by the hub; nothing else is pushed: {pushed:?}"
    );
}
