//! The admin room (seed 003's monitor and notifications). Receives the monitor sockets as they
//! open and close, the users' comings and goings from whatever room knows users, and the
//! management API's requests; sends `stats_update` to every monitor on an interval,
//! `user_status_update` as users come and go, notifications to monitors and to the users they
//! name, and each notification as JSON to a configured webhook.
//!
//! - [`feed::MonitorFeed`] keeps the monitor sockets and answers for them as a source of users.
//! - [`user_directory`] is the contract a room that knows users answers (its connections,
//!   disconnect, ping, deliver a notification), so the feed can ask it without knowing it.
//! - [`webhook::Notifier`] posts notifications to the webhook with retries and backoff.

pub mod admin_config;
pub mod feed;
pub mod hub_stats;
pub mod monitor_events;
pub mod notification;
pub mod user_directory;
pub mod webhook;
