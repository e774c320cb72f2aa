//! Seed 000's room: call-id matchmaking between customers and agents. Receives call starts,
//! lookups and ends from the HTTP edge and leg sockets (through the [`Matchmaker`]), and
//! transcripts from matched legs (through each [`Call`]); sends [`CallEvent`]s to the legs'
//! sockets and call records to the store. Nothing here knows any other room.
//!
//! - [`matchmaker`]: the call directory and the FIFO queues; pairs legs and starts calls.
//! - `legs`: the Matchmaker's book of issued legs, pure.
//! - `queue`: the ranked FIFO queue under it.
//! - [`call`]: one matched call; relays transcripts and ends the call.
//! - [`call_requests`], [`call_link`], [`ending`]: the messages and the values they carry.
//! - [`call_events`]: what the legs' sockets hear.
//! - [`call_config`], [`call_metrics`]: the room's settings and counters.

pub mod call;
pub mod call_config;
pub mod call_events;
pub mod call_link;
pub mod call_metrics;
pub mod call_requests;
pub mod ending;
mod legs;
pub mod matchmaker;
mod queue;

pub use call::Call;
pub use call_config::CallConfig;
pub use call_events::CallEvent;
pub use call_link::{CallLink, EndCall, LeaveLeg, RelayTranscript, UnknownCall};
pub use call_metrics::CallMetrics;
pub use call_requests::{
    ActiveCall, AttachLeg, CallStarted, CallView, CallsSnapshot, ListCalls, LookupCall, Placement,
    QueueFull, StartCall, WaitingLeg,
};
pub use ending::{EndOrigin, EndReason};
pub use matchmaker::Matchmaker;
