//! The bot that answers a session while no human holds it, and seed 004's agent sockets.
//! Receives the user's text and sends back a [`BotReply`](reply::BotReply), whole or streamed
//! at the configured pace ([`pacing`], [`bot_config`]). The built-in backend ([`builtin`]) is
//! offline and deterministic; the [`tools`] (a calculator, the time in a zone) run by name for
//! a client's tool call or a model's, and describe themselves as function definitions. More
//! backends (an OpenAI-compatible model) join them here.

pub mod bot_config;
pub mod builtin;
pub mod pacing;
pub mod reply;
pub mod tools;
