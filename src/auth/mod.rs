//! Access control. Receives each request in front of its route (the [`guard`]), with the
//! token it carries (verified by [`token`]) and the route's declared access ([`policy`]); sends
//! refusals (401, 403, 415) or passes the request on with the [`Caller`](identity::Caller)
//! handlers check conversations and agents against ([`identity`]). [`origin`] decides which
//! browser pages may open sockets and streams; [`command`] is the `token` command that mints
//! tokens for development.

pub mod command;
pub mod guard;
pub mod identity;
pub mod origin;
pub mod policy;
pub mod token;
