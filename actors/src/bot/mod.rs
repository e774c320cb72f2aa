//! The bot that answers a session while no human holds it. Receives the user's text and sends
//! back a [`BotReply`](reply::BotReply). The built-in backend ([`builtin`]) is offline and
//! deterministic; more backends (an OpenAI-compatible model, tools) join it here.

pub mod builtin;
pub mod reply;
