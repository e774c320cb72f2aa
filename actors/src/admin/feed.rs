//! MonitorFeed: the one actor that knows every admin monitor socket. Receives [`JoinFeed`],
//! [`LeaveFeed`] and [`Ponged`] from the monitor sockets, [`UserStatusChanged`] from the rooms
//! that know users, [`GetHubStats`] and the [`user_directory`](crate::admin::user_directory)
//! requests from the management API. Sends `stats_update` to every monitor each
//! `MONITOR_STATS_INTERVAL`, `user_status_update` when a user comes or goes (a monitor's own
//! user included), and passes every directory request on to the other rooms it was handed,
//! adding what its own monitors answer: every notification and broadcast reaches every monitor.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use serde_json::{Map, Value};

use crate::admin::hub_stats::{FigureSource, HubStats};
use crate::admin::monitor_events::MonitorEvent;
use crate::admin::user_directory::{
    ConnectionInfo, DeliverBroadcast, DeliverNotification, DisconnectUser, ListConnections,
    PingUser, UserSource, UserStatusChanged,
};
use crate::kernel::close::CloseCode;
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::ConnId;

/// A monitor socket opened by an admin.
#[derive(Message)]
#[rtype(result = "()")]
pub struct JoinFeed {
    /// How to reach it.
    pub handle: ConnHandle<MonitorEvent>,
    /// The admin's user id (the token's `sub`).
    pub user_id: String,
    /// The admin's name, when the token has one.
    pub name: Option<String>,
}

/// A monitor socket closed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct LeaveFeed {
    /// The socket.
    pub conn_id: ConnId,
}

/// A monitor socket answered a ping with `pong`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Ponged {
    /// The socket.
    pub conn_id: ConnId,
}

/// Asks for the hub's statistics now.
#[derive(Message)]
#[rtype(result = "HubStats")]
pub struct GetHubStats;

/// One monitor socket.
struct Watcher {
    /// How to reach it.
    handle: ConnHandle<MonitorEvent>,
    /// Its admin.
    user_id: String,
    /// The admin's name.
    name: Option<String>,
    /// When it opened.
    connected_at: DateTime<Utc>,
    /// When it was last pinged by name.
    last_ping: Option<DateTime<Utc>>,
    /// When it last answered.
    last_pong: Option<DateTime<Utc>>,
}

/// The feed actor.
pub struct MonitorFeed {
    /// Open monitor sockets.
    watchers: HashMap<ConnId, Watcher>,
    /// The other rooms that know users.
    others: Vec<UserSource>,
    /// The socket layer's counters.
    figures: FigureSource,
    /// Between two `stats_update`s.
    interval: Duration,
    /// When the hub started.
    started: Instant,
}

impl MonitorFeed {
    /// A feed publishing every `interval`, reading `figures`, asking `others` about users.
    pub fn new(interval: Duration, figures: FigureSource, others: Vec<UserSource>) -> Self {
        MonitorFeed {
            watchers: HashMap::new(),
            others,
            figures,
            interval,
            started: Instant::now(),
        }
    }

    /// Pushes `event` to every monitor; how many it was queued for.
    fn push_all(&self, event: &MonitorEvent) -> usize {
        let pushed = self.watchers.values();
        pushed.filter(|w| w.handle.push(event.clone())).count()
    }

    /// Whether `user_id` holds a monitor socket.
    fn watching(&self, user_id: &str) -> bool {
        self.watchers.values().any(|w| w.user_id == user_id)
    }

    /// Tells every monitor that `user_id` came or went.
    fn announce(&self, user_id: String, online: bool) {
        let at = Utc::now();
        let change = UserStatusChanged {
            user_id,
            online,
            at,
        };
        self.push_all(&MonitorEvent::UserStatus(change));
    }

    /// The monitor sockets of `user_id` (all of them for `None`) as connections.
    fn own_connections(&self, user_id: Option<&str>) -> Vec<ConnectionInfo> {
        let mut own: Vec<ConnectionInfo> = self
            .watchers
            .iter()
            .filter(|(_, w)| user_id.is_none_or(|user| w.user_id == user))
            .map(|(conn_id, w)| {
                let mut metadata = Map::new();
                metadata.insert("endpoint".into(), Value::from("admin_monitor"));
                metadata.insert("role".into(), Value::from("admin"));
                if let Some(name) = &w.name {
                    metadata.insert("username".into(), Value::from(name.as_str()));
                }
                ConnectionInfo {
                    connection_id: conn_id.to_string(),
                    user_id: w.user_id.clone(),
                    session_id: None,
                    connected_at: w.connected_at,
                    last_ping: w.last_ping,
                    last_pong: w.last_pong,
                    is_alive: w.handle.is_connected(),
                    metadata,
                }
            })
            .collect();
        own.sort_by_key(|c| c.connected_at);
        own
    }

    /// Every known connection: the monitors' and the other rooms'.
    fn all_connections(
        &self,
        user_id: Option<String>,
    ) -> impl Future<Output = Vec<ConnectionInfo>> + 'static {
        let own = self.own_connections(user_id.as_deref());
        let ask = ListConnections { user_id };
        let asks: Vec<_> = self
            .others
            .iter()
            .map(|s| s.list.send(ask.clone()))
            .collect();
        async move {
            let mut all = own;
            for answer in join_all(asks).await.into_iter().flatten() {
                all.extend(answer);
            }
            all
        }
    }

    /// The statistics now.
    fn stats(&self) -> impl Future<Output = HubStats> + 'static {
        let connections = self.all_connections(None);
        let (figures, monitors) = ((self.figures)(), self.watchers.len());
        let uptime = self.started.elapsed().as_secs();
        async move { HubStats::of(figures, &connections.await, monitors, uptime) }
    }

    /// Sends `stats_update` to every monitor, if there is any.
    fn publish(&mut self, ctx: &mut Context<Self>) {
        if self.watchers.is_empty() {
            return;
        }
        let stats = self.stats().into_actor(self).map(|stats, feed, _| {
            feed.push_all(&MonitorEvent::Stats(Arc::new(stats)));
        });
        ctx.spawn(stats);
    }
}

/// The sum of what `asks` answered (those that failed count none), plus `own`.
async fn total<F: Future<Output = Result<usize, MailboxError>>>(own: usize, asks: Vec<F>) -> usize {
    own + join_all(asks).await.into_iter().flatten().sum::<usize>()
}

impl Actor for MonitorFeed {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(self.interval, Self::publish);
    }
}

impl Handler<JoinFeed> for MonitorFeed {
    type Result = ();

    fn handle(&mut self, msg: JoinFeed, _: &mut Context<Self>) {
        let arrives = !self.watching(&msg.user_id);
        let watcher = Watcher {
            user_id: msg.user_id.clone(),
            name: msg.name,
            connected_at: Utc::now(),
            last_ping: None,
            last_pong: None,
            handle: msg.handle,
        };
        self.watchers.insert(watcher.handle.id(), watcher);
        if arrives {
            self.announce(msg.user_id, true);
        }
    }
}

impl Handler<LeaveFeed> for MonitorFeed {
    type Result = ();

    fn handle(&mut self, msg: LeaveFeed, _: &mut Context<Self>) {
        if let Some(watcher) = self.watchers.remove(&msg.conn_id)
            && !self.watching(&watcher.user_id)
        {
            self.announce(watcher.user_id, false);
        }
    }
}

impl Handler<Ponged> for MonitorFeed {
    type Result = ();

    fn handle(&mut self, msg: Ponged, _: &mut Context<Self>) {
        if let Some(watcher) = self.watchers.get_mut(&msg.conn_id) {
            watcher.last_pong = Some(Utc::now());
        }
    }
}

impl Handler<UserStatusChanged> for MonitorFeed {
    type Result = ();

    fn handle(&mut self, msg: UserStatusChanged, _: &mut Context<Self>) {
        self.push_all(&MonitorEvent::UserStatus(msg));
    }
}

impl Handler<GetHubStats> for MonitorFeed {
    type Result = ResponseFuture<HubStats>;

    fn handle(&mut self, _: GetHubStats, _: &mut Context<Self>) -> Self::Result {
        Box::pin(self.stats())
    }
}

impl Handler<ListConnections> for MonitorFeed {
    type Result = ResponseFuture<Vec<ConnectionInfo>>;

    fn handle(&mut self, msg: ListConnections, _: &mut Context<Self>) -> Self::Result {
        Box::pin(self.all_connections(msg.user_id))
    }
}

impl Handler<DisconnectUser> for MonitorFeed {
    type Result = ResponseFuture<usize>;

    fn handle(&mut self, msg: DisconnectUser, _: &mut Context<Self>) -> Self::Result {
        let theirs = self.watchers.values().filter(|w| w.user_id == msg.user_id);
        let own = theirs
            .map(|w| w.handle.close(CloseCode::Normal, &msg.reason))
            .count();
        let asks = self.others.iter().map(|s| s.disconnect.send(msg.clone()));
        Box::pin(total(own, asks.collect()))
    }
}

impl Handler<PingUser> for MonitorFeed {
    type Result = ResponseFuture<usize>;

    fn handle(&mut self, msg: PingUser, _: &mut Context<Self>) -> Self::Result {
        let now = Utc::now();
        let mut own = 0;
        for watcher in self.watchers.values_mut() {
            if watcher.user_id == msg.user_id && watcher.handle.push(MonitorEvent::Ping) {
                watcher.last_ping = Some(now);
                own += 1;
            }
        }
        let asks = self.others.iter().map(|s| s.ping.send(msg.clone()));
        Box::pin(total(own, asks.collect()))
    }
}

impl Handler<DeliverNotification> for MonitorFeed {
    type Result = ResponseFuture<usize>;

    fn handle(&mut self, msg: DeliverNotification, _: &mut Context<Self>) -> Self::Result {
        let own = self.push_all(&MonitorEvent::Notification(msg.notification.clone()));
        let asks = self.others.iter().map(|s| s.notify.send(msg.clone()));
        Box::pin(total(own, asks.collect()))
    }
}

impl Handler<DeliverBroadcast> for MonitorFeed {
    type Result = ResponseFuture<usize>;

    fn handle(&mut self, msg: DeliverBroadcast, _: &mut Context<Self>) -> Self::Result {
        let own = self.push_all(&MonitorEvent::Broadcast {
            kind: msg.kind.clone(),
            data: msg.data.clone(),
        });
        let asks = self.others.iter().map(|s| s.broadcast.send(msg.clone()));
        Box::pin(total(own, asks.collect()))
    }
}
