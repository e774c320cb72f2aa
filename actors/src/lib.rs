//! Switchboard's actor core: every piece of domain state lives in exactly one actor here, and
//! actors talk only through typed messages. It receives requests from the web edge (HTTP
//! handlers and socket dialects) and sends events to sockets through their handles. No
//! actix-web in this crate.
//!
//! # The house
//!
//! Rooms by capability, a small kernel under them:
//!
//! - [`kernel`]: identifiers, the handle that reaches a socket
//!   ([`ConnHandle`](kernel::handle::ConnHandle)), close codes,
//!   the two sides of a call, the clock and one timer for many deadlines, the counters, and how
//!   settings are spelled. It knows no room.
//! - [`registry`] and [`monitor`]: the two shared services, the connection registry and the
//!   counters' snapshot.
//! - [`store`]: SQLite on its own thread with group commit. It stores rows, one table group per
//!   room, and knows none of the rooms' types.
//! - [`calls`]: seed 000, call-id matchmaking.
//! - [`takeover`]: seed 001, bot-to-human takeover.
//! - [`bot`]: the bot the takeover room and the agent sockets ask for answers, whole or
//!   streamed at a pace.
//! - [`agent`]: seed 004's agent sockets, their statistics.
//! - [`interview`]: seed 002's interview sockets: the built-in interviewer and the
//!   interviews it holds, kept in the store.
//! - [`chat`]: seed 003's chat hub: who is online with which sockets, who sits in which
//!   conversation, routing to a user, a conversation or everyone, read marks.
//!
//! Dependencies point down: a room uses the kernel, the store and the bot, never another room.
//! Where an actor must reach one of another room, the wiring hands it a `Recipient` (or a
//! narrow handle of recipients such as [`calls::CallLink`] or
//! [`takeover::session_requests::SessionLink`]); even inside a room, a child actor reaches the
//! one that started it that way, so no two modules import each other.
//!
//! The next rooms go beside these, each touching the kernel in a line or two at most, with the
//! bot's backends and tools growing in [`bot`]: `chat/` for seed 003's authenticated chat hub
//! and admin monitor, whose presence and per-user routing join the [`registry`]. Each defines its own event family
//! (as [`calls::CallEvent`] and [`takeover::DeskEvent`] do), its own config area and counters,
//! and its dialect in the web crate.
//!
//! # The actor map
//!
//! - A **connection** (one per socket, in the web crate) is reached through a
//!   [`ConnHandle<E>`](kernel::handle::ConnHandle) for the event family `E` its protocol speaks: it accepts
//!   [`Deliver<E>`](kernel::handle::Deliver) and [`Disconnect`](kernel::handle::Disconnect).
//!   Its mailbox is bounded; a client that stops reading is disconnected as a slow consumer
//!   instead of growing memory.
//! - The [`ConnectionRegistry`](registry::ConnectionRegistry) admits sockets under the
//!   connection limit, forgets them, counts them and closes them all on shutdown.
//! - The [`Matchmaker`](calls::Matchmaker) is the call directory: it issues call ids, keeps the
//!   customer and agent queues FIFO (ranked, so a leg's place is found without a scan), sends
//!   waiting legs their places in coalesced rounds, and when a pair forms it starts a
//!   [`Call`](calls::Call) on the thread of a leg that already has a socket. Ended legs are
//!   remembered for the connect timeout, so a socket that opens late hears why.
//! - A [`Call`](calls::Call) is one matched call. It tells both legs they are matched (handing
//!   each socket a [`CallLink`](calls::CallLink) to itself), relays transcripts from one leg to
//!   the other with the speaker set by the hub, and ends the call on a hang up, a disconnect, a
//!   missed connect deadline or a REST request. It then lingers briefly, answering sockets still
//!   on their way, and tells the Matchmaker through a `Recipient`.
//! - A [`Session`](takeover::session::Session) is one seed-001 conversation, found by name
//!   through the [`SessionDirectory`](takeover::SessionDirectory). It is the only writer of its
//!   status, history, escalation and agent; the regulator and the bot are pure functions it
//!   calls. Every change is committed by the [`Store`](store::Store) before the session applies
//!   it, pushes the new events to its SSE subscribers and agent desk, and answers.
//! - The [`HandoverBoard`](takeover::HandoverBoard) queues escalated sessions and offers each to
//!   the least-loaded agent desk with room; a session whose desk closed waits there for another
//!   desk of its agent.
//! - The [`Monitor`](monitor::Monitor) answers statistics from the rooms' counters.
//!
//! # The path of an ordinary message
//!
//! A transcript goes socket → [`Call`](calls::Call) → partner socket, two mailbox hops. The
//! registry and the matchmaker are on the control path only (admission, matching, lookups). A
//! seed-001 request goes handler → directory → Session → Store and back.
//!
//! # Rules every actor keeps
//!
//! - Messages are named-field structs; handlers call one plain method.
//! - Addresses come in through constructors; no globals, no shared domain state.
//! - Every outbound queue is bounded; deadlines read the runtime clock ([`kernel::clock`]), so
//!   tests on paused time drive them.
//! - No timer per item in an actor that many items share (the [`Matchmaker`](calls::Matchmaker)'s
//!   legs, the [`HandoverBoard`](takeover::HandoverBoard)'s offers): an actix `Context` polls
//!   every future spawned on it each time the actor wakes, so such an actor keeps its items'
//!   instants in one [`Deadlines`](kernel::deadlines::Deadlines), a heap behind a single timer.
//!   A timer per actor is fine where the actor is the item (a call, a session, a connection).
//!   `tests/architecture.rs` lists every timer and why it is not per item.
//!
//! # On more than one machine
//!
//! Today every actor runs in one process. What is per node and what must move to a shared
//! engine (Redis or Valkey streams and pub/sub for what moves, a server database for what is
//! kept) when the hub runs on several nodes, and the one actor each goes through, so that
//! nothing else changes:
//!
//! | state | today | on several nodes | through |
//! |---|---|---|---|
//! | sockets, heartbeats, outbound queues | per connection | stays per node | the connection |
//! | admission and the connection count | [`ConnectionRegistry`](registry::ConnectionRegistry) | per node, with a cluster-wide cap read from the engine | the registry |
//! | presence and routing to a user's sockets (seed 003) | not yet | shared: user → node, published through the engine | the registry |
//! | the call queues and call ids | [`Matchmaker`](calls::Matchmaker) | shared: one queue per side in the engine, popped atomically | the Matchmaker, which becomes a client of the engine |
//! | a matched call's relay | [`Call`](calls::Call), on a leg's node | per pair; a leg on another node is reached through the engine's pub/sub | the Call |
//! | the handover queue and desk loads | [`HandoverBoard`](takeover::HandoverBoard) | shared: waiting sessions and desk loads in the engine | the board |
//! | a session's ordering and history | the [`Session`](takeover::session::Session) actor, one per name in the process | one owner per session across nodes (a lease in the engine); history in a server database | the directory, which finds or takes the lease |
//! | SSE subscribers and a desk's link | the session's node | the subscriber's node, fed from the owner through the engine | the Session |
//! | counters | atomics per process | per node, summed by the scraper | the Monitor |

#![warn(missing_docs)]

pub mod admin;
pub mod agent;
pub mod bot;
pub mod calls;
pub mod chat;
pub mod interview;
pub mod kernel;
pub mod monitor;
pub mod registry;
pub mod store;
pub mod takeover;

#[cfg(test)]
mod tests;
