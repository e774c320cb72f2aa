//! ConnectionRegistry: admission under the limit, idempotent deregistration, close-all.

use std::sync::Arc;

use actix::prelude::*;

use super::collector::{collector, drain};
use crate::kernel::close::CloseCode;
use crate::kernel::metrics::ConnectionMetrics;
use crate::registry::{AdmissionRefused, CloseAll, ConnectionRegistry, Deregister, Register};

#[actix_rt::test]
async fn admits_up_to_the_limit_and_frees_slots_on_deregister() {
    let metrics = Arc::new(ConnectionMetrics::default());
    let registry = ConnectionRegistry::new(2, metrics.clone()).start();
    let (_, first) = collector::<()>();
    let (_, second) = collector::<()>();
    let (_, third) = collector::<()>();
    let register = |conn: &crate::kernel::handle::ConnHandle<()>| {
        registry.send(Register {
            conn: conn.control(),
        })
    };
    assert_eq!(register(&first).await.unwrap(), Ok(()));
    assert_eq!(register(&second).await.unwrap(), Ok(()));
    assert_eq!(
        register(&third).await.unwrap(),
        Err(AdmissionRefused { limit: 2 })
    );
    assert_eq!(metrics.connections_open.get(), 2);
    assert_eq!(metrics.connections_refused.get(), 1);

    for _ in 0..2 {
        registry
            .send(Deregister {
                conn_id: first.id(),
            })
            .await
            .unwrap();
    }
    assert_eq!(metrics.connections_open.get(), 1);
    assert_eq!(register(&third).await.unwrap(), Ok(()));
    assert_eq!(metrics.connections_total.get(), 3);
}

#[actix_rt::test]
async fn close_all_tells_every_connection_once() {
    let registry = ConnectionRegistry::new(10, Arc::new(ConnectionMetrics::default())).start();
    let mut collectors = Vec::new();
    for _ in 0..3 {
        let (addr, conn) = collector::<()>();
        let conn = conn.control();
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
        let recorded = addr.send(drain()).await.unwrap();
        let (events, closes) = (recorded.events, recorded.closes);
        assert!(events.is_empty());
        assert_eq!(closes.len(), 1);
        assert_eq!(closes[0].code, CloseCode::GoingAway);
        assert_eq!(closes[0].reason, "bye");
    }
}
