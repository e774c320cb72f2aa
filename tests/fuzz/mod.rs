//! What the property tests share: generators of JSON and of WebSocket frames ([`json`],
//! [`frames`]). Their raw HTTP client is `support::blocking_http`.

// Every test file compiles this whole module and uses only part of it.
#![allow(dead_code)]

pub mod frames;
pub mod json;
