//! Seed 003's room: the chat hub's presence and routing. Receives chat sockets as they open
//! and close, the conversations they join and leave, typing, receipts and the bot's progress
//! (from the chat dialect), and notifications, lookups and disconnects (from the management
//! side); sends [`ChatEvent`]s to the chat sockets of a user, of a conversation or of
//! everyone, read marks to the store, and presence changes to the admin feed, whose
//! [`user_directory`](crate::admin::user_directory) contract it answers (connections,
//! disconnect, ping, notifications, broadcasts). A chat conversation is a
//! seed-001 session: its lines reach the sockets through the session's own subscription, not
//! through this room, which knows nothing of the takeover room.
//!
//! - [`chat_hub`]: the ChatHub actor, the one writer of who is connected and where.
//! - [`roster`]: its books: connections by user and by conversation (pure).
//! - [`chat_events`]: what chat sockets hear from the hub.
//! - [`chat_requests`]: what the hub is asked, and its answers.

pub mod chat_events;
pub mod chat_hub;
pub mod chat_requests;
pub mod roster;

pub use chat_events::ChatEvent;
pub use chat_hub::ChatHub;
