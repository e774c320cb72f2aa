//! Test support: a [`Collector`] actor that stands in for a socket hearing events of family
//! `E`. Receives [`Deliver`] and [`Disconnect`] like a connection would and keeps them; tests
//! read them back with [`Drain`] or wait for them with [`events`].

use std::marker::PhantomData;
use std::time::Duration;

use actix::prelude::*;

use super::eventually::eventually;
use crate::kernel::handle::{ConnHandle, Deliver, Disconnect};
use crate::kernel::ids::ConnId;

/// A fake connection that records what it is sent.
pub struct Collector<E> {
    /// Mailbox capacity to set at start (the actix default when `None`).
    capacity: Option<usize>,
    /// What was received and not yet drained.
    recorded: Recorded<E>,
}

/// What a collector received, oldest first.
pub struct Recorded<E> {
    /// Events.
    pub events: Vec<E>,
    /// Close requests.
    pub closes: Vec<Disconnect>,
}

impl<E> Default for Recorded<E> {
    fn default() -> Self {
        Recorded {
            events: Vec::new(),
            closes: Vec::new(),
        }
    }
}

/// Hands back (and forgets) everything recorded so far.
pub struct Drain<E>(PhantomData<fn() -> E>);

impl<E: 'static> Message for Drain<E> {
    type Result = Recorded<E>;
}

/// Asks a collector for what it recorded.
pub fn drain<E>() -> Drain<E> {
    Drain(PhantomData)
}

/// Blocks the collector's thread, like a client that stops reading.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Stall {
    /// How long to block.
    pub period: Duration,
}

/// Stops a collector, as a socket that closes: its `ConnHandle` then reports
/// `is_connected() == false`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Hangup;

impl<E: Send + Unpin + 'static> Handler<Hangup> for Collector<E> {
    type Result = ();

    fn handle(&mut self, _: Hangup, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

impl<E: Send + Unpin + 'static> Actor for Collector<E> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if let Some(capacity) = self.capacity {
            ctx.set_mailbox_capacity(capacity);
        }
    }
}

impl<E: Send + Unpin + 'static> Handler<Stall> for Collector<E> {
    type Result = ();

    fn handle(&mut self, msg: Stall, _: &mut Context<Self>) {
        std::thread::sleep(msg.period);
    }
}

impl<E: Send + Unpin + 'static> Handler<Deliver<E>> for Collector<E> {
    type Result = ();

    fn handle(&mut self, msg: Deliver<E>, _: &mut Context<Self>) {
        self.recorded.events.push(msg.event);
    }
}

impl<E: Send + Unpin + 'static> Handler<Disconnect> for Collector<E> {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, _: &mut Context<Self>) {
        self.recorded.closes.push(msg);
    }
}

impl<E: Send + Unpin + 'static> Handler<Drain<E>> for Collector<E> {
    type Result = MessageResult<Drain<E>>;

    fn handle(&mut self, _: Drain<E>, _: &mut Context<Self>) -> Self::Result {
        MessageResult(std::mem::take(&mut self.recorded))
    }
}

/// A started collector and a handle that reaches it.
pub fn collector<E: Send + Unpin + 'static>() -> (Addr<Collector<E>>, ConnHandle<E>) {
    let addr = Collector {
        capacity: None,
        recorded: Recorded::default(),
    }
    .start();
    let handle = ConnHandle::new(ConnId::generate(), &addr);
    (addr, handle)
}

/// A collector with a mailbox of `capacity`, on its own thread so that it can be stalled.
pub fn slow_collector<E: Send + Unpin + 'static>(
    arbiter: &Arbiter,
    capacity: usize,
) -> (Addr<Collector<E>>, ConnHandle<E>) {
    let addr = Collector::start_in_arbiter(&arbiter.handle(), move |_| Collector {
        capacity: Some(capacity),
        recorded: Recorded::default(),
    });
    let handle = ConnHandle::new(ConnId::generate(), &addr);
    (addr, handle)
}

/// Waits until the collector has received `count` events and returns them; fails when more
/// arrive in the same read.
pub async fn events<E: Send + Unpin + std::fmt::Debug + 'static>(
    collector: &Addr<Collector<E>>,
    count: usize,
) -> Vec<E> {
    let seen = std::cell::RefCell::new(Vec::new());
    eventually(&format!("{count} events"), || {
        let drained = collector.send(drain());
        let seen = &seen;
        async move {
            let recorded = drained.await.expect("collector alive");
            let mut seen = seen.borrow_mut();
            seen.extend(recorded.events);
            (seen.len() >= count).then_some(())
        }
    })
    .await;
    let seen = seen.into_inner();
    assert_eq!(seen.len(), count, "more events than expected: {seen:?}");
    seen
}
