//! Seed 001's room: bot-to-human takeover. Receives user turns, escalations, claims, manual
//! messages, releases and subscriptions (from the HTTP edge and agent desks, through the
//! [`Sessions`] handle), and desk availability (from desk sockets, at the [`HandoverBoard`]);
//! sends [`DeskEvent`]s to desks, session events to SSE subscribers, and rows to the store.
//! Nothing here knows seed 000's room.
//!
//! - [`session`]: the Session actor, one per conversation, the only writer of its state.
//! - [`directory`]: the SessionDirectory (name → actor) and the [`Sessions`] handle.
//! - [`board`]: the HandoverBoard actor, which offers waiting sessions to agent desks;
//!   `desks` are its books, [`handover`] its messages.
//! - [`model`], [`draft`], [`operations`], [`chat_turn`], [`escalation`], [`regulator`]: the
//!   conversation as data and what each request does to it, all pure; [`history`]: the pages of its history
//!   that answers carry.
//! - [`session_requests`], [`desk_events`]: what a session is asked, and what desks hear.
//! - [`persist`]: how a session becomes store rows and back.
//! - [`takeover_config`]: the room's settings.

pub mod board;
pub mod chat_turn;
pub mod desk_events;
mod desks;
pub mod directory;
pub mod draft;
pub mod escalation;
pub mod handover;
pub mod history;
pub mod model;
pub mod operations;
pub mod persist;
pub mod regulator;
pub mod session;
pub mod session_requests;
pub mod takeover_config;

pub use board::HandoverBoard;
pub use desk_events::DeskEvent;
pub use directory::{RestoreHandoffs, SessionDirectory, Sessions};
pub use takeover_config::TakeoverConfig;
