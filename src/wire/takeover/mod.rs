//! Seed 001's wire: the JSON of conversations and takeover, as the seed writes it. Receives
//! nothing and sends nothing: [`conversation`] (a session, its history and its pushed
//! events), [`rest`] (the REST request and answer bodies) and [`desk_frames`] (the agent
//! desk socket's frames).

pub mod conversation;
pub mod desk_frames;
pub mod rest;
