//! Unit tests of the actor core, with a collector actor in place of each socket and one
//! bounded `eventually` wait.

mod admin_feed;
mod call_deadlines;
mod collector;
mod desk_grace;
mod eventually;
mod matchmaker;
mod registry;
