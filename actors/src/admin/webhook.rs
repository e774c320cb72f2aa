//! Notifier: posts each notification as JSON to the configured webhook (`NOTIFY_WEBHOOK_URL`),
//! which may relay it to email, SMS or push. Receives [`PostNotification`] from the management
//! API and never makes its sender wait: each POST runs on the notifier's own context, a failed
//! one (no connection, a non-2xx answer, no answer within the timeout) is retried after the
//! backoff, doubled for each next retry, and after the last retry the notification is dropped
//! with a warning in the log. At most [`MAX_IN_FLIGHT`] notifications are being posted at
//! once; one more is dropped with a warning rather than queued without bound.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use serde_json::Value;

use crate::admin::admin_config::AdminConfig;

/// Most notifications being posted (or waiting for a retry) at once.
pub const MAX_IN_FLIGHT: usize = 1024;

/// Posts one notification's JSON to the webhook.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub struct PostNotification {
    /// The notification's id, for the log.
    pub id: String,
    /// The JSON body.
    pub body: Arc<Value>,
}

/// The notifier actor.
pub struct Notifier {
    /// The webhook's settings.
    config: Arc<AdminConfig>,
    /// The HTTP client.
    client: awc::Client,
    /// Notifications being posted now.
    in_flight: usize,
}

impl Notifier {
    /// A notifier posting to the webhook `config` names (doing nothing when it names none).
    pub fn new(config: Arc<AdminConfig>) -> Self {
        let client = awc::Client::builder()
            .timeout(config.webhook_timeout)
            .finish();
        Notifier {
            config,
            client,
            in_flight: 0,
        }
    }
}

/// One POST of `body` to `url`: `Ok` on a 2xx answer, else what went wrong.
async fn post(client: &awc::Client, url: &str, body: &Value) -> Result<(), String> {
    let response = client
        .post(url)
        .send_json(body)
        .await
        .map_err(|error| error.to_string())?;
    match response.status() {
        status if status.is_success() => Ok(()),
        status => Err(format!("the webhook answered {status}")),
    }
}

/// Posts `body` until it is taken or the retries run out; logs the drop.
async fn deliver(
    client: awc::Client,
    url: String,
    note: PostNotification,
    retries: u32,
    backoff: Duration,
) {
    let mut wait = backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let failure = match post(&client, &url, &note.body).await {
            Ok(()) => return,
            Err(failure) => failure,
        };
        if attempt > retries {
            log::warn!(
                "notification {} dropped after {attempt} attempts to the webhook: {failure}",
                note.id
            );
            return;
        }
        log::info!(
            "notification {}: webhook attempt {attempt} failed ({failure}); retrying in {wait:?}",
            note.id
        );
        tokio::time::sleep(wait).await;
        wait = wait.saturating_mul(2);
    }
}

impl Actor for Notifier {
    type Context = Context<Self>;
}

impl Handler<PostNotification> for Notifier {
    type Result = ();

    fn handle(&mut self, msg: PostNotification, ctx: &mut Context<Self>) {
        let Some(url) = self.config.webhook().map(str::to_owned) else {
            return;
        };
        if self.in_flight >= MAX_IN_FLIGHT {
            log::warn!(
                "notification {} dropped: {MAX_IN_FLIGHT} notifications are being posted already",
                msg.id
            );
            return;
        }
        self.in_flight += 1;
        let (retries, backoff) = (self.config.webhook_retries, self.config.webhook_backoff);
        let work = deliver(self.client.clone(), url, msg, retries, backoff);
        ctx.spawn(work.into_actor(self).map(|(), notifier, _| {
            notifier.in_flight -= 1;
        }));
    }
}
