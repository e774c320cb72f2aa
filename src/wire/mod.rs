//! The wire: one module per seed, holding the JSON shapes of its REST bodies and socket frames
//! as typed structs whose docs list every key. Receives nothing and sends nothing; the HTTP
//! handlers and the socket dialects both build their answers from these, so a shape is
//! written once. [`matching`] is seed 000, [`takeover`] seed 001, [`interview_frames`] seed 002,
//! [`chat_frames`] seed 003's chat sockets, [`monitor_frames`] its admin monitor and management
//! API, [`agent_frames`] seed 004; [`text`] turns a shape into frame text.

pub mod agent_frames;
pub mod chat_frames;
pub mod interview_frames;
pub mod matching;
pub mod monitor_frames;
pub mod takeover;
pub mod text;
