//! Call: one matched call, the only writer of its state. Receives [`RelayTranscript`] from a
//! leg's socket, [`AttachLeg`], [`LeaveLeg`] and [`EndCall`] from sockets or the Matchmaker.
//! Sends `CallMatched`, `Transcript`, `CallEnded` and `Error` events straight to the legs'
//! connections, and [`CallClosed`] to whoever started it (the Matchmaker) the moment the call
//! ends. This is the whole path of an ordinary message: Connection → Call → Connection.
//!
//! An ended call lingers for [`ENDED_LINGER`] before it stops, so that a socket the
//! Matchmaker sent its way just before hearing of the end is still told `call_ended`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use chrono::{DateTime, Utc};

use crate::calls::call_config::CallConfig;
use crate::calls::call_events::CallEvent;
use crate::calls::call_link::{CallLink, EndCall, LeaveLeg, RelayTranscript, UnknownCall};
use crate::calls::call_metrics::CallMetrics;
use crate::calls::call_requests::{AttachLeg, CallClosed};
use crate::calls::ending::EndReason;
use crate::kernel::clock::{self, Instant};
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::{CallId, ConnId, PairId};
use crate::kernel::role::Role;

/// How long an ended call keeps answering before it stops.
pub const ENDED_LINGER: Duration = Duration::from_secs(2);

/// How long a call waits for the LeaveLeg of a socket that stopped taking events before it
/// ends the call as a disconnect without it.
const LEAVE_WAIT: Duration = Duration::from_millis(500);

/// Most messages queued for one call; a leg that sends faster is told it is too fast.
pub const INBOUND_CAPACITY: usize = 1024;

/// One side of the call.
pub(crate) struct Leg {
    /// The leg's id.
    call_id: CallId,
    /// Its display name.
    name: Arc<str>,
    /// Its socket, while open.
    conn: Option<ConnHandle<CallEvent>>,
    /// Its socket stopped taking events and is closing; nothing more is pushed to it.
    leaving: bool,
    /// Whether a socket was ever attached.
    ever_connected: bool,
    /// By when its socket must be open (counted from when the leg was issued).
    connect_by: Instant,
    /// Transcripts held until the socket opens (bounded by the backlog setting).
    backlog: VecDeque<CallEvent>,
}

impl Leg {
    /// A leg, with its socket if it already has one.
    pub(crate) fn new(
        call_id: &CallId,
        name: &Arc<str>,
        conn: Option<ConnHandle<CallEvent>>,
        connect_by: Instant,
    ) -> Self {
        Leg {
            call_id: call_id.clone(),
            name: name.clone(),
            ever_connected: conn.is_some(),
            connect_by,
            conn,
            leaving: false,
            backlog: VecDeque::new(),
        }
    }
}

/// The call actor.
pub struct Call {
    /// The pair's id.
    id: PairId,
    /// The customer leg at index 0, the agent leg at index 1.
    legs: [Leg; 2],
    /// When the pair was made.
    started_at: DateTime<Utc>,
    /// Sequence number of the last relayed transcript.
    last_seq: u64,
    /// Set once the call has ended, with the reason; later requests get `call_ended`.
    ended: Option<EndReason>,
    /// Told when the call ends.
    closed: Recipient<CallClosed>,
    /// Timing and size settings.
    config: Arc<CallConfig>,
    /// The calls' counters.
    metrics: Arc<CallMetrics>,
}

impl Call {
    /// A call for a freshly made pair, `legs` ordered customer, agent.
    pub(crate) fn new(
        id: PairId,
        legs: [Leg; 2],
        started_at: DateTime<Utc>,
        closed: Recipient<CallClosed>,
        config: Arc<CallConfig>,
        metrics: Arc<CallMetrics>,
    ) -> Self {
        Call {
            id,
            legs,
            started_at,
            last_seq: 0,
            ended: None,
            closed,
            config,
            metrics,
        }
    }

    fn role_of(&self, call_id: &CallId) -> Option<Role> {
        [Role::Customer, Role::Agent]
            .into_iter()
            .find(|role| &self.legs[role.index()].call_id == call_id)
    }

    fn matched_event(&self, role: Role, ctx: &Context<Self>) -> CallEvent {
        let partner = &self.legs[role.partner().index()];
        let call = ctx.address();
        CallEvent::CallMatched {
            call_id: self.legs[role.index()].call_id.clone(),
            role,
            partner_call_id: partner.call_id.clone(),
            partner_name: partner.name.clone(),
            started_at: self.started_at,
            call: CallLink {
                relay: call.clone().recipient(),
                end: call.clone().recipient(),
                leave: call.recipient(),
            },
        }
    }

    fn announce_match(&mut self, ctx: &mut Context<Self>) {
        for role in [Role::Customer, Role::Agent] {
            let event = self.matched_event(role, ctx);
            self.send_to(role, event, ctx);
        }
    }

    /// Pushes `event` to the leg's socket, if open. A socket that cannot take it (gone, or too
    /// slow to keep up) is leaving the call, which ends when it has left.
    fn send_to(&mut self, role: Role, event: CallEvent, ctx: &mut Context<Self>) {
        let leg = &mut self.legs[role.index()];
        let Some(conn) = leg.conn.as_ref().filter(|_| !leg.leaving) else {
            return;
        };
        if !conn.push(event) {
            // The socket is closing; its LeaveLeg says why (a shutdown, or the client). Should
            // none come, the call ends as a disconnect all the same.
            let conn_id = conn.id();
            leg.leaving = true;
            ctx.run_later(LEAVE_WAIT, move |act, ctx| {
                let leg = &mut act.legs[role.index()];
                if leg.conn.as_ref().is_some_and(|c| c.id() == conn_id) {
                    leg.conn = None;
                    act.end(EndReason::Disconnected(role), ctx);
                }
            });
        }
    }

    fn attach(&mut self, call_id: &CallId, conn: ConnHandle<CallEvent>, ctx: &mut Context<Self>) {
        let Some(role) = self.role_of(call_id) else {
            return;
        };
        if let Some(reason) = self.ended {
            conn.push(CallEvent::CallEnded {
                call_id: call_id.clone(),
                reason,
            });
            return;
        }
        if self.legs[role.index()].conn.is_some() {
            conn.push(CallEvent::already_connected(call_id));
            return;
        }
        let matched = self.matched_event(role, ctx);
        let leg = &mut self.legs[role.index()];
        leg.conn = Some(conn);
        leg.ever_connected = true;
        let held: Vec<CallEvent> = leg.backlog.drain(..).collect();
        self.send_to(role, matched, ctx);
        for event in held {
            self.send_to(role, event, ctx);
        }
    }

    fn relay(&mut self, call_id: &CallId, text: String, ctx: &mut Context<Self>) {
        let Some(speaker) = self.role_of(call_id).filter(|_| self.ended.is_none()) else {
            return;
        };
        self.last_seq += 1;
        let event = CallEvent::Transcript {
            speaker,
            text: text.into(),
            seq: self.last_seq,
            timestamp: Utc::now(),
        };
        let backlog_limit = self.config.transcript_backlog;
        let listener = &mut self.legs[speaker.partner().index()];
        if listener.conn.is_some() {
            self.send_to(speaker.partner(), event, ctx);
        } else if listener.backlog.len() < backlog_limit {
            listener.backlog.push_back(event);
        } else {
            self.last_seq -= 1;
            let refusal = CallEvent::Error {
                error: "partner_not_connected",
                detail: format!(
                    "the partner's socket is not open and {backlog_limit} lines are already held for it"
                ),
            };
            self.send_to(speaker, refusal, ctx);
            return;
        }
        self.metrics.transcripts_relayed.bump();
    }

    fn leave(
        &mut self,
        call_id: &CallId,
        conn_id: ConnId,
        shutdown: bool,
        ctx: &mut Context<Self>,
    ) {
        let Some(role) = self.role_of(call_id) else {
            return;
        };
        let leg = &mut self.legs[role.index()];
        if leg.conn.as_ref().is_some_and(|c| c.id() == conn_id) {
            leg.conn = None;
            let reason = match shutdown {
                true => EndReason::ServerShutdown,
                false => EndReason::Disconnected(role),
            };
            self.end(reason, ctx);
        }
    }

    fn end_on_request(&mut self, msg: EndCall, ctx: &mut Context<Self>) -> Result<(), UnknownCall> {
        let role = self.role_of(&msg.call_id).ok_or(UnknownCall)?;
        let current = self.legs[role.index()].conn.as_ref().map(ConnHandle::id);
        if let Some(reason) = msg.origin.reason(role, current) {
            self.end(reason, ctx);
        }
        Ok(())
    }

    /// Ends the call at the first connect deadline that a leg without a socket misses.
    fn watch_connect_deadline(&self, ctx: &mut Context<Self>) {
        let deadline = self
            .legs
            .iter()
            .filter(|leg| !leg.ever_connected)
            .map(|leg| leg.connect_by)
            .min();
        if let Some(deadline) = deadline {
            let wait = deadline.saturating_duration_since(clock::now());
            ctx.run_later(wait, |act, ctx| act.end_if_never_connected(ctx));
        }
    }

    fn end_if_never_connected(&mut self, ctx: &mut Context<Self>) {
        let now = clock::now();
        if self
            .legs
            .iter()
            .any(|leg| !leg.ever_connected && leg.connect_by <= now)
        {
            self.end(EndReason::ConnectTimeout, ctx);
        } else {
            self.watch_connect_deadline(ctx);
        }
    }

    fn end(&mut self, reason: EndReason, ctx: &mut Context<Self>) {
        if self.ended.is_some() {
            return;
        }
        self.ended = Some(reason);
        log::info!("call {} ended: {}", self.id, reason.as_str());
        self.metrics.calls_ended.bump();
        // The directory hears first: a client that reacts to `call_ended` with a REST lookup
        // reaches the Matchmaker after this message, so it already reads `ended`.
        self.closed.do_send(CallClosed {
            pair_id: self.id,
            call_ids: [self.legs[0].call_id.clone(), self.legs[1].call_id.clone()],
            reason,
        });
        // At shutdown every socket is being closed with 1001 already; that is the message.
        let told = self
            .legs
            .iter()
            .filter(|_| reason != EndReason::ServerShutdown);
        for leg in told {
            if let Some(conn) = &leg.conn {
                conn.push(CallEvent::CallEnded {
                    call_id: leg.call_id.clone(),
                    reason,
                });
            }
        }
        ctx.run_later(ENDED_LINGER, |_, ctx| ctx.stop());
    }
}

impl Actor for Call {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(INBOUND_CAPACITY);
        self.announce_match(ctx);
        self.watch_connect_deadline(ctx);
    }
}

impl Handler<RelayTranscript> for Call {
    type Result = ();

    fn handle(&mut self, msg: RelayTranscript, ctx: &mut Context<Self>) {
        self.relay(&msg.call_id, msg.text, ctx);
    }
}

impl Handler<AttachLeg> for Call {
    type Result = ();

    fn handle(&mut self, msg: AttachLeg, ctx: &mut Context<Self>) {
        self.attach(&msg.call_id, msg.conn, ctx);
    }
}

impl Handler<LeaveLeg> for Call {
    type Result = ();

    fn handle(&mut self, msg: LeaveLeg, ctx: &mut Context<Self>) {
        self.leave(&msg.call_id, msg.conn_id, msg.shutdown, ctx);
    }
}

impl Handler<EndCall> for Call {
    type Result = Result<(), UnknownCall>;

    fn handle(&mut self, msg: EndCall, ctx: &mut Context<Self>) -> Self::Result {
        self.end_on_request(msg, ctx)
    }
}
