//! What the property tests share: generators of JSON and of WebSocket frames ([`json`],
//! [`frames`]) and a raw HTTP/1.1 client that sends any bytes as a body ([`raw_http`]).

// Every test file compiles this whole module and uses only part of it.
#![allow(dead_code)]

pub mod frames;
pub mod json;
pub mod raw_http;
