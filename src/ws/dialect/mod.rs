//! Wire dialects: one file per WebSocket protocol, and the [`seam`] they all implement. Each
//! dialect receives its socket's messages and its event family, decodes the messages into typed
//! commands and sends frames in its own format; [`envelope`] is the JSON `{"type": ...}`
//! decoder they share.

pub mod agent;
pub mod call;
pub mod chat_socket;
pub mod chat_work;
pub mod desk;
pub mod envelope;
pub mod interview;
pub mod monitor;
pub mod seam;
pub mod token_bucket;
