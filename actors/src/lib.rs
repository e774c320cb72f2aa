//! Switchboard's actor core: every piece of domain state lives in exactly one actor here, and
//! actors talk only through typed messages. No actix-web in this crate.
//!
//! # The actor map
//!
//! - A **connection** (one per socket, in the web crate) is reached through a [`ConnHandle`]:
//!   it accepts [`Deliver`] (an [`Event`] to encode and send) and [`Disconnect`] (close with a
//!   [`CloseCode`]). Its event mailbox is bounded; a client that stops reading is disconnected
//!   as a slow consumer instead of growing memory.
//! - The [`SessionRegistry`] admits sockets under the connection limit ([`Register`]), forgets
//!   them ([`Deregister`]), counts them ([`CountConnections`]) and closes them all on shutdown
//!   ([`CloseAll`]).
//! - The [`Matchmaker`] is the call directory: it issues call ids ([`StartCall`]), keeps the
//!   customer and agent queues FIFO (ranked, so a leg's place is found without a scan), sends
//!   waiting legs their places in coalesced rounds, and when a pair forms it starts a
//!   [`Call`] for it on the thread of a leg that already has a socket. Sockets announce
//!   themselves with [`AttachLeg`] and leave with [`LeaveLeg`]; a waiting leg whose socket
//!   leaves is dropped from its queue. Ended legs are remembered for the connect timeout, so a
//!   socket that opens late hears `call_ended` with the reason.
//! - A [`Call`] is one matched call. It tells both legs [`Event::CallMatched`] (carrying its
//!   own address), relays [`RelayTranscript`] from one leg to the other as
//!   [`Event::Transcript`] with the speaker's role set by the hub, and ends the call on a hang
//!   up, a disconnect, a missed connect deadline or a REST request, telling every open leg
//!   [`Event::CallEnded`]. It then lingers briefly, answering sockets still on their way.
//! - A [`session::Session`] is one seed-001 conversation, found by name through the
//!   [`session::SessionDirectory`]. It is the only writer of its status
//!   ([`escalation`]'s machine), history, escalation and agent; the [`regulator`] and the
//!   [`bot`] are pure functions it calls. Every change is committed by the [`store::Store`]
//!   (SQLite on its own thread) before the session applies it, pushes the new events to its
//!   SSE subscribers and agent desk, and answers. An escalated session queues in the
//!   Matchmaker's handover queue ([`DeskReady`] and friends), which offers it to the
//!   least-loaded agent desk with room.
//! - The [`Monitor`] answers [`GetStats`] from the shared [`Metrics`] counters.
//!
//! # The path of an ordinary message
//!
//! A transcript goes socket → [`Call`] → partner socket, two mailbox hops. The registry and
//! the matchmaker are on the control path only (admission, matching, lookups). A seed-001
//! request goes handler → directory → [`session::Session`] → [`store::Store`] and back.

pub mod bot;
mod call;
mod close;
mod conn;
pub mod escalation;
mod event;
mod handoff;
mod ids;
mod matchmaker;
mod monitor;
mod queue;
mod registry;
pub mod regulator;
mod role;
pub mod session;
pub mod store;

pub use call::{Call, RelayTranscript};
pub use close::CloseCode;
pub use conn::{ConnHandle, Deliver, Disconnect};
pub use event::{EndReason, Event};
pub use handoff::{DeskGone, DeskPaused, DeskReady};
pub use ids::{CallId, ConnId, InvalidCallId, InvalidSessionName, SessionId, SessionName};
pub use matchmaker::{
    ActiveCall, AttachLeg, CallSettings, CallStarted, CallView, CallsSnapshot, EndCall, EndOrigin,
    LeaveLeg, ListCalls, LookupCall, Matchmaker, Placement, QueueFull, StartCall, UnknownCall,
    WaitingLeg,
};
pub use monitor::{GetStats, Metrics, Monitor, Stats};
pub use registry::{
    AdmissionRefused, CloseAll, CountConnections, Deregister, Register, SessionRegistry,
};
pub use role::Role;

#[cfg(test)]
mod tests;
