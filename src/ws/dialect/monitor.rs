//! Seed 003's admin monitor on `/ws/admin/monitor` (admin tokens only). Receives `ping`,
//! `pong` (the answer to a ping by name) and `get_stats` (the shapes are in
//! [`monitor_frames`](crate::wire::monitor_frames)); sends `connection_established` on open,
//! then what the [`MonitorFeed`] pushes: `stats_update` on the interval and at `get_stats`,
//! `user_status_update`, `notification`, broadcasts and `ping`; `pong`, and `error`
//! (`{"type":"error","error","detail","timestamp"}`) for bad input. Joins the feed when it
//! opens and leaves it when it closes.

use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use chrono::Utc;
use switchboard_actors::admin::feed::{GetHubStats, JoinFeed, LeaveFeed, MonitorFeed, Ponged};
use switchboard_actors::admin::hub_stats::HubStats;
use switchboard_actors::admin::monitor_events::MonitorEvent;
use switchboard_actors::kernel::ids::ConnId;

use crate::wire::interview_frames::iso_time;
use crate::wire::monitor_frames::{BroadcastFrame, MonitorInbound, MonitorOutbound};
use crate::wire::text;
use crate::ws::dialect::envelope;
use crate::ws::dialect::seam::{Dialect, Frame, Refusal, Socket};

/// The monitor dialect's per-socket state.
pub struct MonitorDialect {
    /// The feed it joins.
    feed: Addr<MonitorFeed>,
    /// The admin's user id.
    user_id: String,
    /// The admin's name, when the token has one.
    name: Option<String>,
    /// Between two `stats_update`s, as told in `connection_established`.
    interval: Duration,
}

impl MonitorDialect {
    /// A monitor socket of the admin `user_id`.
    pub fn new(
        feed: Addr<MonitorFeed>,
        user_id: String,
        name: Option<String>,
        interval: Duration,
    ) -> Self {
        MonitorDialect {
            feed,
            user_id,
            name,
            interval,
        }
    }

    /// A frame's timestamp: now.
    fn now() -> String {
        iso_time(Utc::now())
    }

    /// Sends `stats_update` with `stats`.
    fn send_stats(stats: &HubStats, socket: &mut Socket<'_, Self>) {
        let timestamp = Self::now();
        socket.send(text::encode(&MonitorOutbound::StatsUpdate {
            stats,
            timestamp,
        }));
    }

    /// `get_stats`: asks the feed, then sends `stats_update`.
    fn get_stats(&mut self, socket: &mut Socket<'_, Self>) {
        let asked = self.feed.send(GetHubStats);
        let then = |_: &mut Self, answer, socket: &mut Socket<'_, Self>| match answer {
            Ok(stats) => Self::send_stats(&stats, socket),
            Err(_) => socket.refuse(&Refusal::new("unavailable", "the hub is stopping")),
        };
        if socket.start(asked, then).is_err() {
            socket.refuse(&Refusal::new("too_fast", "too much work in flight"));
        }
    }
}

impl Dialect for MonitorDialect {
    type Inbound = MonitorInbound;
    type Event = MonitorEvent;
    const ENDPOINT: &'static str = "admin_monitor";

    fn decode(&self, frame: Frame<'_>) -> Result<MonitorInbound, Refusal> {
        envelope::text_only(frame).and_then(|text| envelope::decode(text, MonitorInbound::TYPES))
    }

    fn error_frame(refusal: &Refusal) -> String {
        text::encode(&MonitorOutbound::Error {
            error: refusal.error,
            detail: &refusal.detail,
            timestamp: Self::now(),
        })
    }

    fn opened(&mut self, socket: &mut Socket<'_, Self>) {
        socket.send(text::encode(&MonitorOutbound::ConnectionEstablished {
            connection_id: socket.id().to_string(),
            user_id: &self.user_id,
            stats_interval: self.interval.as_secs_f64(),
            timestamp: Self::now(),
        }));
        self.feed.do_send(JoinFeed {
            handle: socket.handle(),
            user_id: self.user_id.clone(),
            name: self.name.clone(),
        });
    }

    fn handle(&mut self, inbound: MonitorInbound, socket: &mut Socket<'_, Self>) {
        match inbound {
            MonitorInbound::Ping => {
                let timestamp = Self::now();
                socket.send(text::encode(&MonitorOutbound::Pong { timestamp }));
            }
            MonitorInbound::Pong => self.feed.do_send(Ponged {
                conn_id: socket.id(),
            }),
            MonitorInbound::GetStats => self.get_stats(socket),
        }
    }

    fn deliver(&mut self, event: MonitorEvent, socket: &mut Socket<'_, Self>) {
        let frame = match event {
            MonitorEvent::Stats(stats) => return Self::send_stats(&stats, socket),
            MonitorEvent::UserStatus(change) => text::encode(&MonitorOutbound::UserStatusUpdate {
                user_id: &change.user_id,
                status: if change.online { "online" } else { "offline" },
                timestamp: iso_time(change.at),
            }),
            MonitorEvent::Notification(notification) => {
                let notification = Arc::as_ref(&notification);
                text::encode(&MonitorOutbound::Notification { notification })
            }
            MonitorEvent::Broadcast { kind, data } => text::encode(&BroadcastFrame {
                kind: &kind,
                data: &data,
                timestamp: Self::now(),
            }),
            MonitorEvent::Ping => text::encode(&MonitorOutbound::Ping {
                timestamp: Self::now(),
            }),
        };
        socket.send(frame);
    }

    fn closed(&mut self, conn_id: ConnId, _shutdown: bool) {
        self.feed.do_send(LeaveFeed { conn_id });
    }
}
