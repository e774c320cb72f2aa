//! The monitor feed with a room that knows users behind it, on paused time: the feed answers
//! for its monitors and the room together (connections, statistics, notifications,
//! disconnect, ping, broadcast), passes the room's user status changes to its monitors, and
//! sends `stats_update` only when the interval has passed.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use chrono::Utc;
use serde_json::json;

use super::collector::{collector, events};
use crate::admin::feed::{GetHubStats, JoinFeed, MonitorFeed};
use crate::admin::hub_stats::SocketFigures;
use crate::admin::monitor_events::MonitorEvent;
use crate::admin::notification::{Audience, Notification, NotificationKind};
use crate::admin::user_directory::{
    ConnectionInfo, DeliverBroadcast, DeliverNotification, DisconnectUser, ListConnections,
    PingUser, UserSource, UserStatusChanged,
};

/// Between two `stats_update`s: longer than any wait of the test but the last.
const INTERVAL: Duration = Duration::from_secs(3600);

/// A room with one user, `u-7`, holding two sockets in conversation `s-1`.
struct Room;

impl Actor for Room {
    type Context = Context<Self>;
}

impl Handler<ListConnections> for Room {
    type Result = MessageResult<ListConnections>;

    fn handle(&mut self, msg: ListConnections, _: &mut Context<Self>) -> Self::Result {
        let connection = |n: u8| ConnectionInfo {
            connection_id: format!("chat-{n}"),
            user_id: "u-7".into(),
            session_id: Some("s-1".into()),
            connected_at: Utc::now(),
            last_ping: None,
            last_pong: None,
            is_alive: true,
            metadata: Default::default(),
        };
        let mine = msg.user_id.is_none_or(|user| user == "u-7");
        MessageResult(if mine {
            vec![connection(1), connection(2)]
        } else {
            Vec::new()
        })
    }
}

impl Handler<DisconnectUser> for Room {
    type Result = usize;

    fn handle(&mut self, msg: DisconnectUser, _: &mut Context<Self>) -> usize {
        if msg.user_id == "u-7" { 2 } else { 0 }
    }
}

impl Handler<PingUser> for Room {
    type Result = usize;

    fn handle(&mut self, msg: PingUser, _: &mut Context<Self>) -> usize {
        if msg.user_id == "u-7" { 2 } else { 0 }
    }
}

impl Handler<DeliverNotification> for Room {
    type Result = usize;

    fn handle(&mut self, msg: DeliverNotification, _: &mut Context<Self>) -> usize {
        match msg.audience {
            Audience::User(user) if user == "u-7" => 2,
            Audience::Everyone => 2,
            _ => 0,
        }
    }
}

impl Handler<DeliverBroadcast> for Room {
    type Result = usize;

    fn handle(&mut self, _: DeliverBroadcast, _: &mut Context<Self>) -> usize {
        2
    }
}

#[actix_rt::test]
async fn the_feed_answers_for_its_monitors_and_the_rooms_behind_it() {
    tokio::time::pause();
    let room = Room.start();
    let figures = Arc::new(|| SocketFigures {
        active_connections: 3,
        ..SocketFigures::default()
    });
    let feed = MonitorFeed::new(INTERVAL, figures, vec![UserSource::of(&room)]).start();
    let (monitor, handle) = collector::<MonitorEvent>();
    let join = JoinFeed {
        handle,
        user_id: "ops".into(),
        name: None,
    };
    feed.send(join).await.expect("feed alive");
    let arrived = events(&monitor, 1).await;
    assert!(matches!(&arrived[0], MonitorEvent::UserStatus(s) if s.user_id == "ops" && s.online));

    let all = feed.send(ListConnections { user_id: None }).await;
    assert_eq!(
        all.expect("feed alive").len(),
        3,
        "the monitor and the room's two"
    );
    let stats = feed.send(GetHubStats).await.expect("feed alive");
    assert_eq!((stats.active_users, stats.active_sessions), (2, 1));
    assert_eq!((stats.monitors, stats.sockets.active_connections), (1, 3));

    let notification = Arc::new(Notification {
        id: "notify_1".into(),
        title: "t".into(),
        message: "m".into(),
        kind: NotificationKind::Urgent,
        action_url: None,
        auto_close: true,
        timestamp: Utc::now(),
    });
    let audience = Audience::User("u-7".into());
    let notify = DeliverNotification {
        notification,
        audience,
    };
    assert_eq!(
        feed.send(notify).await.ok(),
        Some(3),
        "the monitor and the user's two"
    );
    let broadcast = DeliverBroadcast {
        kind: "notice".into(),
        data: Arc::new(json!({"message": "hi"})),
    };
    assert_eq!(feed.send(broadcast).await.ok(), Some(3));
    let ping = PingUser {
        user_id: "u-7".into(),
    };
    assert_eq!(
        feed.send(ping).await.ok(),
        Some(2),
        "the room's sockets only"
    );
    let disconnect = DisconnectUser {
        user_id: "u-7".into(),
        reason: "bye".into(),
    };
    assert_eq!(feed.send(disconnect).await.ok(), Some(2));
    let change = UserStatusChanged {
        user_id: "u-7".into(),
        online: false,
        at: Utc::now(),
    };
    feed.send(change).await.expect("feed alive");
    let heard = events(&monitor, 3).await;
    assert!(matches!(&heard[0], MonitorEvent::Notification(n) if n.id == "notify_1"));
    assert!(matches!(&heard[1], MonitorEvent::Broadcast { kind, .. } if kind == "notice"));
    assert!(matches!(&heard[2], MonitorEvent::UserStatus(s) if s.user_id == "u-7" && !s.online));

    tokio::time::sleep(INTERVAL).await;
    let published = events(&monitor, 1).await;
    assert!(matches!(&published[0], MonitorEvent::Stats(s) if s.active_users == 2));
}
