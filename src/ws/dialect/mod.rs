//! Wire dialects: one file per WebSocket protocol, and the [`seam`] they all implement. Each
//! dialect decodes its inbound frames into typed commands and encodes the events of its family
//! in its own format; [`envelope`] is the JSON `{"type": ...}` decoder they share.

pub mod call;
pub mod desk;
pub mod envelope;
pub mod seam;
