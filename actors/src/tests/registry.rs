//! SessionRegistry: admission under the limit, idempotent deregistration, close-all.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use actix::prelude::*;

use super::collector::{Drain, collector};
use crate::close::CloseCode;
use crate::monitor::Metrics;
use crate::registry::{AdmissionRefused, CloseAll, Deregister, Register, SessionRegistry};

#[actix_rt::test]
async fn admits_up_to_the_limit_and_frees_slots_on_deregister() {
    let metrics = Arc::new(Metrics::default());
    let registry = SessionRegistry::new(2, metrics.clone()).start();
    let (_, first) = collector();
    let (_, second) = collector();
    let (_, third) = collector();
    let register = |conn| registry.send(Register { conn });
    assert_eq!(register(first.clone()).await.unwrap(), Ok(()));
    assert_eq!(register(second).await.unwrap(), Ok(()));
    assert_eq!(
        register(third.clone()).await.unwrap(),
        Err(AdmissionRefused { limit: 2 })
    );
    assert_eq!(metrics.connections_open.load(Ordering::Relaxed), 2);
    assert_eq!(metrics.connections_refused.load(Ordering::Relaxed), 1);

    for _ in 0..2 {
        registry
            .send(Deregister { conn_id: first.id })
            .await
            .unwrap();
    }
    assert_eq!(metrics.connections_open.load(Ordering::Relaxed), 1);
    assert_eq!(register(third).await.unwrap(), Ok(()));
    assert_eq!(metrics.connections_total.load(Ordering::Relaxed), 3);
}

#[actix_rt::test]
async fn close_all_tells_every_connection_once() {
    let registry = SessionRegistry::new(10, Arc::new(Metrics::default())).start();
    let mut collectors = Vec::new();
    for _ in 0..3 {
        let (addr, conn) = collector();
        registry.send(Register { conn }).await.unwrap().unwrap();
        collectors.push(addr);
    }
    let told = registry
        .send(CloseAll {
            code: CloseCode::GoingAway,
            reason: "bye".into(),
        })
        .await
        .unwrap();
    assert_eq!(told, 3);
    for addr in collectors {
        let (events, closes) = addr.send(Drain).await.unwrap();
        assert!(events.is_empty());
        assert_eq!(closes.len(), 1);
        assert_eq!(closes[0].code, CloseCode::GoingAway);
        assert_eq!(closes[0].reason, "bye");
    }
}
