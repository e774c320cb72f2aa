//! Seed 003's management API, `/api/v1/websocket/*`, beside seed 002's (which it extends):
//! `GET stats`, `connections`, `users/{user_id}/connections`, `health`, `online-users`, and
//! `POST broadcast`, `users/disconnect`, `notify`, `ping/{user_id}`. Receives the requests;
//! asks the [`MonitorFeed`] (which answers for the monitor sockets and every room that knows
//! users) and the interview room; hands each notification to the [`Notifier`] for the
//! webhook without waiting; sends `{"success": true, "data": ...}` (stats also carries seed
//! 003's figures at the top level), failures `{"error", "detail"}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix::Addr;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde_json::Value;
use switchboard_actors::admin::admin_config::AdminConfig;
use switchboard_actors::admin::feed::{GetHubStats, MonitorFeed};
use switchboard_actors::admin::notification::{Audience, Notification, NotificationKind};
use switchboard_actors::admin::user_directory::{
    DeliverBroadcast, DeliverNotification, DisconnectUser, ListConnections, PingUser,
};
use switchboard_actors::admin::webhook::{Notifier, PostNotification};
use switchboard_actors::interview::interviews::Interviews;

use crate::api_error::ApiError;
use crate::http::fields;
use crate::http::interview_sessions::{broadcast_to_interviews, interview_stats, pushed};
use crate::wire::interview_frames::{PushBody, PushedBody, Success, iso_time};
use crate::wire::monitor_frames::{
    CombinedStats, ConnectionsBody, DisconnectBody, HealthBody, NotifiedBody, NotifyBody,
    OnlineUser, OnlineUsersBody, UserActionBody, WebhookBody,
};

/// The channels a notification may name.
const CHANNELS: [&str; 4] = ["websocket", "email", "sms", "push"];

/// `GET /api/v1/websocket/stats`: seed 002's answer, with seed 003's figures beside it.
pub async fn stats(
    interviews: web::Data<Interviews>,
    feed: web::Data<Addr<MonitorFeed>>,
) -> Result<HttpResponse, ApiError> {
    let data = interview_stats(&interviews).await?;
    let hub = feed.send(GetHubStats).await?;
    Ok(HttpResponse::Ok().json(CombinedStats {
        success: true,
        data,
        hub: &hub,
    }))
}

/// `GET /api/v1/websocket/connections`: every known connection.
pub async fn connections(feed: web::Data<Addr<MonitorFeed>>) -> Result<HttpResponse, ApiError> {
    listed(&feed, None).await
}

/// `GET /api/v1/websocket/users/{user_id}/connections`: one user's connections.
pub async fn user_connections(
    user_id: web::Path<String>,
    feed: web::Data<Addr<MonitorFeed>>,
) -> Result<HttpResponse, ApiError> {
    let user_id = fields::label("user_id", &user_id)?;
    listed(&feed, Some(user_id)).await
}

/// The connections of `user_id` (everyone's for `None`) as an answer.
async fn listed(
    feed: &Addr<MonitorFeed>,
    user_id: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let connections = feed.send(ListConnections { user_id }).await?;
    let total = connections.len();
    Ok(HttpResponse::Ok().json(Success::of(ConnectionsBody { connections, total })))
}

/// `GET /api/v1/websocket/online-users`: the users with a connection.
pub async fn online_users(feed: web::Data<Addr<MonitorFeed>>) -> Result<HttpResponse, ApiError> {
    let connections = feed.send(ListConnections { user_id: None }).await?;
    let mut users: BTreeMap<String, (usize, chrono::DateTime<Utc>)> = BTreeMap::new();
    for connection in connections {
        let entry = users
            .entry(connection.user_id)
            .or_insert((0, connection.connected_at));
        entry.0 += 1;
        entry.1 = entry.1.min(connection.connected_at);
    }
    let users: Vec<OnlineUser> = users
        .into_iter()
        .map(|(user_id, (connections, since))| OnlineUser {
            user_id,
            connections,
            connected_since: iso_time(since),
        })
        .collect();
    let total = users.len();
    Ok(HttpResponse::Ok().json(Success::of(OnlineUsersBody { users, total })))
}

/// `GET /api/v1/websocket/health`.
pub async fn health(
    feed: web::Data<Addr<MonitorFeed>>,
    admin: web::Data<AdminConfig>,
) -> Result<HttpResponse, ApiError> {
    let stats = feed.send(GetHubStats).await?;
    Ok(HttpResponse::Ok().json(Success::of(HealthBody {
        status: "healthy",
        active_connections: stats.sockets.active_connections,
        monitors: stats.monitors,
        webhook_configured: admin.webhook().is_some(),
        uptime_seconds: stats.uptime_seconds,
        timestamp: iso_time(Utc::now()),
    })))
}

/// `POST /api/v1/websocket/broadcast`: to every interview socket, every monitor and every
/// room that knows users.
pub async fn broadcast(
    body: web::Json<PushBody>,
    interviews: web::Data<Interviews>,
    feed: web::Data<Addr<MonitorFeed>>,
) -> Result<HttpResponse, ApiError> {
    let event = pushed(body.into_inner())?;
    let kind = event.kind.clone();
    let data = Arc::new(event.data.clone());
    let to_interviews = broadcast_to_interviews(&interviews, event).await?;
    let to_others = feed
        .send(DeliverBroadcast {
            kind: kind.clone(),
            data,
        })
        .await?;
    Ok(HttpResponse::Ok().json(Success::of(PushedBody {
        kind,
        session_id: None,
        delivered: to_interviews + to_others,
    })))
}

/// `POST /api/v1/websocket/users/disconnect` with `{"user_id", "reason"}`.
pub async fn disconnect(
    body: web::Json<DisconnectBody>,
    feed: web::Data<Addr<MonitorFeed>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let user_id = fields::label("user_id", body.user_id.as_deref().unwrap_or_default())?;
    let reason = match body.reason {
        Some(reason) => fields::label("reason", &reason)?,
        None => "disconnected by an admin".to_owned(),
    };
    let ask = DisconnectUser {
        user_id: user_id.clone(),
        reason,
    };
    let connections = feed.send(ask).await?;
    acted_on(user_id, connections)
}

/// `POST /api/v1/websocket/ping/{user_id}`: a `ping` message to each of the user's sockets.
pub async fn ping(
    user_id: web::Path<String>,
    feed: web::Data<Addr<MonitorFeed>>,
) -> Result<HttpResponse, ApiError> {
    let user_id = fields::label("user_id", &user_id)?;
    let ask = PingUser {
        user_id: user_id.clone(),
    };
    let connections = feed.send(ask).await?;
    acted_on(user_id, connections)
}

/// The answer to an action on a user's connections; 404 when they had none.
fn acted_on(user_id: String, connections: usize) -> Result<HttpResponse, ApiError> {
    if connections == 0 {
        return Err(ApiError::NotFound(format!(
            "an open connection of user {}",
            crate::input::shown(&user_id)
        )));
    }
    Ok(HttpResponse::Ok().json(Success::of(UserActionBody {
        user_id,
        connections,
    })))
}

/// `POST /api/v1/websocket/notify`: over the sockets to every monitor and the audience, and
/// to the webhook when one is configured.
pub async fn notify(
    body: web::Json<NotifyBody>,
    feed: web::Data<Addr<MonitorFeed>>,
    notifier: web::Data<Addr<Notifier>>,
    admin: web::Data<AdminConfig>,
) -> Result<HttpResponse, ApiError> {
    let (notification, audience, channels) = notification(body.into_inner())?;
    let notification = Arc::new(notification);
    let webhook = match admin.webhook() {
        Some(_) => {
            let body = WebhookBody {
                kind: "notification",
                notification: &notification,
                audience: &audience,
                channels: &channels,
            };
            let body = Arc::new(serde_json::to_value(&body).unwrap_or(Value::Null));
            let id = notification.id.clone();
            notifier.do_send(PostNotification { id, body });
            "queued"
        }
        None => "not_configured",
    };
    let deliver = DeliverNotification {
        notification: notification.clone(),
        audience: audience.clone(),
    };
    let delivered = feed.send(deliver).await?;
    Ok(HttpResponse::Ok().json(Success::of(NotifiedBody {
        notification: &notification,
        audience: &audience,
        delivered,
        webhook,
    })))
}

/// The checked notification of a body, its audience and its channels.
fn notification(body: NotifyBody) -> Result<(Notification, Audience, Vec<String>), ApiError> {
    let title = fields::label("title", body.title.as_deref().unwrap_or_default())?;
    let message = fields::content("message", body.message.unwrap_or_default())?;
    let kind = match body.kind.as_deref() {
        None => NotificationKind::Info,
        Some(name) => NotificationKind::parse(name).ok_or_else(|| {
            ApiError::InvalidField(format!(
                "type must be one of info, success, warning, error, urgent, not '{}'",
                crate::input::shown(name)
            ))
        })?,
    };
    let action_url = body
        .action_url
        .map(|url| fields::label("action_url", &url))
        .transpose()?;
    let audience = match (body.user_id, body.session_id) {
        (Some(_), Some(_)) => {
            let detail = "give user_id or session_id, not both (neither: everyone)";
            return Err(ApiError::InvalidField(detail.into()));
        }
        (Some(user), None) => Audience::User(fields::label("user_id", &user)?),
        (None, Some(session)) => Audience::Conversation(fields::label("session_id", &session)?),
        (None, None) => Audience::Everyone,
    };
    let mut channels = body.channels.unwrap_or_else(|| vec!["websocket".into()]);
    channels.sort();
    channels.dedup();
    if let Some(unknown) = channels.iter().find(|c| !CHANNELS.contains(&c.as_str())) {
        return Err(ApiError::InvalidField(format!(
            "channels may be websocket, email, sms and push, not '{}'",
            crate::input::shown(unknown)
        )));
    }
    let notification = Notification {
        id: format!("notify_{}", uuid::Uuid::new_v4().simple()),
        title,
        message,
        kind,
        action_url,
        auto_close: body.auto_close.unwrap_or(true),
        timestamp: Utc::now(),
    };
    Ok((notification, audience, channels))
}
