//! The shared kernel every room builds on: identifiers, the handle that reaches a socket, close
//! codes, the two sides of a call, the clock and one timer for many deadlines, the counters and
//! histograms, and how settings are spelled and checked.
//! Receives and sends no messages of its own; nothing in here knows any room.

pub mod clock;
pub mod close;
pub mod deadlines;
pub mod handle;
pub mod ids;
pub mod metrics;
pub mod role;
pub mod settings;
pub mod timings;
