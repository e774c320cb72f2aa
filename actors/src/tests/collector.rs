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
    /// Mailbox capacity to set at start (the actix default when `None`).
    capacity: Option<usize>,
    /// Events received, oldest first, not yet drained.
    events: Vec<Event>,
    /// Close requests received, not yet drained.
    closes: Vec<Disconnect>,
}

/// Hands back (and forgets) everything recorded so far.
#[derive(Message)]
#[rtype(result = "(Vec<Event>, Vec<Disconnect>)")]
pub struct Drain;

/// Blocks the collector's thread, like a client that stops reading.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Stall {
    /// How long to block.
    pub period: Duration,
}

impl Actor for Collector {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if let Some(capacity) = self.capacity {
            ctx.set_mailbox_capacity(capacity);
        }
    }
}

impl Handler<Stall> for Collector {
    type Result = ();

    fn handle(&mut self, msg: Stall, _: &mut Context<Self>) {
        std::thread::sleep(msg.period);
    }
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
    handle_for(Collector::default().start())
}

/// A collector with a mailbox of `capacity`, on its own thread so that it can be stalled.
pub fn slow_collector(arbiter: &Arbiter, capacity: usize) -> (Addr<Collector>, ConnHandle) {
    let collector = Collector {
        capacity: Some(capacity),
        ..Collector::default()
    };
    handle_for(Collector::start_in_arbiter(&arbiter.handle(), move |_| {
        collector
    }))
}

fn handle_for(addr: Addr<Collector>) -> (Addr<Collector>, ConnHandle) {
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
