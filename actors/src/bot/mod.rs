//! The bot that answers seed 001's sessions while no human holds them, and seed 004's agent
//! sockets.
//! Receives the user's text (and, for a backend that reads it, the conversation so far) and
//! sends back an answer: a [`BotReply`](reply::BotReply) whole, or a stream of
//! [`Piece`](piece::Piece)s from the configured [`Backend`](answer::Backend) ([`answer`],
//! [`bot_config`]). The built-in backend ([`builtin`]) is offline and deterministic: it hands
//! the questions [`tool_requests`] recognises to a tool, answers others from an FAQ file
//! ([`faq`]), and streams at the configured pace ([`pacing`]); the `openai` backend
//! ([`openai_backend`]) streams from an OpenAI-compatible server, its events parsed in
//! [`completion_chunks`]. The [`tools`] (a calculator, the time in a zone) run by name for a
//! client's tool call, a model's or the built-in bot's, and describe themselves as function
//! definitions. Each answer's turn is timed ([`turn_timer`]).

pub mod answer;
pub mod bot_config;
pub mod builtin;
pub mod completion_chunks;
pub mod faq;
pub mod openai_backend;
pub mod pacing;
pub mod piece;
pub mod reply;
pub mod tool_requests;
pub mod tools;
pub mod turn_timer;
