//! Test support: a [`Collector`] actor that stands in for a socket. Receives [`Deliver`] and
//! [`Disconnect`] like a connection would and keeps them; tests read them back with [`Drain`].

use std::time::{Duration, Instant};

use actix::prelude::*;

use crate::conn::{ConnHandle, Deliver, Disconnect};
use crate::event::Event;
use crate::ids::ConnId;

/// A fake connection that records what it is sent.
#[derive(Default)]
pub struct Collector {
    /// Events received, oldest first, not yet drained.
    events: Vec<Event>,
    /// Close requests received, not yet drained.
    closes: Vec<Disconnect>,
}

/// Hands back (and forgets) everything recorded so far.
#[derive(Message)]
#[rtype(result = "(Vec<Event>, Vec<Disconnect>)")]
pub struct Drain;

impl Actor for Collector {
    type Context = Context<Self>;
}

impl Handler<Deliver> for Collector {
    type Result = ();

    fn handle(&mut self, msg: Deliver, _: &mut Context<Self>) {
        self.events.push(msg.event);
    }
}

impl Handler<Disconnect> for Collector {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, _: &mut Context<Self>) {
        self.closes.push(msg);
    }
}

impl Handler<Drain> for Collector {
    type Result = MessageResult<Drain>;

    fn handle(&mut self, _: Drain, _: &mut Context<Self>) -> Self::Result {
        MessageResult((
            std::mem::take(&mut self.events),
            std::mem::take(&mut self.closes),
        ))
    }
}

/// A started collector and a handle that reaches it.
pub fn collector() -> (Addr<Collector>, ConnHandle) {
    let addr = Collector::default().start();
    let handle = ConnHandle::new(
        ConnId::generate(),
        addr.clone().recipient(),
        addr.clone().recipient(),
    );
    (addr, handle)
}

/// Waits (at most two seconds) until the collector holds `count` events, and returns them.
pub async fn events(collector: &Addr<Collector>, count: usize) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut seen = Vec::new();
    while seen.len() < count {
        assert!(
            Instant::now() < deadline,
            "expected {count} events, got {seen:?}"
        );
        let (events, _) = collector.send(Drain).await.expect("collector alive");
        seen.extend(events);
        actix_rt::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(seen.len(), count, "more events than expected: {seen:?}");
    seen
}
