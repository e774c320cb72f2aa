//! The Session actor, one per seed-001 conversation: it receives the requests of the HTTP edge,
//! agent desks and the handover board, and sends events to its followers, rows to the store and
//! handovers to the board. In seven files: [`actor`] (the actor and the path every change
//! takes: draft, commit, apply, publish), [`handlers`] (what it does with each request),
//! [`user_lines`] (the user's lines, one turn at a time), [`answering`] (the bot's answer in
//! flight), [`answer_in_flight`] (both as data), [`desk_follow`] (how it follows its agent's
//! desk and goes back to the bot when the desk is gone for good) and [`desk_link`] (that link
//! as data).

pub mod actor;
pub mod answer_in_flight;
pub mod answering;
pub mod desk_follow;
pub mod desk_link;
pub mod handlers;
pub mod user_lines;

pub use actor::Session;
