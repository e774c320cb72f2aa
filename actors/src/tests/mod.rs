//! Unit tests of the actor core, with a collector actor in place of each socket.

mod collector;
mod matchmaker;
mod registry;
